"""What NER and the registry really produce per article, measured on an ingested real archive.

`python -m bench.entity_profile --index NAME` reads every article of an index built by
`newsroom ingest` over the real corpora (Reuters-21578 and BBC News, with NER) and writes
`bench/results/entity-profile.json`: per entity type the names per article, the distinct names
and how they grow with the archive (Heaps' law, fitted on nested random subsets), the
rank-frequency slope (Zipf), and the most frequent names. `bench.corpus` draws a scale corpus's
entities from this profile, so facet aggregations at 1M face the dictionaries and per-article
counts a real archive has, not the sparse human tags (1.25 per article over 293 names).

The profile is a committed result, so generating a corpus does not need a 15-minute NER ingest;
run this again after a change to extraction or resolution.
"""

from __future__ import annotations

import argparse
import json
import math
import random
from bisect import bisect
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

import numpy as np
from opensearchpy import OpenSearch, helpers

from bench.common import RESULTS_DIR, log
from search.entities.resolution import FACET_FIELDS
from search.fields import IDENTITY_SEPARATOR
from search.index.client import node_urls
from search.models import EntityType
from search.settings import Settings

PROFILE_PATH = RESULTS_DIR / "entity-profile.json"
TYPES: tuple[EntityType, ...] = ("person", "agency", "location", "group")
#: Names per type kept in the profile (the head the generator reuses by name).
TOP_NAMES = 1500
#: Archive sizes at which distinct names are counted for the Heaps fit.
HEAPS_SIZES = (1000, 2000, 4000, 8000, 16000)
#: Ranks whose frequency is at least this enter the Zipf fit (the hapax tail of a small sample
#: is flat by sampling, not by nature).
ZIPF_MIN_FREQUENCY = 3


def heaps_fit(points: Sequence[tuple[int, int]]) -> tuple[float, float]:
    """(K, beta) of distinct = K * n**beta, least squares in log-log."""
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(d) for _, d in points]
    beta, log_k = np.polyfit(xs, ys, 1)
    return float(math.exp(log_k)), float(beta)


def zipf_fit(frequencies: Sequence[int]) -> float:
    """The exponent s of frequency ~ rank**-s over the ranks with enough occurrences."""
    ranked = sorted(frequencies, reverse=True)
    points = [(r, f) for r, f in enumerate(ranked, 1) if f >= ZIPF_MIN_FREQUENCY]
    if len(points) < 3:
        return 1.0
    slope, _ = np.polyfit([math.log(r) for r, _ in points], [math.log(f) for _, f in points], 1)
    return float(-slope)


def expected_distinct(s: float, names: int, draws: float) -> float:
    """Distinct names seen after `draws` Zipf(s) draws over `names` ranks (Poisson estimate)."""
    weights = np.arange(1, names + 1, dtype=np.float64) ** -s
    p = weights / weights.sum()
    return float(np.sum(-np.expm1(-draws * p)))


def names_for(s: float, draws: float, distinct: float, *, floor: int, ceiling: int) -> int:
    """How many ranks a Zipf(s) vocabulary needs so that `draws` draws see `distinct` names."""
    low, high = floor, ceiling
    if expected_distinct(s, high, draws) < distinct:
        return high
    while high - low > max(1, low // 200):
        middle = (low + high) // 2
        if expected_distinct(s, middle, draws) < distinct:
            low = middle
        else:
            high = middle
    return high


def _facet_names(values: Iterable[str]) -> list[str]:
    return [v.split(IDENTITY_SEPARATOR, 1)[1] for v in values if IDENTITY_SEPARATOR in v]


def read_articles(client: OpenSearch, index: str) -> list[dict[str, list[str]]]:
    """Every article's canonical names per type and its countries."""
    fields = [*FACET_FIELDS.values(), "countries"]
    out = []
    for hit in helpers.scan(client, index=index, _source_includes=fields, size=2000):
        source = hit["_source"]
        row: dict[str, list[str]] = {
            t: _facet_names(source.get(FACET_FIELDS[t], [])) for t in TYPES
        }
        row["countries"] = list(source.get("countries", []))
        out.append(row)
    return out


def _spread(values: Sequence[int]) -> dict[str, float]:
    ordered = sorted(values)

    def at(p: float) -> int:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))]

    return {
        "mean": round(sum(ordered) / len(ordered), 3),
        "p50": at(0.5),
        "p90": at(0.9),
        "p99": at(0.99),
        "max": ordered[-1],
    }


