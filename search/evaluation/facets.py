"""Facet quality over an index: precision of the top values against hand-written labels, and
recall of Reuters-21578's human PEOPLE and ORGS tags by identity.

Labels are JSON, one file per archive: `{"person": {"Ronald Reagan": "ok", "Revs": "junk"}}`,
each top value judged `ok` (a real entity of that type, named as a journalist would) or
anything else (`junk`, `wrong-type`, `fragment`, `duplicate`), with the reason. A top value
without a label counts against precision, so the figure never flatters an unjudged index.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from opensearchpy import OpenSearch

from search.entities import store
from search.entities.registry import RegistryEntity, RegistryView
from search.entities.resolution import FACET_FIELDS, ID_FIELDS, mention_key
from search.fields import IDENTITY_SEPARATOR
from search.models import EntityType

FACETS: Final[tuple[EntityType, ...]] = ("person", "agency", "location")
#: Reuters-21578's tag vocabularies and the entity type each names.
TAG_TYPES: Final[dict[str, EntityType]] = {"people": "person", "orgs": "agency"}


@dataclass(frozen=True)
class TopValue:
    name: str
    count: int
    label: str | None


@dataclass(frozen=True)
class Precision:
    facet: str
    top: list[TopValue]

    @property
    def value(self) -> float:
        return sum(v.label == "ok" for v in self.top) / len(self.top) if self.top else 0.0

    @property
    def unjudged(self) -> list[str]:
        return [v.name for v in self.top if v.label is None]


def top_values(client: OpenSearch, index: str, type_: EntityType, n: int) -> list[tuple[str, int]]:
    """The facet's top `n` values (canonical names) with their article counts."""
    body = {"size": 0, "aggs": {"top": {"terms": {"field": FACET_FIELDS[type_], "size": n}}}}
    raw = client.search(index=index, body=body)
    return [
        (str(b["key"]).partition(IDENTITY_SEPARATOR)[2], int(b["doc_count"]))
        for b in raw["aggregations"]["top"]["buckets"]
    ]


def precision(values: Iterable[tuple[str, int]], labels: dict[str, str], facet: str) -> Precision:
    return Precision(facet, [TopValue(name, count, labels.get(name)) for name, count in values])


@dataclass(frozen=True)
class Recall:
    vocabulary: str
    tagged: int
    found: int
    missed: dict[str, int]

    @property
    def value(self) -> float:
        return self.found / self.tagged if self.tagged else 0.0


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def tag_identity(tag: str, type_: EntityType, view: RegistryView) -> str | None:
    """The identity a Reuters tag ("james-baker", "volcker", "ec") names in the registry,
    resolved the way ingest resolves a mention of that name."""
    found = view.resolve(type_, mention_key(tag.replace("-", " "), type_))
    return found.id if isinstance(found, RegistryEntity) else None


def tag_recall(
    client: OpenSearch, index: str, records: Iterable[dict[str, Any]], source_prefix: str
) -> list[Recall]:
    """Of the (story, tag) pairs Reuters' editors assigned, how many the story's entities hold,
    compared by identity: the tag resolved through the registry, the story's stored ids."""
    registry = store.registry_alias(index)
    tagged = [r for r in records if any(r.get(v) for v in TAG_TYPES)]
    results = []
    for vocabulary, type_ in TAG_TYPES.items():
        tags = sorted({t for r in tagged for t in r.get(vocabulary, [])})
        keys = {mention_key(t.replace("-", " "), type_) for t in tags}
        view = store.view_for_keys(client, registry, keys)
        identity = {t: tag_identity(t, type_, view) for t in tags}
        stories = [r for r in tagged if r.get(vocabulary)]
        ids = {f"{source_prefix}-{r['id']}": r for r in stories}
        stored = _stored_ids(client, index, list(ids), ID_FIELDS[type_])
        found = 0
        missed: dict[str, int] = {}
        for article_id, record in ids.items():
            held = stored.get(article_id, set())
            for tag in record[vocabulary]:
                if identity[tag] is not None and identity[tag] in held:
                    found += 1
                else:
                    missed[tag] = missed.get(tag, 0) + 1
        total = sum(len(r[vocabulary]) for r in stories)
        results.append(Recall(vocabulary, total, found, missed))
    return results


def _stored_ids(client: OpenSearch, index: str, ids: list[str], field: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for i in range(0, len(ids), 1000):
        raw = client.mget(index=index, body={"ids": ids[i : i + 1000]}, _source_includes=field)
        for doc in raw["docs"]:
            if doc.get("found"):
                out[doc["_id"]] = set(doc["_source"].get(field) or [])
    return out


def report(
    client: OpenSearch,
    index: str,
    labels_path: Path,
    *,
    top: int = 50,
    tagged: Path | None = None,
    source_prefix: str = "reuters",
) -> dict[str, Any]:
    """Everything `newsroom eval facets` prints, as one JSON-able dict."""
    labels: dict[str, dict[str, str]] = json.loads(labels_path.read_text(encoding="utf-8"))
    out: dict[str, Any] = {"index": index, "labels": labels_path.name, "top": top}
    for facet in FACETS:
        result = precision(top_values(client, index, facet, top), labels.get(facet, {}), facet)
        out[facet] = {
            "precision": round(result.value, 3),
            "unjudged": result.unjudged,
            "not_ok": [f"{v.name} ({v.label})" for v in result.top if v.label not in (None, "ok")],
            "values": [[v.name, v.count] for v in result.top],
        }
    if tagged is not None:
        for recall in tag_recall(client, index, read_records(tagged), source_prefix):
            worst = sorted(recall.missed.items(), key=lambda kv: -kv[1])[:15]
            out[f"recall_{recall.vocabulary}"] = {
                "recall": round(recall.value, 3),
                "tagged": recall.tagged,
                "found": recall.found,
                "most_missed": worst,
            }
    return out
