"""What per-language analysis costs English now that a search names only the groups its index
holds (naming every group cost 1.24x-1.44x): ingest and the query mix, before and today.

`python -m bench.languages [--n 10000] [--duration 10] [--rounds 3] [--levels 1,8] [--repeat 4]
[--tag NAME]`

"Before" is rebuilt from today's code, so both sides share one process, node and documents: the
mapping of before is `index_body()` without `languages.mapping_properties()`, its body
`build_search_body(req, groups=frozenset())` (checked first to name no language field). Ingest:
`bench.query`'s English documents loaded into each mapping, ABBA, after an untimed load of each.
Queries, straight at OpenSearch with `bench.query`'s mix, on two archives: those English loads
(new: the body for the groups `PresentLanguages` reports, none, so it should equal old's), and
the same plus the Korean and French Wikinews samples as the ingest writes them (new: groups
ko, fr; old: the same documents without language fields). Each client sends every position of
the mix to both sides in turn, so noise from a shared machine falls on both (separate turns gave
0.6-1.8 for identical bodies); `--rounds` interleaved rounds, reported with their median.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

from opensearchpy import OpenSearch

from bench import corpus
from bench.common import (
    ROOT,
    bench_settings,
    create_index,
    delete_index,
    force_merge,
    latency_summary,
    log,
    median,
    print_table,
    ratio,
    result_name,
    running_node,
    write_results,
)
from bench.ingest import Load, _timed, load_project, summarise
from bench.query import (
    MAX_REQUESTS_PER_LEVEL,
    MIX_WEIGHTS,
    WARMUP_S,
    Call,
    Sender,
    build_mix,
    direct_sender,
    load_session,
    top_values,
    variant_mix,
)
from search import languages
from search.duplicates.summaries import summarise_all
from search.fields import BODY, EXACT, LANGUAGE_TEXT_FIELDS, TITLE
from search.http.params import SearchParams
from search.index.bulk import BulkDoc, BulkPolicy
from search.index.client import async_client, node_urls
from search.index.schema import index_body
from search.ingest.run import bulk_policy
from search.query import builder
from search.query.present_languages import PresentLanguages
from search.settings import Settings

OLD, NEW = "old", "new"
SIDES: Final = (OLD, NEW)
SAMPLES: Final = tuple(ROOT / "samples" / f"wikinews-{code}.ndjson" for code in ("ko", "fr"))
#: Queries the check builds: words, a phrase, proximity, field prefixes, a prefix, a typo,
#: required and excluded parts.
CHECKED_QUERIES: Final = (
    "oil prices", '"interest rates"', '"kim putin"~5', "title:election", 'body:"trade deficit"',
    "elect*", "electon~", 'oil AND "trade deficit"', '+bank -"central bank" OR shares',
    'title:"oil prices"~3',
)  # fmt: skip
ENGLISH_HIGHLIGHT: Final = {TITLE, f"{TITLE}.{EXACT}", BODY, f"{BODY}.{EXACT}"}
METRICS: Final = ("p50", "p95", "per_request")


# --- before -------------------------------------------------------------------------------------


def before_mapping() -> dict[str, Any]:
    """The article index of before: today's without the language groups' fields."""
    body = index_body()
    for name in languages.mapping_properties():
        del body["mappings"]["properties"][name]
    return body


def _names(node: Any) -> set[str]:
    """Every key and string anywhere in a body, boosts (`^3`) cut off: the fields it names."""
    if isinstance(node, list):
        return {name for item in node for name in _names(item)}
    if isinstance(node, dict):
        return {k.partition("^")[0] for k in node} | _names(list(node.values()))
    return {node.partition("^")[0]} if isinstance(node, str) else set()


def check_before() -> None:
    """The body of before names no language field and snippets the four English fields only,
    while naming every group does name them (so the check can fail); the old mapping has none."""
    for q in CHECKED_QUERIES:
        req = SearchParams.model_validate({"q": q, "country": ["usa"]}).to_request()
        before = builder.build_search_body(req, groups=frozenset())
        assert not LANGUAGE_TEXT_FIELDS & _names(before), q
        assert set(before["highlight"]["fields"]) == ENGLISH_HIGHLIGHT, q
        assert LANGUAGE_TEXT_FIELDS & _names(builder.build_search_body(req)), q
    mapping = before_mapping()["mappings"]["properties"]
    assert not LANGUAGE_TEXT_FIELDS & set(mapping)
    assert {TITLE, BODY} <= set(mapping)
    log("the body of before names no language field; the mapping of before has none")


def with_groups(calls: Sequence[Call], groups: frozenset[str]) -> list[Call]:
    """The mix with every search built for `groups`, as `service.search` builds it."""

    def build(call: Call) -> Call:
        req = SearchParams.model_validate(call.params).to_request()
        return replace(call, body=builder.build_search_body(req, groups=groups))

    return variant_mix(calls, build)


async def present_groups(settings: Settings, index: str) -> frozenset[str]:
    """The groups the product names for `index`, asked the way `service.search` asks."""
    client = async_client(settings)
    try:
        groups = await PresentLanguages().groups(client, index)
    finally:
        await client.close()
    if groups is None:
        raise RuntimeError(f"{index} could not say which languages it holds")
    return groups


# --- documents and ingest -----------------------------------------------------------------------


def english_docs(n: int, seed: int) -> list[BulkDoc]:
    """`bench.query`'s documents; fails if any carries a language field (they must be English)."""
    records = corpus.read_records(corpus.ensure_corpus(n, seed, with_entities=True))
    runs = corpus.cluster_runs(n, seed)
    docs = list(corpus.clustered_docs(corpus.with_copies(records, runs, seed)))
    if foreign := [d.id for d in docs if LANGUAGE_TEXT_FIELDS & set(d.source)]:
        raise RuntimeError(f"{len(foreign)} documents carry language fields, e.g. {foreign[:3]}")
    return docs


