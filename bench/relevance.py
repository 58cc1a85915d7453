"""Ranking quality on Reuters-21578 judged by its TOPICS labels: `python -m bench.relevance`.

The project's index and search body are measured next to a plain index with OpenSearch's
defaults (dynamic mapping, standard analyzer, `multi_match` over title and body) built in the
same run from the same stories, because a relevance figure means little without a baseline.
Then ranking variants (bench.relevance_variants) are tuned on two thirds of the queries by
coordinate ascent, and the winner is reported on the third kept aside, which tuning never sees.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.helpers import bulk

from bench.common import (
    CORPORA_DIR,
    ROOT,
    bench_settings,
    create_index,
    delete_index,
    log,
    print_table,
    running_node,
    write_results,
)
from bench.relevance_metrics import (
    METRICS,
    RECALL_DEPTH,
    Query,
    Story,
    judgments,
    load_queries,
    mean_scores,
    scores,
)
from bench.relevance_variants import (
    CURRENT,
    DIMENSIONS,
    Bm25,
    Variant,
    similarity_index_body,
    variant_body,
    with_option,
)
from search.ingest.pipeline import to_document
from search.ingest.prepare import Defaults, Prepared, prepare
from search.models import RawRecord
from search.query.builder import build_search_body
from search.query.request import SearchRequest

CORPUS = CORPORA_DIR / "reuters21578.ndjson.gz"
QUERIES = ROOT / "bench" / "relevance_queries.toml"
#: The issue's example: one word, where price tables used to fill the first page.
SHOWCASE = "cocoa"
#: A change must win by this much mean nDCG@10 on the tuning queries to be kept.
MIN_GAIN = 0.005
PASSES = 2
_MSEARCH_BATCH = 20


@dataclass(frozen=True)
class Loaded:
    """The stories as both indexes receive them, and what judging needs of each."""

    project_docs: list[dict[str, Any]]
    stories: dict[str, Story]
    titles: dict[str, str]
    words: dict[str, int]


def read_corpus(path: Path, limit: int | None) -> Loaded:
    """Stories with a body, prepared as the ingest would (cleaning, title, word count) but
    without NER: entity fields stay empty, which the text ranking does not read."""
    now = datetime.now(UTC)
    docs: list[dict[str, Any]] = []
    stories: dict[str, Story] = {}
    titles: dict[str, str] = {}
    words: dict[str, int] = {}
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if not (record.get("body") or "").strip():
                continue
            raw = RawRecord(
                location=f"{path.name}#{record['id']}",
                id=record["id"],
                source=record.get("source"),
                title=record.get("title"),
                published_at=record.get("date"),
                language="en",
                body=record["body"],
            )
            prepared = prepare(raw, Defaults(), max_body_bytes=5_000_000, now=now)
            if not isinstance(prepared, Prepared):
                continue
            article = prepared.article
            docs.append(to_document(article))
            stories[article.id] = Story(tuple(record["topics"]), frozenset(record["places"]))
            titles[article.id] = article.title
            words[article.id] = article.word_count
            if limit is not None and len(docs) >= limit:
                break
    return Loaded(docs, stories, titles, words)


def _actions(index: str, docs: Sequence[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for doc in docs:
        yield {"_index": index, "_id": doc["id"], "_source": doc}


def load(client: OpenSearch, index: str, docs: Sequence[dict[str, Any]]) -> None:
    indexed, errors = bulk(
        client, _actions(index, docs), chunk_size=500, request_timeout=120, raise_on_error=False
    )
    if errors:
        raise RuntimeError(f"{len(errors)} stories failed to index into {index}: {errors[:2]}")
    client.indices.refresh(index=index, request_timeout=120)
    log(f"{index}: {indexed} stories")


def default_docs(docs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same title and body, nothing else: what a plain index of the stories would hold."""
    return [{"id": d["id"], "title": d["title"], "body": d["body"]} for d in docs]


def project_body(q: str) -> dict[str, Any]:
    """The project's real search body; only aggregations, highlighting and source are dropped,
    which do not change the ranking. The query and sort are kept as built."""
    body = build_search_body(SearchRequest(q=q, size=RECALL_DEPTH, sort="relevance", facets=[]))
    return {
        "query": body["query"],
        "sort": body["sort"],
        "size": RECALL_DEPTH,
        "_source": False,
        "track_total_hits": False,
    }


def default_body(q: str) -> dict[str, Any]:
    return {
        "query": {"multi_match": {"query": q, "fields": ["title", "body"]}},
        "size": RECALL_DEPTH,
        "_source": False,
        "track_total_hits": False,
    }


def rankings(client: OpenSearch, index: str, bodies: Sequence[dict[str, Any]]) -> list[list[str]]:
    """The ids each body ranks, in order, through _msearch."""
    ranked: list[list[str]] = []
    for start in range(0, len(bodies), _MSEARCH_BATCH):
        lines: list[dict[str, Any]] = []
        for body in bodies[start : start + _MSEARCH_BATCH]:
            lines.extend(({}, body))
        answer = client.msearch(index=index, body=lines, request_timeout=120)
        for response in answer["responses"]:
            if "error" in response:
                raise RuntimeError(f"search failed on {index}: {response['error']}")
            ranked.append([hit["_id"] for hit in response["hits"]["hits"]])
    return ranked


