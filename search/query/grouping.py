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
the story. It is stored with every member at ingest (search.duplicates.summaries), so a hit
brings it along and grouping costs the search no second request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, TypeVar

from search.fields import CLUSTER_ID, ID, PUBLISHED_AT

#: Exact distinct counts below this many clusters (OpenSearch's highest precision threshold).
GROUP_COUNT_PRECISION: Final = 40_000
#: Name of the aggregation counting the clusters a search matches.
GROUPS_AGG: Final = "groups"


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
