"""Copies grouped: one hit per near-duplicate cluster, and what each cluster holds. Pure.

A grouped result lists each cluster once, at the place of its best-ranked matching member,
which stands for it (OpenSearch's field collapsing). Collapsing cannot follow a
`search_after` in any order but the cluster's own, so cursor pages after the first read the
plain order and keep a hit only where it is its cluster's best matching member, which one
collapsed request over those clusters tells (`best_members_body`). A cluster whose best
member came before the cursor was on an earlier page; one whose best member comes later
waits for it. So the pages have no duplicates and no gaps, in any order.

What a cluster shows (`Copies`: how many, which outlets, first and last published) counts all
of its members, not only those matching the search: "12 copies in 9 outlets" is a fact about
the story.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final, TypeVar

from pydantic import BaseModel, Field

from search.fields import CLUSTER_ID, ID, PUBLISHED_AT, SOURCE

#: Outlets named per cluster; `outlet_count` says how many there are in all.
OUTLETS_SHOWN: Final = 20
#: Exact distinct counts below this many clusters (OpenSearch's highest precision threshold).
GROUP_COUNT_PRECISION: Final = 40_000
#: Name of the aggregation counting the clusters a search matches.
GROUPS_AGG: Final = "groups"


class Copies(BaseModel):
    """The copies of one story: this article and every other member of its cluster."""

    count: int = Field(description="Articles in the cluster, this one included.")
    outlets: list[str] = Field(default_factory=list, description="Sources, most copies first.")
    outlet_count: int = Field(0, description="Distinct sources in the cluster.")
    first_published: datetime | None = None
    last_published: datetime | None = None


def collapse() -> dict[str, Any]:
    """One hit per cluster: its best member in the request's order."""
    return {"field": CLUSTER_ID}


def group_count(selections: list[dict[str, Any]]) -> dict[str, Any]:
    """How many clusters match, under the facet selections (which narrow hits, not aggs)."""
    scope = {"bool": {"filter": selections}} if selections else {"match_all": {}}
    count = {"cardinality": {"field": CLUSTER_ID, "precision_threshold": GROUP_COUNT_PRECISION}}
    return {"filter": scope, "aggs": {"n": count}}


def read_group_count(aggregations: Mapping[str, Any]) -> int | None:
    found = aggregations.get(GROUPS_AGG, {}).get("n", {}).get("value")
    return int(found) if isinstance(found, int | float) else None


def cluster_of(hit: Mapping[str, Any]) -> str:
    """A hit's cluster; an article indexed before clustering stands alone."""
    source = hit.get("_source", {})
    return str(source.get(CLUSTER_ID) or source.get(ID) or hit.get("_id"))


def best_members_body(search_body: Mapping[str, Any], cluster_ids: Sequence[str]) -> dict[str, Any]:
    """The body asking which member of each of `cluster_ids` ranks first for this search.

    Built from the page's own body so the query, the selections and the order are the same;
    the cluster filter only narrows (filters do not score), so ranks agree with the page's."""
    body = {k: v for k, v in search_body.items() if k in ("sort", "pit")}
    narrowed = [{"terms": {CLUSTER_ID: list(cluster_ids)}}]
    if "post_filter" in search_body:
        narrowed.append(search_body["post_filter"])
    body["query"] = {"bool": {"must": [search_body["query"]], "filter": narrowed}}
    body.update(collapse=collapse(), size=len(cluster_ids), _source=[CLUSTER_ID, ID])
    body["track_total_hits"] = False
    return body


def best_members(raw: Mapping[str, Any]) -> set[str]:
    """Ids of the articles standing for their clusters in a `best_members_body` answer."""
    return {str(hit["_id"]) for hit in raw.get("hits", {}).get("hits", [])}


HitT = TypeVar("HitT", bound=Mapping[str, Any])


def first_of_each_cluster(
    hits: Iterable[HitT], best: set[str], shown: set[str] | None = None
) -> list[HitT]:
    """The hits that stand for their clusters, once per cluster, in order."""
    shown = set() if shown is None else shown
    kept = []
    for hit in hits:
        cluster = cluster_of(hit)
        if str(hit["_id"]) in best and cluster not in shown:
            shown.add(cluster)
            kept.append(hit)
    return kept


def copies_body(cluster_ids: Sequence[str]) -> dict[str, Any]:
    """One request summarising every cluster of a page, all members counted."""
    per_cluster = {
        "outlets": {"terms": {"field": SOURCE, "size": OUTLETS_SHOWN}},
        "outlet_count": {"cardinality": {"field": SOURCE}},
        "first": {"min": {"field": PUBLISHED_AT}},
        "last": {"max": {"field": PUBLISHED_AT}},
    }
    clusters = {"terms": {"field": CLUSTER_ID, "size": len(cluster_ids)}, "aggs": per_cluster}
    return {
        "size": 0,
        "track_total_hits": False,
        "query": {"terms": {CLUSTER_ID: list(cluster_ids)}},
        "aggs": {"clusters": clusters},
    }


def _moment(agg: Mapping[str, Any]) -> datetime | None:
    text = agg.get("value_as_string")
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if isinstance(text, str) else None


def shape_copies(raw: Mapping[str, Any]) -> dict[str, Copies]:
    """Cluster id -> its copies, from a `copies_body` answer."""
    found: dict[str, Copies] = {}
    for bucket in raw.get("aggregations", {}).get("clusters", {}).get("buckets", []):
        outlets = [str(b["key"]) for b in bucket["outlets"]["buckets"]]
        found[str(bucket["key"])] = Copies(
            count=int(bucket["doc_count"]),
            outlets=outlets,
            outlet_count=max(int(bucket["outlet_count"]["value"]), len(outlets)),
            first_published=_moment(bucket["first"]),
            last_published=_moment(bucket["last"]),
        )
    return found


def members_query(cluster_id: str) -> dict[str, Any]:
    return {"term": {CLUSTER_ID: cluster_id}}


def members_body(cluster_id: str, size: int) -> dict[str, Any]:
    """A cluster's members, earliest first (the lead first: ties go to the smaller id)."""
    return {
        "size": size,
        "track_total_hits": True,
        "query": members_query(cluster_id),
        "sort": [{PUBLISHED_AT: {"order": "asc", "missing": "_last"}}, {ID: {"order": "asc"}}],
    }
