"""A scale corpus for benchmarks only: real sentences, titles and entity names, resampled to N.

`python -m bench.corpus --n 100000 --seed 1 --out FILE [--with-entities]` streams NDJSON.

Why resample instead of copying: the real corpora hold 24k articles, the benchmarks need up to
1M, and copies would all fall into clusters of copies and compress unrealistically
well. Each generated article takes, from one real article chosen at random, its paragraph
structure (so lengths follow the real distribution) and from another its Reuters PEOPLE/ORGS/
PLACES tags (so entity counts and names follow the real ones); its sentences are drawn from the
real sentence pool, with one sentence naming each entity, so that the text mentions its entities.
Dates spread uniformly over a span of years. The same seed gives the same bytes.

With `--with-entities` each record carries persons/agencies/locations/countries, and
`article_docs` turns such records into the project's Article documents without the NER model
(prepare -> precomputed enrichment -> to_document), so indexing is measured apart from NER.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import multiprocessing
import random
import re
import sys
import time
from bisect import bisect
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from itertools import accumulate, groupby, islice
from pathlib import Path
from typing import IO, Any

from bench.common import CORPORA_DIR, ROOT, WORK_DIR, log
from bench.entity_profile import PROFILE_PATH, TYPES, EntityDrawer, load_profile
from search.entities.normalize import folding_key
from search.entities.registry import entity_id
from search.fields import CLUSTER_ID
from search.index.bulk import BulkDoc
from search.ingest.enrich import Enrichment
from search.ingest.pipeline import apply_enrichment, to_document
from search.ingest.prepare import Defaults, Prepared, prepare
from search.models import Entity, EntityType, Mention, RawRecord

REAL_CORPORA = ("reuters21578.ndjson.gz", "bbc_news.ndjson.gz")
#: Used when the shared corpora are absent: smaller vocabulary, same shape.
FALLBACK_CORPORA = (
    ROOT / "tests" / "fixtures" / "reuters_sample.ndjson",
    ROOT / "samples" / "wikinews-en.ndjson",
)

_PARAGRAPHS = re.compile(r"\n\s*\n|\n(?=[ \t]{2,}\S)")  # blank line (BBC) or indented line (wire)
_SENTENCES = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'”’]))\s+(?=[A-Z0-9\"'“‘(])")
_TOKENS = re.compile(r"[A-Za-z0-9][A-Za-z0-9.&'-]*[A-Za-z0-9]|[A-Za-z0-9]")
_EXTRA_SURFACES = {
    "United States": ("U.S.",), "United Kingdom": ("Britain", "British"),
    "Soviet Union": ("Soviet",), "West Germany": ("West German",),
    "European Community": ("EC",), "World Bank": (), "United Nations": ("U.N.",),
    "International Coffee Organization": ("ICO",), "International Wheat Council": ("IWC",),
    "Asian Development Bank": ("ADB",), "African Development Bank": ("ADB",),
}  # fmt: skip
ENTITY_SENTENCES_KEPT = 500
#: Made-up names borrow a real sentence naming a real entity of their type: per type, this many.
TEMPLATE_SENTENCES_KEPT = 5000
#: Entity type -> the record field (and Article field) listing its names.
ENTITY_FIELDS: tuple[tuple[EntityType, str], ...] = (
    ("person", "persons"),
    ("agency", "agencies"),
    ("location", "locations"),
    ("group", "groups"),
)


@dataclass
class SourceModel:
    """What one real corpus contributes: its sentences, article shapes, titles and sections."""

    name: str
    sentences: list[str] = field(default_factory=list)
    shapes: list[tuple[int, ...]] = field(default_factory=list)  # sentences per paragraph
    titles: list[str] = field(default_factory=list)
    sections: list[list[str]] = field(default_factory=list)


@dataclass
class CorpusModel:
    sources: list[SourceModel]
    #: What NER and the registry produce per article (bench.entity_profile).
    profile: dict[str, Any]
    #: display name -> (source index, sentence index) of real sentences that name it.
    entity_sentences: dict[str, list[tuple[int, int]]]
    #: entity type -> (source index, sentence index, surface) of sentences naming a real entity
    #: of that type, where a made-up name of the type takes the surface's place.
    templates: dict[str, list[tuple[int, int, str]]]
    origin: str

    def stats(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "sources": {s.name: len(s.shapes) for s in self.sources},
            "sentences": sum(len(s.sentences) for s in self.sources),
            "entity_profile_articles": self.profile["articles"],
            "real_names_with_sentences": len(self.entity_sentences),
        }


def read_ndjson(path: Path) -> Iterator[dict[str, Any]]:
    """Records of an NDJSON file, gzipped or not; blank lines skipped."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def corpus_files() -> tuple[list[Path], str]:
    """The shared corpora when present, else the project's own small samples."""
    shared = [CORPORA_DIR / name for name in REAL_CORPORA]
    if all(path.exists() for path in shared):
        return shared, "shared corpora (Reuters-21578, BBC News)"
    log(
        "the shared corpora are not beside the project; falling back to tests/fixtures and "
        "samples/ (a much smaller vocabulary: figures are not comparable)"
    )
    return [p for p in FALLBACK_CORPORA if p.exists()], "fallback samples"