def sample_docs() -> dict[str, list[BulkDoc]]:
    """The Korean and French samples as each ingest writes them: today's `to_document` adds
    their text again under `languages.language_fields`; before's did not."""
    docs = [doc for path in SAMPLES for doc in corpus.article_docs(corpus.read_records(path))]
    if not all(LANGUAGE_TEXT_FIELDS & set(d.source) for d in docs):
        raise RuntimeError("a sample article has no language field")
    plain = [{k: v for k, v in d.source.items() if k not in LANGUAGE_TEXT_FIELDS} for d in docs]
    return {OLD: [replace(d, source=p) for d, p in zip(docs, plain, strict=True)], NEW: docs}


MAPPINGS: Final = {OLD: before_mapping, NEW: index_body}


def load_archive(
    client: OpenSearch, purpose: str, side: str, docs: Sequence[BulkDoc], policy: BulkPolicy
) -> str:
    """A fresh index of `side`'s mapping loaded by the project's writer (untimed), left as
    `bench.query` leaves its own: cluster summaries written, merged to one segment."""
    index = create_index(client, f"languages-{purpose}-{side}", MAPPINGS[side]())
    try:
        load = load_project(client, index, docs, policy)
        if load.outcomes.get("created") != len(docs):
            raise RuntimeError(f"{purpose} {side}: {load.outcomes} of {len(docs)}")
        summarise_all(client, index)
        force_merge(client, index)
    except BaseException:
        delete_index(client, index)
        raise
    return index


def measure_ingest(
    client: OpenSearch, docs: Sequence[BulkDoc], policy: BulkPolicy, repeat: int
) -> dict[str, list[Load]]:
    """Timed loads into fresh indexes of each mapping, old-new then new-old (ABBA), each
    index deleted once counted."""
    runs: dict[str, list[Load]] = {OLD: [], NEW: []}
    for rep in range(repeat):
        for side in SIDES if rep % 2 == 0 else SIDES[::-1]:
            index = create_index(client, f"languages-ingest-{side}", MAPPINGS[side]())
            try:
                load = _timed(load_project, client, index, docs, policy)
                if (count := int(client.count(index=index)["count"])) != len(docs):
                    raise RuntimeError(f"{side}: {count} documents indexed of {len(docs)}")
            finally:
                delete_index(client, index)
            runs[side].append(load)
            log(f"ingest rep {rep + 1} {side}: {load.docs_per_s:,.0f} docs/s")
    return runs


def ingest_report(runs: dict[str, list[Load]]) -> dict[str, Any]:
    out: dict[str, Any] = summarise(runs)
    pairs = [ratio(n.docs_per_s, o.docs_per_s) for o, n in zip(runs[OLD], runs[NEW], strict=True)]
    out["ratio_new_to_old"] = ratio(out[NEW]["docs_per_s"], out[OLD]["docs_per_s"])
    out["ratio_per_pair"] = pairs
    out["ratio_median_of_pairs"] = round(median(pairs), 3)
    return out