class Bench:
    """The three indexes of a run and the judged queries; measures a system on a query set."""

    def __init__(self, client: OpenSearch, loaded: Loaded, queries: Sequence[Query]) -> None:
        self.client = client
        self.loaded = loaded
        self.judged = {q.q: judgments(q, loaded.stories) for q in queries}
        self.queries = [q for q in queries if self.judged[q.q]]
        self.indexes: dict[str, str] = {}
        self._bm25: Bm25 | None = None

    def build(self) -> None:
        docs = self.loaded.project_docs
        self.indexes["project"] = create_index(self.client, "relevance-project")
        load(self.client, self.indexes["project"], docs)
        self.indexes["default"] = create_index(self.client, "relevance-default", {})
        load(self.client, self.indexes["default"], default_docs(docs))
        self.indexes["bm25"] = create_index(self.client, "relevance-bm25", similarity_index_body())
        self._bm25 = Bm25()
        load(self.client, self.indexes["bm25"], docs)

    def close(self) -> None:
        for name in self.indexes.values():
            delete_index(self.client, name)

    def _set_bm25(self, wanted: Bm25) -> None:
        if wanted == self._bm25:
            return
        index = self.indexes["bm25"]
        self.client.indices.close(index=index)
        try:
            body = {"index": {"similarity": wanted.settings()}}
            self.client.indices.put_settings(index=index, body=body)
        finally:
            self.client.indices.open(index=index)
            self.client.cluster.health(index=index, wait_for_status="yellow", request_timeout=60)
        self._bm25 = wanted

    def run(self, system: str | Variant, queries: Sequence[Query]) -> list[list[str]]:
        """Rankings of `system`: "default", "project" or a variant of the project's body."""
        if system == "default":
            return rankings(
                self.client, self.indexes["default"], [default_body(q.q) for q in queries]
            )
        variant = CURRENT if system == "project" else system
        assert isinstance(variant, Variant)
        index = self.indexes["project"]
        if variant.bm25 is not None:
            self._set_bm25(variant.bm25)
            index = self.indexes["bm25"]
        bodies = [variant_body(project_body(q.q), variant) for q in queries]
        return rankings(self.client, index, bodies)

    def per_query(self, system: str | Variant, queries: Sequence[Query]) -> list[dict[str, float]]:
        ranked = self.run(system, queries)
        return [scores(r, self.judged[q.q]) for q, r in zip(queries, ranked, strict=True)]

    def measure(self, system: str | Variant, queries: Sequence[Query]) -> dict[str, float]:
        return mean_scores(self.per_query(system, queries))


def _key(figures: Mapping[str, float]) -> tuple[float, float]:
    return (figures["ndcg@10"], figures["p@10"])


def tune(bench: Bench, tuning: Sequence[Query]) -> tuple[Variant, list[dict[str, Any]]]:
    """Coordinate ascent over DIMENSIONS on the tuning queries only: each dimension in turn
    takes its best option with the others held, for PASSES rounds. Returns the winner and
    every measurement made on the way."""
    best = CURRENT
    best_figures = bench.measure(best, tuning)
    tried: list[dict[str, Any]] = [{"variant": best.describe(), **best_figures}]
    seen = {best}
    for round_ in range(PASSES):
        changed = False
        for dimension, options in DIMENSIONS.items():
            for option in options:
                candidate = with_option(best, dimension, option)
                if candidate in seen:
                    continue
                seen.add(candidate)
                figures = bench.measure(candidate, tuning)
                tried.append({"variant": candidate.describe(), **figures})
                log(f"round {round_ + 1} {candidate.describe()}: {figures}")
                if figures["ndcg@10"] >= best_figures["ndcg@10"] + MIN_GAIN:
                    best, best_figures, changed = candidate, figures, True
        if not changed:
            break
    return best, tried


def showcase(bench: Bench, best: Variant) -> dict[str, list[dict[str, Any]]]:
    """The top ten for the issue's query under each system, with what judging knows."""
    query = Query(SHOWCASE, frozenset({SHOWCASE}))
    bench.judged.setdefault(SHOWCASE, judgments(query, bench.loaded.stories))
    out: dict[str, list[dict[str, Any]]] = {}
    for label, system in (("default", "default"), ("project", "project"), ("best", best)):
        ranked = bench.run(system, [query])[0][:10]
        out[label] = [
            {
                "id": sid,
                "title": bench.loaded.titles[sid][:60],
                "words": bench.loaded.words[sid],
                "topics": list(bench.loaded.stories[sid].topics),
            }
            for sid in ranked
        ]
    return out