def real_records(paths: Iterable[Path]) -> Iterator[dict[str, Any]]:
    """Real articles with a body, each tagged with the file it came from."""
    for path in paths:
        for record in read_ndjson(path):
            if (record.get("body") or "").strip() and (record.get("language") or "en") == "en":
                yield {**record, "_file": path.name}


def split_article(body: str) -> list[list[str]]:
    """Paragraphs of sentences, whitespace inside each collapsed (wire copy is hard-wrapped)."""
    paragraphs = []
    for paragraph in _PARAGRAPHS.split(body):
        flat = " ".join(paragraph.split())
        if flat:
            paragraphs.append([s for s in _SENTENCES.split(flat) if len(s) > 2])
    return [p for p in paragraphs if p]


def surfaces(type_: EntityType, name: str) -> tuple[str, ...]:
    """How a text may name the entity: its name, a person's surname, known short forms."""
    forms = [name, *_EXTRA_SURFACES.get(name, ())]
    if type_ == "person" and " " in name:
        forms.append(name.rsplit(" ", 1)[1])
    return tuple(dict.fromkeys(forms))


def _index_entity_sentences(
    sources: list[SourceModel], names: dict[tuple[EntityType, str], None]
) -> tuple[dict[str, list[tuple[int, int]]], dict[str, list[tuple[int, int, str]]]]:
    """Real sentences naming each entity (a token index first, then a substring check), and
    per type sentences whose named entity a made-up name can replace."""
    # last token -> [(type, name, surface)]
    wanted: dict[str, list[tuple[EntityType, str, str]]] = {}
    for type_, name in names:
        for surface in surfaces(type_, name):
            tokens = _TOKENS.findall(surface)
            if tokens:
                wanted.setdefault(tokens[-1], []).append((type_, name, surface))
    found: dict[str, list[tuple[int, int]]] = {}
    templates: dict[str, list[tuple[int, int, str]]] = {}
    for s_index, source in enumerate(sources):
        for n, sentence in enumerate(source.sentences):
            for token in dict.fromkeys(_TOKENS.findall(sentence)):
                for type_, name, surface in wanted.get(token, ()):
                    if surface not in sentence:
                        continue
                    hits = found.setdefault(name, [])
                    if len(hits) < ENTITY_SENTENCES_KEPT and (not hits or hits[-1] != (s_index, n)):
                        hits.append((s_index, n))
                    kept = templates.setdefault(type_, [])
                    if len(kept) < TEMPLATE_SENTENCES_KEPT and surface == name:
                        kept.append((s_index, n, surface))
    return found, templates


def build_model(
    paths: list[Path] | None = None, profile: dict[str, Any] | None = None
) -> CorpusModel:
    """Read the real corpora once into the pools the generator draws from."""
    started = time.monotonic()
    files, origin = (paths, "given files") if paths else corpus_files()
    if not files:
        raise SystemExit("no corpus to learn from: neither the shared corpora nor samples/")
    records = list(real_records(files))
    sources: dict[str, SourceModel] = {}
    for record in records:
        source = sources.setdefault(
            record["_file"], SourceModel(record.get("source") or record["_file"].split(".")[0])
        )
        paragraphs = split_article(record["body"])
        if not paragraphs:
            continue
        for paragraph in paragraphs:
            source.sentences.extend(paragraph)
        source.shapes.append(tuple(len(p) for p in paragraphs))
        if (record.get("title") or "").strip():
            source.titles.append(" ".join(record["title"].split()))
        section = record.get("topics") or record.get("category") or []
        source.sections.append([section] if isinstance(section, str) else list(section))
    pools = [s for s in sources.values() if s.shapes and s.titles]
    profile = profile or load_profile()
    if profile is None:
        raise SystemExit(f"no entity profile: run python -m bench.entity_profile ({PROFILE_PATH})")
    names = {(t, name): None for t in TYPES for name, _ in profile["types"][t]["top"]}
    found, templates = _index_entity_sentences(pools, names)
    model = CorpusModel(pools, profile, found, templates, origin)
    log(f"corpus model from {origin} in {time.monotonic() - started:.1f}s: {model.stats()}")
    return model


