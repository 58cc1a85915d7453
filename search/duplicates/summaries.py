"""What a cluster shows ("12 copies in 9 outlets"), stored on each of its members.

A grouped search returns one member per cluster, and a journalist sees how many copies the story
has, from which outlets, first and last published, counting every member, not only those the
search matched. Computing that at query time costs a second request per page (a third of a plain
search's time); stored with each member, it arrives in the hit itself. So the ingest keeps it:
after a batch is written and made visible, one aggregation summarises every cluster the batch
touched and one update-by-query writes each summary to the members whose stored one differs.
Articles without copies store nothing (a hit without a summary is a cluster of one).

Ingests only add members, so while ingesting a summary is never replaced by a smaller one: of
two ingests growing one cluster at once, the later write cannot undo the earlier's count with an
older view. A cluster shrinks only when a member is taken down or its text changes so that it
leaves; those clusters are summarised without that guard. `newsroom dedupe --summaries` (and
`--reindex`) summarises every cluster of an index anew.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, Final

from opensearchpy import OpenSearch
from pydantic import BaseModel, Field

from search.fields import CLUSTER_ID, COPIES, PUBLISHED_AT, SOURCE

#: Outlets named per cluster; `outlet_count` says how many there are in all.
OUTLETS_SHOWN: Final = 20
#: Clusters summarised per request.
CLUSTERS_PER_REQUEST: Final = 1000

#: Writes a member's summary unless it holds it already; `grow` clusters never get a smaller one.
_WRITE: Final = """
String cluster = ctx._source.cluster_id;
def wanted = params.summaries.get(cluster);
def stored = ctx._source.copies;
boolean grow = !params.shrink.contains(cluster);
if (wanted == null) {
  if (stored == null || grow) { ctx.op = 'noop' } else { ctx._source.remove('copies') }
} else if (stored != null && (stored.equals(wanted) || (grow && stored.count > wanted.count))) {
  ctx.op = 'noop'
} else {
  ctx._source.copies = wanted
}
"""


class Copies(BaseModel):
    """The copies of one story: this article and every other member of its cluster."""

    count: int = Field(description="Articles in the cluster, this one included.")
    outlets: list[str] = Field(default_factory=list, description="Sources, most copies first.")
    outlet_count: int = Field(0, description="Distinct sources in the cluster.")
    first_published: datetime | None = None
    last_published: datetime | None = None


def alone(source: str | None, published_at: datetime | None) -> Copies:
    """The summary of an article with no copies."""
    outlets = [source] if source else []
    return Copies(
        count=1,
        outlets=outlets,
        outlet_count=len(outlets),
        first_published=published_at,
        last_published=published_at,
    )


def _per_cluster() -> dict[str, Any]:
    return {
        "outlets": {"terms": {"field": SOURCE, "size": OUTLETS_SHOWN}},
        "outlet_count": {"cardinality": {"field": SOURCE}},
        "first": {"min": {"field": PUBLISHED_AT}},
        "last": {"max": {"field": PUBLISHED_AT}},
    }


def summary_body(cluster_ids: Collection[str]) -> dict[str, Any]:
    """One request summarising each of `cluster_ids`, every member counted (pure)."""
    clusters = {"terms": {"field": CLUSTER_ID, "size": len(cluster_ids)}, "aggs": _per_cluster()}
    return {
        "size": 0,
        "track_total_hits": False,
        "query": {"terms": {CLUSTER_ID: sorted(cluster_ids)}},
        "aggs": {"clusters": clusters},
    }


def every_cluster_body(after: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One page of every cluster of the index with its summary, in label order (pure)."""
    source = [{"cluster": {"terms": {"field": CLUSTER_ID}}}]
    composite: dict[str, Any] = {"size": CLUSTERS_PER_REQUEST, "sources": source}
    if after is not None:
        composite["after"] = dict(after)
    return {
        "size": 0,
        "track_total_hits": False,
        "aggs": {"clusters": {"composite": composite, "aggs": _per_cluster()}},
    }