# --- queries ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Archive:
    """One archive as each side holds and searches it."""

    name: str
    indexes: dict[str, str]
    calls: dict[str, list[Call]]
    groups: frozenset[str]

    def identical(self) -> bool:
        return [c.body for c in self.calls[OLD]] == [c.body for c in self.calls[NEW]]


@dataclass
class Paired:
    """One paired run: per side, position in the mix -> (kind, seconds)."""

    latencies: dict[str, dict[int, tuple[str, float]]] = field(
        default_factory=lambda: {side: {} for side in SIDES}
    )
    seconds: float = 0.0
    errors: int = 0


async def run_paired(
    senders: dict[str, Sender], archive: Archive, level: int, duration_s: float
) -> Paired:
    """`level` clients, each taking the next position of the mix and sending its body to both
    sides in turn, which side first alternating by position."""
    result = Paired()
    counter = itertools.count()
    deadline = time.perf_counter() + duration_s

    async def client() -> None:
        while time.perf_counter() < deadline and (n := next(counter)) < MAX_REQUESTS_PER_LEVEL:
            for side in SIDES if n % 2 == 0 else SIDES[::-1]:
                call = archive.calls[side][n % len(archive.calls[side])]
                started = time.perf_counter()
                if await senders[side](call):
                    result.latencies[side][n] = (call.kind, time.perf_counter() - started)
                else:
                    result.errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(level)))
    result.seconds = time.perf_counter() - started
    return result


async def measure_queries(
    node_url: str,
    archives: Sequence[Archive],
    levels: Sequence[int],
    duration_s: float,
    rounds: int,
) -> dict[str, dict[int, list[Paired]]]:
    """Every distinct body sent twice to its index, then `rounds` rounds of every archive and
    level in pairs (`duration_s` per side); a short paired warm-up precedes the first round."""
    out: dict[str, dict[int, list[Paired]]] = {a.name: {lv: [] for lv in levels} for a in archives}
    async with load_session(max(levels)) as session:
        senders = {
            a.name: {s: direct_sender(session, node_url, a.indexes[s]) for s in SIDES}
            for a in archives
        }
        for archive, side in itertools.product(archives, SIDES):
            for call in 2 * list({id(c): c for c in archive.calls[side]}.values()):
                if not await senders[archive.name][side](call):
                    raise RuntimeError(f"{archive.name} {side}: a {call.kind} search failed")
        for round_, archive, level in itertools.product(range(rounds), archives, levels):
            if round_ == 0:
                await run_paired(senders[archive.name], archive, level, WARMUP_S)
            run = await run_paired(senders[archive.name], archive, level, 2 * duration_s)
            out[archive.name][level].append(run)
            row = paired_report(run)["ratio"]
            log(
                f"round {round_ + 1} {archive.name} x{level}: new/old p50 {row['p50']}, "
                f"p95 {row['p95']}, per request {row['per_request']}"
            )
    return out


def paired_report(run: Paired) -> dict[str, Any]:
    """Both sides' latencies and new/old: p50, p95 and the median over positions of the mix of
    new's latency over old's, overall and per kind."""

    def times(side: str, kind: str | None) -> list[float]:
        return [t for k, t in run.latencies[side].values() if kind in (None, k)]

    old = run.latencies[OLD]
    per_request = [(k, t / old[n][1]) for n, (k, t) in run.latencies[NEW].items() if n in old]

    def ratios(kind: str | None) -> dict[str, float]:
        before, today = (
            latency_summary(times(OLD, kind)),
            latency_summary(times(NEW, kind)),
        )
        return {
            "p50": ratio(today["p50_ms"], before["p50_ms"]),
            "p95": ratio(today["p95_ms"], before["p95_ms"]),
            "per_request": round(median([r for k, r in per_request if kind in (None, k)]), 3),
        }

    kinds = sorted({k for k, _ in run.latencies[NEW].values()})
    return {
        "seconds": round(run.seconds, 1),
        "errors": run.errors,
        "pairs": len(per_request),
        **{side: latency_summary(times(side, None)) for side in SIDES},
        "ratio": ratios(None),
        "by_kind": {kind: ratios(kind) for kind in kinds},
    }