class Generator:
    """Draws articles from a model; one instance per output, seeded once. `articles` is the
    size of the whole output: how many distinct names it holds grows with it."""

    def __init__(
        self, model: CorpusModel, seed: int, start_year: int, years: int, articles: int
    ) -> None:
        self.model = model
        self.rng = random.Random(seed)
        self.seed = seed
        self.start = datetime(start_year, 1, 1, tzinfo=UTC).timestamp()
        self.span = datetime(start_year + years, 1, 1, tzinfo=UTC).timestamp() - self.start
        self.weights = list(accumulate(len(s.shapes) for s in model.sources))
        self.entities = EntityDrawer(model.profile, articles)

    def _source(self) -> int:
        return bisect(self.weights, self.rng.random() * self.weights[-1])

    def _naming(self, type_: str, name: str) -> str | None:
        """A real sentence naming the entity; for a made-up name, one naming another of its type
        with the name put in its place."""
        rng, model = self.rng, self.model
        hits = model.entity_sentences.get(name)
        if hits:
            other, sentence = rng.choice(hits)
            return model.sources[other].sentences[sentence]
        templates = model.templates.get(type_)
        if not templates:
            return None
        other, sentence, surface = rng.choice(templates)
        return model.sources[other].sentences[sentence].replace(surface, name, 1)

    def article(self, n: int, *, with_entities: bool) -> dict[str, Any]:
        rng, model = self.rng, self.model
        s_index = self._source()
        source = model.sources[s_index]
        shape = rng.choice(source.shapes)
        total = sum(shape)
        entities = self.entities.draw(rng) if with_entities else {}
        picked: list[str] = []
        for type_, _ in ENTITY_FIELDS:
            for name in entities.get(type_, ()):
                if len(picked) >= max(1, total // 2):
                    break
                naming = self._naming(type_, name)
                if naming:
                    picked.append(naming)
        while len(picked) < total:
            picked.append(rng.choice(source.sentences))
        rng.shuffle(picked)
        paragraphs, at = [], 0
        for size in shape:
            paragraphs.append(" ".join(picked[at : at + size]))
            at += size
        published = datetime.fromtimestamp(self.start + rng.random() * self.span, tz=UTC)
        record: dict[str, Any] = {
            "id": f"s{self.seed}-{n:07d}",
            "source": source.name,
            "title": rng.choice(source.titles),
            "published_at": published.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "language": "en",
            "section": rng.choice(source.sections),
            "body": "\n\n".join(paragraphs),
        }
        if with_entities:
            for type_, key in ENTITY_FIELDS:
                record[key] = entities[type_]
            record["countries"] = entities["countries"]
        return record


def _open_out(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        raw = gzip.GzipFile(path, "wb", mtime=0)  # no timestamp: same seed, same bytes
        return io.TextIOWrapper(raw, encoding="utf-8")
    return path.open("w", encoding="utf-8")


def generate(
    out: Path,
    n: int,
    *,
    seed: int = 1,
    with_entities: bool = False,
    start_year: int = 2000,
    years: int = 25,
    model: CorpusModel | None = None,
) -> dict[str, Any]:
    """Write N articles to `out` (via a .part file, so a half-written corpus is never reused)."""
    started = time.monotonic()
    model = model or build_model()
    generator = Generator(model, seed, start_year, years, n)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    with _open_out(partial) as sink:
        for i in range(n):
            sink.write(json.dumps(generator.article(i, with_entities=with_entities)) + "\n")
            if (i + 1) % 100_000 == 0:
                log(f"generated {i + 1:,} of {n:,} articles")
    partial.replace(out)
    return {
        "articles": n,
        "seed": seed,
        "with_entities": with_entities,
        "bytes": out.stat().st_size,
        "seconds": round(time.monotonic() - started, 1),
        "model": model.stats(),
    }


def ensure_corpus(n: int, seed: int = 1, *, with_entities: bool = True) -> Path:
    """A generated corpus in bench/results/tmp, made once and reused by later runs."""
    suffix = "-ner" if with_entities else ""
    path = WORK_DIR / f"corpus-{n}-s{seed}{suffix}.ndjson"
    if not path.exists():
        log(f"generating {n:,} articles into {path.relative_to(ROOT)}")
        generate(path, n, seed=seed, with_entities=with_entities)
    return path


def read_records(path: Path, limit: int | None = None) -> Iterator[dict[str, Any]]:
    for n, record in enumerate(read_ndjson(path)):
        if limit is not None and n >= limit:
            return
        yield record


def _is_word_char(text: str, at: int) -> bool:
    return 0 <= at < len(text) and (text[at].isalnum() or text[at] == "_")


def _mentions(body: str, type_: EntityType, name: str) -> list[Mention]:
    """Where the body names the entity, as whole words. Plain `find`, not a regex per name:
    a scale corpus holds hundreds of thousands of names and compiling each cost 8 ms a doc."""
    found: list[Mention] = []
    for surface in surfaces(type_, name):
        at = body.find(surface)
        while at >= 0:
            end = at + len(surface)
            if not _is_word_char(body, at - 1) and not _is_word_char(body, end):
                found.append(Mention(start=at, end=end, text=surface))
                if len(found) >= 20:
                    return found
            at = body.find(surface, at + 1)
    return sorted(found, key=lambda m: m.start)


def _country(name: str, countries: Sequence[str], n: int) -> str | None:
    """A location's country: itself when it is one, else one of the article's countries."""
    if name in countries:
        return name
    return countries[n % len(countries)] if countries else None


def precomputed_enrichment(record: dict[str, Any], body: str) -> Enrichment:
    """The Enrichment NER and the registry would have produced, from the record's own entity
    lists: every name with its registry id and its mentions in the text."""
    entities: list[Entity] = []
    countries = list(record.get("countries", []))
    for type_, key in ENTITY_FIELDS:
        for n, name in enumerate(record.get(key, [])):
            entity_key = folding_key(name)
            entities.append(
                Entity(
                    type=type_,
                    name=name,
                    key=entity_key,
                    id=entity_id(type_, entity_key),
                    country=_country(name, countries, n) if type_ == "location" else None,
                    mentions=_mentions(body, type_, name),
                )
            )
    return Enrichment(
        persons=list(record.get("persons", [])),
        agencies=list(record.get("agencies", [])),
        locations=list(record.get("locations", [])),
        countries=countries,
        groups=list(record.get("groups", [])),
        entities=entities,
    )


def article_docs(
    records: Iterable[dict[str, Any]], now: datetime | None = None
) -> Iterator[BulkDoc]:
    """Records with precomputed entities -> the documents the pipeline would send to bulk.

    The same functions as the pipeline (prepare, apply_enrichment, to_document), minus NER.
    """
    now = now or datetime.now(UTC)
    defaults = Defaults()
    for n, record in enumerate(records):
        raw = RawRecord(
            location=f"corpus#{n}",
            id=record.get("id"),
            source=record.get("source"),
            title=record.get("title"),
            published_at=record.get("published_at"),
            language=record.get("language"),
            section=record.get("section") or [],
            body=record.get("body") or "",
        )
        prepared = prepare(raw, defaults, max_body_bytes=5_000_000, now=now)
        if not isinstance(prepared, Prepared):
            continue
        article = apply_enrichment(
            prepared.article, precomputed_enrichment(record, prepared.article.body)
        )
        yield BulkDoc(article.id, to_document(article), ref=raw.location)


# --- near-duplicate copies ------------------------------------------------------------------------
#
# A real archive holds the same story several times (wire copy taken by several outlets,
# republished with a sentence cut), and grouping by cluster costs what it costs because of them.
# The copies are made when the corpus is loaded, not when it is generated, so the corpus files
# stay byte for byte what they were and every benchmark that does not group reads them as before.

#: Share of the articles that are copies of another one (the lead of their cluster).
COPY_SHARE = 0.15
#: Sizes of a cluster, its lead included; smaller clusters are commoner (weight 1 / copies).
CLUSTER_SIZES = tuple(range(2, 11))


def cluster_runs(n: int, seed: int, share: float = COPY_SHARE) -> list[int]:
    """How N consecutive articles fall into clusters: run lengths adding up to N, 1 for an
    article that stands alone. Exactly round(N * share) articles are copies (every member of a
    run but its first); the same seed gives the same runs."""
    rng = random.Random(f"clusters-{seed}")
    copies = round(n * share)
    weights = [1 / (size - 1) for size in CLUSTER_SIZES]
    clusters: list[int] = []
    while copies > 0:
        size = min(rng.choices(CLUSTER_SIZES, weights)[0], copies + 1)
        clusters.append(size)
        copies -= size - 1
    singles = n - sum(clusters)
    if singles < 0:
        raise ValueError(f"a copy share of {share} does not fit in {n} articles")
    runs = clusters + [1] * singles
    rng.shuffle(runs)
    return runs


def cluster_stats(runs: Sequence[int]) -> dict[str, Any]:
    """What a set of runs makes: articles, clusters of two or more, copies, sizes."""
    clusters = [size for size in runs if size > 1]
    return {
        "articles": sum(runs),
        "clusters": len(clusters),
        "articles_in_clusters": sum(clusters),
        "copies": sum(clusters) - len(clusters),
        "distinct_cluster_ids": len(runs),
        "largest_cluster": max(clusters, default=1),
        "sizes": dict(sorted(Counter(clusters).items())),
    }


def _near_copy(body: str, rng: random.Random) -> str:
    """The lead's text with one sentence (never the first) cut, as a republication trims it."""
    paragraphs = [_SENTENCES.split(p) for p in body.split("\n\n")]
    places = [(i, j) for i, p in enumerate(paragraphs) for j in range(len(p)) if (i, j) != (0, 0)]
    if len(places) < 2:
        return body
    i, j = rng.choice(places)
    del paragraphs[i][j]
    return "\n\n".join(" ".join(p) for p in paragraphs if p)


def with_copies(
    records: Iterable[dict[str, Any]], runs: Iterable[int], seed: int
) -> Iterator[dict[str, Any]]:
    """The records, each run of more than one turned into a cluster: its first record is the
    lead, the others become near-copies of it (its title, section, entities and text less one
    sentence, published minutes to two days later) under their own id and source. Every
    record carries `cluster`, its lead's record id (its own when it stands alone)."""
    rng = random.Random(f"copies-{seed}")
    stream = iter(records)
    for size in runs:
        members = list(islice(stream, size))
        if len(members) < size:
            raise ValueError("the runs cover more articles than the records hold")
        lead = members[0]
        yield {**lead, "cluster": lead["id"]}
        published = datetime.fromisoformat(lead["published_at"].replace("Z", "+00:00"))
        for own in members[1:]:
            later = published + timedelta(seconds=rng.uniform(300, 2 * 86_400))
            yield {
                **lead,
                "id": own["id"],
                "source": own["source"],
                "published_at": later.isoformat(timespec="seconds").replace("+00:00", "Z"),
                "body": _near_copy(lead["body"], rng),
                "cluster": lead["id"],
            }


def clustered_docs(
    records: Iterable[dict[str, Any]], now: datetime | None = None
) -> Iterator[BulkDoc]:
    """`article_docs` for records marked by `with_copies`: every document carries `cluster_id`,
    the smallest article id of its cluster (its own id when it stands alone), as clustering at
    ingest labels them."""
    now = now or datetime.now(UTC)
    for _, members in groupby(records, key=lambda r: r.get("cluster", r["id"])):
        docs = list(article_docs(members, now))
        cluster_id = min((doc.id for doc in docs), default="")
        for doc in docs:
            doc.source[CLUSTER_ID] = cluster_id
            yield doc


def _cluster_chunks(records: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    """Runs of about `size` records, never cutting a cluster in two."""
    chunk: list[dict[str, Any]] = []
    for record in records:
        starts = record.get("cluster", record["id"]) == record["id"]
        if len(chunk) >= size and starts:
            yield chunk
            chunk = []
        chunk.append(record)
    if chunk:
        yield chunk


def _docs_of(chunk: list[dict[str, Any]], now: datetime) -> list[BulkDoc]:
    return list(clustered_docs(chunk, now))


def parallel_docs(
    records: Iterable[dict[str, Any]], processes: int = 2, chunk: int = 500
) -> Iterator[BulkDoc]:
    """`clustered_docs` prepared in worker processes, in order, while the caller sends what is
    ready: preparing a document costs as much CPU as indexing it, and one process doing both
    in turn leaves a core idle."""
    now = datetime.now(UTC)
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        prepare_chunk = partial(_docs_of, now=now)
        for docs in pool.imap(prepare_chunk, _cluster_chunks(records, chunk), chunksize=1):
            yield from docs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.corpus", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--n", type=int, required=True, help="articles to write")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="NDJSON file (.gz to compress)")
    parser.add_argument("--with-entities", action="store_true", help="add persons/agencies/...")
    parser.add_argument("--start-year", type=int, default=2000)
    parser.add_argument("--years", type=int, default=25, help="dates spread over this many years")
    args = parser.parse_args(argv)
    report = generate(
        args.out,
        args.n,
        seed=args.seed,
        with_entities=args.with_entities,
        start_year=args.start_year,
        years=args.years,
    )
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