def ablation(bench: Bench, best: Variant) -> list[dict[str, Any]]:
    """The winner less one of its changes at a time, on both query sets: what each change
    brings on its own. Reported after tuning; nothing here feeds back into the choice."""
    rows: list[dict[str, Any]] = []
    for dimension in DIMENSIONS:
        names = dimension.split("+")
        value = tuple(getattr(CURRENT, n) for n in names)
        if tuple(getattr(best, n) for n in names) == value:
            continue
        without = with_option(best, dimension, value if len(names) > 1 else value[0])
        row: dict[str, Any] = {"without": dimension, "variant": without.describe()}
        for set_name, held in (("tuning", False), ("held-out", True)):
            queries = [q for q in bench.queries if q.held_out == held]
            row[set_name] = bench.measure(without, queries)
        rows.append(row)
    return rows


def report(bench: Bench, best: Variant, tried: list[dict[str, Any]]) -> dict[str, Any]:
    """Every figure of the run, printed as tables and returned for the JSON file."""
    sets = {
        "tuning": [q for q in bench.queries if not q.held_out],
        "held-out": [q for q in bench.queries if q.held_out],
        "all": list(bench.queries),
    }
    # The winner with every word required again: what adopting all but the looser rule for
    # long queries would give, should the newsroom prefer strict matching.
    strict = replace(best, min_match="100%")
    systems: dict[str, str | Variant] = {
        "default": "default",
        "project": "project",
        "best": best,
        "best-and": strict,
    }
    per_query = {label: bench.per_query(system, bench.queries) for label, system in systems.items()}
    summary: dict[str, dict[str, dict[str, float]]] = {}
    rows = []
    for set_name, queries in sets.items():
        summary[set_name] = {}
        for label in systems:
            chosen = [
                s for q, s in zip(bench.queries, per_query[label], strict=True) if q in queries
            ]
            summary[set_name][label] = mean_scores(chosen)
            rows.append([set_name, label, len(queries), *summary[set_name][label].values()])
    title = f"relevance (best = {best.describe()}; best-and = {strict.describe()})"
    print_table(title, ["set", "system", "queries", *METRICS], rows)
    if tried:
        print_table(
            "tuning: variants tried (tuning queries only)",
            ["variant", *METRICS],
            [[t["variant"], *(t[m] for m in METRICS)] for t in tried],
        )
    query_rows = []
    for n, q in enumerate(bench.queries):
        ndcg = [round(per_query[label][n]["ndcg@10"], 3) for label in systems]
        query_rows.append(
            [q.q, "held-out" if q.held_out else "tuning", len(bench.judged[q.q]), *ndcg]
        )
    print_table("nDCG@10 per query", ["query", "set", "relevant", *systems], query_rows)
    removed = ablation(bench, best)
    if removed:
        print_table(
            "the best variant less one change (nDCG@10 and P@10)",
            ["without", "tuning ndcg", "tuning p@10", "held-out ndcg", "held-out p@10"],
            [
                [
                    r["without"],
                    r["tuning"]["ndcg@10"],
                    r["tuning"]["p@10"],
                    r["held-out"]["ndcg@10"],
                    r["held-out"]["p@10"],
                ]
                for r in removed
            ],
        )
    examples = showcase(bench, best)
    for label, top in examples.items():
        print_table(
            f"top ten for '{SHOWCASE}': {label}",
            ["title", "words", "topics"],
            [[t["title"], t["words"], ",".join(t["topics"]) or "-"] for t in top],
        )
    return {
        "summary": summary,
        "best_variant": {"description": best.describe(), **asdict(best)},
        "best_and_variant": {"description": strict.describe(), **asdict(strict)},
        "tried": tried,
        "ablation": removed,
        "per_query": [
            {
                "q": q.q,
                "held_out": q.held_out,
                "relevant": len(bench.judged[q.q]),
                **{label: per_query[label][n] for label in systems},
            }
            for n, q in enumerate(bench.queries)
        ],
        "showcase": {"q": SHOWCASE, **examples},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.relevance", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--limit", type=int, default=None, help="read only the first N stories")
    parser.add_argument("--no-tune", action="store_true", help="measure the current body only")
    args = parser.parse_args(argv)
    if not CORPUS.exists():
        print(f"bench.relevance: {CORPUS} is missing; nothing to measure (skipped).")
        return 0
    started = time.monotonic()
    loaded = read_corpus(CORPUS, args.limit)
    queries = load_queries(QUERIES)
    log(f"{len(loaded.project_docs)} stories, {len(queries)} queries")
    with running_node(bench_settings()) as client:
        bench = Bench(client, loaded, queries)
        try:
            bench.build()
            tuning = [q for q in bench.queries if not q.held_out]
            best, tried = (CURRENT, []) if args.no_tune else tune(bench, tuning)
            figures = report(bench, best, tried)
        finally:
            bench.close()
        held = sum(q.held_out for q in bench.queries)
        write_results(
            "relevance",
            {
                "stories": len(loaded.project_docs),
                "queries": {"tuning": len(bench.queries) - held, "held_out": held},
                "queries_without_relevant_stories": [
                    q.q for q in queries if q not in bench.queries
                ],
                **figures,
            },
            client,
            started,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