def _heaps_points(articles: Sequence[dict[str, list[str]]], key: str) -> list[tuple[int, int]]:
    order = list(range(len(articles)))
    random.Random(7).shuffle(order)
    seen: set[str] = set()
    points, sizes = [], [s for s in HEAPS_SIZES if s < len(articles)] + [len(articles)]
    for n, i in enumerate(order, 1):
        seen.update(articles[i][key])
        if n in sizes:
            points.append((n, len(seen)))
    return points


def measure(articles: Sequence[dict[str, list[str]]]) -> dict[str, Any]:
    """The profile of a list of articles (as `read_articles` gives them)."""
    types: dict[str, Any] = {}
    for type_ in TYPES:
        frequency = Counter(name for a in articles for name in a[type_])
        points = _heaps_points(articles, type_)
        k, beta = heaps_fit(points) if frequency else (0.0, 0.0)
        types[type_] = {
            "per_article": _spread([len(a[type_]) for a in articles]),
            "distinct": len(frequency),
            "heaps_points": points,
            "heaps_k": round(k, 4),
            "heaps_beta": round(beta, 4),
            "zipf_s": round(zipf_fit(list(frequency.values())), 4),
            "top": [[name, count] for name, count in frequency.most_common(TOP_NAMES)],
        }
    counts = Counter(tuple(len(a[t]) for t in TYPES) for a in articles)
    countries = Counter(c for a in articles for c in a["countries"])
    return {
        "articles": len(articles),
        "entities_per_article": _spread([sum(len(a[t]) for t in TYPES) for a in articles]),
        "types": types,
        "count_tuples": [[*tuple_, n] for tuple_, n in counts.most_common()],
        "countries_per_article": _spread([len(a["countries"]) for a in articles]),
        "country_counts": sorted(Counter(len(a["countries"]) for a in articles).items()),
        "countries": [[name, count] for name, count in countries.most_common()],
    }


# --- drawing entities for a generated corpus ------------------------------------------------