def _moment(agg: Mapping[str, Any]) -> datetime | None:
    text = agg.get("value_as_string")
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if isinstance(text, str) else None


def _label(bucket: Mapping[str, Any]) -> str:
    key = bucket["key"]
    return str(key["cluster"] if isinstance(key, Mapping) else key)


def read_summaries(raw: Mapping[str, Any]) -> dict[str, Copies]:
    """Cluster id -> its summary, from a `summary_body` or `every_cluster_body` answer."""
    found: dict[str, Copies] = {}
    for bucket in raw.get("aggregations", {}).get("clusters", {}).get("buckets", []):
        outlets = [str(b["key"]) for b in bucket["outlets"]["buckets"]]
        found[_label(bucket)] = Copies(
            count=int(bucket["doc_count"]),
            outlets=outlets,
            outlet_count=max(int(bucket["outlet_count"]["value"]), len(outlets)),
            first_published=_moment(bucket["first"]),
            last_published=_moment(bucket["last"]),
        )
    return found


def stored(source: Mapping[str, Any]) -> Copies | None:
    """The summary a member holds, if its cluster has more than it."""
    found = source.get(COPIES)
    return Copies.model_validate(found) if isinstance(found, Mapping) else None


def write_body(
    summaries: Mapping[str, Copies], clusters: Collection[str], shrink: Collection[str] = ()
) -> dict[str, Any]:
    """The update-by-query writing `summaries` to the members of `clusters` (pure).

    Only members that may need a change are visited: those of clusters with copies, and those
    holding a summary although their cluster (now) has none."""
    several = {c: s for c, s in summaries.items() if s.count > 1 and c in clusters}
    query = {
        "bool": {
            "filter": [{"terms": {CLUSTER_ID: sorted(clusters)}}],
            "should": [
                {"terms": {CLUSTER_ID: sorted(several)}},
                {"exists": {"field": f"{COPIES}.count"}},
            ],
            "minimum_should_match": 1,
        }
    }
    params = {
        "summaries": {c: s.model_dump(mode="json") for c, s in several.items()},
        "shrink": sorted(shrink),
    }
    return {"query": query, "script": {"lang": "painless", "source": _WRITE, "params": params}}


def _chunks(items: Iterable[str], size: int) -> Iterator[list[str]]:
    chunk: list[str] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def summarise(
    client: OpenSearch,
    index: str,
    clusters: Collection[str],
    *,
    shrink: Collection[str] = (),
    refresh: bool = False,
) -> int:
    """Write the current summary of each of `clusters` to its members; returns how many
    members changed. The members must be visible to search (refreshed) already; `refresh`
    makes the new summaries visible before returning."""
    changed = 0
    for chunk in _chunks(sorted(set(clusters) | set(shrink)), CLUSTERS_PER_REQUEST):
        found = read_summaries(client.search(index=index, body=summary_body(chunk)))
        changed += _write(client, index, found, chunk, [c for c in chunk if c in shrink], refresh)
    return changed


def _write(
    client: OpenSearch,
    index: str,
    summaries: Mapping[str, Copies],
    clusters: Collection[str],
    shrink: Collection[str],
    refresh: bool,
) -> int:
    done = client.update_by_query(
        index=index,
        body=write_body(summaries, clusters, shrink),
        params={"conflicts": "proceed", "refresh": "true" if refresh else "false"},
    )
    return int(done.get("updated", 0)) + int(done.get("deleted", 0))


def summarise_all(client: OpenSearch, index: str) -> int:
    """Summarise every cluster of the index anew (a smaller summary replaces a larger one);
    returns how many members changed."""
    client.indices.refresh(index=index)
    changed = 0
    after: Mapping[str, Any] | None = None
    while True:
        raw = client.search(index=index, body=every_cluster_body(after))
        found = read_summaries(raw)
        if found:
            labels = list(found)
            changed += _write(client, index, found, labels, labels, refresh=False)
        after = raw.get("aggregations", {}).get("clusters", {}).get("after_key")
        if after is None or not found:
            break
    client.indices.refresh(index=index)
    return changed