def level_report(runs: Sequence[Paired]) -> dict[str, Any]:
    """The median over rounds of each ratio, and every round's figures."""
    rows = [paired_report(run) for run in runs]

    def middle(rows_of: Sequence[dict[str, float]]) -> dict[str, float]:
        return {m: round(median([r[m] for r in rows_of]), 3) for m in METRICS}

    return {
        **middle([r["ratio"] for r in rows]),
        "p50_ms": {side: round(median([r[side]["p50_ms"] for r in rows]), 2) for side in SIDES},
        "by_kind": {k: middle([r["by_kind"][k] for r in rows]) for k in rows[0]["by_kind"]},
        "rounds": rows,
    }


# --- the run ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.languages", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--n", type=int, default=10_000, help="English articles in each index")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=4, help="timed loads of each mapping")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per side and round")
    parser.add_argument("--rounds", type=int, default=3, help="paired runs per archive and level")
    parser.add_argument("--levels", default="1,8", help="concurrent clients, comma-separated")
    parser.add_argument("--tag", default=None, help="results in bench/results/languages-TAG.json")
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",")]
    check_before()

    started = time.monotonic()
    settings = bench_settings()
    policy = bulk_policy(settings)
    with running_node(settings) as client:
        english = english_docs(args.n, args.seed)
        samples = sample_docs()
        log(f"{len(english):,} English documents, {len(samples[NEW])} Korean and French ones")
        indexes: dict[str, dict[str, str]] = {"english": {}, "mixed": {}}
        try:
            for side in SIDES:
                indexes["english"][side] = load_archive(client, "english", side, english, policy)
            ingest = ingest_report(measure_ingest(client, english, policy, args.repeat))
            for side in SIDES:
                indexes["mixed"][side] = load_archive(
                    client, "mixed", side, english + samples[side], policy
                )
            values = top_values(client, indexes["english"][NEW])
            if values != top_values(client, indexes["english"][OLD]):
                raise RuntimeError("the two English indexes do not hold the same articles")
            mix = build_mix(values)
            archives = []
            for name, pair in indexes.items():
                groups = asyncio.run(present_groups(settings, pair[NEW]))
                calls = {OLD: with_groups(mix, frozenset()), NEW: with_groups(mix, groups)}
                archives.append(Archive(name, pair, calls, groups))
                log(f"{name}: groups {sorted(groups)}, same bodies {archives[-1].identical()}")
            runs = asyncio.run(
                measure_queries(
                    node_urls(settings)[0], archives, levels, args.duration, args.rounds
                )
            )
        finally:
            for pair in indexes.values():
                for index in pair.values():
                    delete_index(client, index)
        measured: dict[str, Any] = {
            "articles": args.n,
            "samples": len(samples[NEW]),
            "ingest": ingest,
            "duration_per_side_and_round_s": args.duration,
            "rounds": args.rounds,
            "mix_weights": MIX_WEIGHTS,
            "archives": {
                a.name: {
                    "groups": sorted(a.groups),
                    "bodies_identical": a.identical(),
                    "levels": {str(lv): level_report(r) for lv, r in runs[a.name].items()},
                }
                for a in archives
            },
        }
        print_report(measured)
        write_results(result_name("languages", args.tag), measured, client, started)
    return 0


def print_report(measured: dict[str, Any]) -> None:
    ingest = measured["ingest"]
    print(
        f"English ingest, {measured['articles']:,} articles, median of "
        f"{len(ingest[OLD]['runs'])} (ABBA): old {ingest[OLD]['docs_per_s']} docs/s, new "
        f"{ingest[NEW]['docs_per_s']}, new / old {ingest['ratio_new_to_old']} (per pair "
        f"{ingest['ratio_per_pair']}, median {ingest['ratio_median_of_pairs']})"
    )
    for name, archive in measured["archives"].items():
        print_table(
            f"{name} archive, groups {archive['groups'] or 'none'}, same bodies: "
            f"{archive['bodies_identical']}; in pairs, new / old, median of "
            f"{measured['rounds']} rounds (per kind: p50/p95)",
            ["clients", "old p50 ms", "new p50 ms", "p50 x", "p95 x", "per req. x", *MIX_WEIGHTS],
            [
                [level, row["p50_ms"][OLD], row["p50_ms"][NEW], row["p50"], row["p95"],
                 row["per_request"],
                 *(f"{row['by_kind'][k]['p50']:.3f}/{row['by_kind'][k]['p95']:.3f}"
                   for k in MIX_WEIGHTS)]
                for level, row in archive["levels"].items()
            ],
        )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