@dataclass(frozen=True)
class TypeVocabulary:
    """One entity type's names at a target archive size: real names first, then made-up ones."""

    type: EntityType
    real: tuple[str, ...]
    taken: frozenset[str]
    cumulative: tuple[float, ...]
    pieces: tuple[tuple[str, ...], tuple[str, ...]]

    @property
    def size(self) -> int:
        return len(self.cumulative)

    def name(self, rank: int) -> str:
        """The name at a rank (0-based): a real one in the head, a composed one beyond, never
        equal to a real one (a middle initial tells them apart)."""
        if rank < len(self.real):
            return self.real[rank]
        first, second = self.pieces
        i = rank - len(self.real)
        a, b = first[i % len(first)], second[(i // len(first)) % len(second)]
        lap = i // (len(first) * len(second))
        suffix = f" {_roman(lap + 1)}" if lap else ""
        if self.type == "agency":
            a, b = b, a
        composed = f"{a} {b}{suffix}"
        for initial in _INITIALS:
            if composed not in self.taken:
                break
            composed = f"{a} {initial}. {b}{suffix}"
        return composed

    def draw(self, rng: random.Random) -> str:
        return self.name(bisect(self.cumulative, rng.random() * self.cumulative[-1]))


_INITIALS = "ABCDEFGHIJKLMNOPRSTW"


def _roman(n: int) -> str:
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, letters in numerals:
        while n >= value:
            out, n = out + letters, n - value
    return out


def _pieces(type_: EntityType, names: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Parts real names of the type are made of, to compose unseen ones that look like them:
    first names and surnames; an organisation's last word (Bank, Ministry) and the words
    before it; the words of place names."""
    firsts: list[str] = []
    rests: list[str] = []
    for name in names:
        words = name.split()
        if len(words) < 2 or not all(w[:1].isupper() for w in words):
            continue
        if type_ == "agency":
            firsts.append(words[-1])
            rests.append(" ".join(words[:-1]))
        else:
            firsts.append(words[0])
            rests.append(words[-1])
    first = tuple(dict.fromkeys(firsts)) or ("North",)
    rest = tuple(dict.fromkeys(rests)) or ("Hill",)
    return first, rest


def vocabulary(profile: dict[str, Any], type_: EntityType, articles: int) -> TypeVocabulary:
    """The type's names for an archive of `articles`: as many as Heaps' law fitted on the real
    archive predicts will be seen, drawn with the real Zipf slope."""
    measured = profile["types"][type_]
    real = tuple(name for name, _ in measured["top"])
    draws = measured["per_article"]["mean"] * articles
    target = measured["heaps_k"] * articles ** measured["heaps_beta"]
    floor = max(len(real), 1)
    size = names_for(measured["zipf_s"], draws, target, floor=floor, ceiling=2_000_000)
    weights = (r ** -measured["zipf_s"] for r in range(1, size + 1))
    cumulative = tuple(accumulate(weights))
    return TypeVocabulary(type_, real, frozenset(real), cumulative, _pieces(type_, real))


class EntityDrawer:
    """Draws an article's names per type and its countries, as the profile says they go."""

    def __init__(self, profile: dict[str, Any], articles: int) -> None:
        self.vocabularies = {t: vocabulary(profile, t, articles) for t in TYPES}
        tuples = profile["count_tuples"]
        self.tuples = [tuple(row[:-1]) for row in tuples]
        self.tuple_weights = list(accumulate(row[-1] for row in tuples))
        self.countries = [name for name, _ in profile["countries"]]
        self.country_weights = list(accumulate(count for _, count in profile["countries"]))
        self.country_counts = [n for n, _ in profile["country_counts"]]
        self.country_count_weights = list(accumulate(c for _, c in profile["country_counts"]))

    def sizes(self) -> dict[str, int]:
        return {t: v.size for t, v in self.vocabularies.items()}

    def _pick(self, rng: random.Random, weights: Sequence[float]) -> int:
        return bisect(weights, rng.random() * weights[-1])

    def draw(self, rng: random.Random) -> dict[str, list[str]]:
        counts = self.tuples[self._pick(rng, self.tuple_weights)]
        out: dict[str, list[str]] = {}
        for type_, count in zip(TYPES, counts, strict=True):
            names: dict[str, None] = {}
            for _ in range(count * 3):
                if len(names) == count:
                    break
                names[self.vocabularies[type_].draw(rng)] = None
            out[type_] = list(names)
        wanted = self.country_counts[self._pick(rng, self.country_count_weights)]
        countries: dict[str, None] = {}
        for _ in range(wanted * 3):
            if len(countries) == wanted:
                break
            countries[self.countries[self._pick(rng, self.country_weights)]] = None
        out["countries"] = list(countries)
        return out


def load_profile() -> dict[str, Any] | None:
    if not PROFILE_PATH.exists():
        return None
    loaded: dict[str, Any] = json.loads(PROFILE_PATH.read_text(encoding="utf-8"))
    return loaded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.entity_profile", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--index", required=True, help="an index ingested from the real corpora")
    parser.add_argument("--at", type=int, default=1_000_000, help="archive size to project to")
    args = parser.parse_args(argv)
    settings = Settings()
    client = OpenSearch(hosts=node_urls(settings), timeout=120)
    articles = read_articles(client, args.index)
    profile = measure(articles)
    drawer = EntityDrawer(profile, args.at)
    profile["projected"] = {"articles": args.at, "names": drawer.sizes()}
    PROFILE_PATH.write_text(json.dumps(profile, ensure_ascii=False) + "\n", encoding="utf-8")
    log(f"profile of {len(articles):,} articles written to {PROFILE_PATH.name}")
    for type_ in TYPES:
        t = profile["types"][type_]
        log(
            f"{type_}: {t['per_article']['mean']} per article, {t['distinct']:,} distinct, "
            f"Heaps beta {t['heaps_beta']}, Zipf s {t['zipf_s']}, "
            f"at {args.at:,}: {profile['projected']['names'][type_]:,} names"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
