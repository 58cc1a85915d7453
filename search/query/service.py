"""Runs the built requests against OpenSearch: the one query path the API and the web pages share.

Everything here is a thin async call around a pure builder and a pure shaper.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from opensearchpy import AsyncOpenSearch, NotFoundError, TransportError

from search.fields import CLUSTER_ID
from search.models import Article
from search.query import builder, grouping
from search.query.cursor import START, InvalidCursor, SortValue, decode_cursor, encode_cursor
from search.query.identities import (
    EntityNotFound,
    canonical_selections,
    find_entity,
    page_of,
)
from search.query.pits import PitLedger
from search.query.present_languages import PresentLanguages
from search.query.request import SearchRequest
from search.query.results import (
    ClusterCopies,
    EntityPage,
    Hit,
    SearchResponse,
    Suggestion,
    shape_entity_page,
    shape_hits,
    shape_search_response,
    shape_suggestions,
)

log = logging.getLogger(__name__)
EXPORT_BATCH = 1000


class ArticleNotFound(LookupError):
    def __init__(self, article_id: str) -> None:
        super().__init__(article_id)
        self.article_id = article_id


async def open_pit(client: AsyncOpenSearch, index: str, pits: PitLedger, owner: str) -> str:
    """Open a point in time counted against `owner`'s cap; raises TooManyOpenCursors."""
    key = pits.reserve(owner)
    try:
        opened = await client.create_pit(index=index, params={"keep_alive": builder.PIT_KEEP_ALIVE})
    except BaseException:
        pits.release(key)
        raise
    pit_id = str(opened["pit_id"])
    pits.bind(key, pit_id)
    return pit_id


async def close_pit(client: AsyncOpenSearch, pits: PitLedger, pit_id: str) -> None:
    """Close a point in time now rather than leave it to its keep-alive. One already gone
    (expired, or closed by a replayed last page) is fine; one the node cannot close now
    (unreachable) expires by itself, and must not hide the error that brought us here."""
    pits.release(pit_id)
    try:
        await client.delete_pit(body={"pit_id": [pit_id]})
    except TransportError as exc:  # NotFoundError and ConnectionError are TransportErrors
        if not isinstance(exc, NotFoundError):
            log.warning("could not close point in time: %s", exc)


async def search(
    client: AsyncOpenSearch,
    index: str,
    req: SearchRequest,
    *,
    pits: PitLedger | None = None,
    owner: str = "",
    languages: PresentLanguages | None = None,
) -> SearchResponse:
    """One page of results, naming only the language groups the index holds (`languages`).

    A numbered page reads the live index and offers no cursor. `cursor=*` reads the first
    page in a new point in time and every `next_cursor` after it reads the same snapshot:
    no duplicates and no gaps from page 1, however the index changes meanwhile. The point
    in time is closed at the last page (and expires two minutes after an abandoned one).
    """
    req = await canonical_selections(client, index, req)
    groups = await languages.groups(client, index) if languages else None
    if req.cursor is None:
        body = builder.build_search_body(req, groups=groups)
        raw = await client.search(index=index, body=body, params=builder.search_params(req))
        return shape_search_response(raw, req)
    if pits is None:
        raise InvalidCursor("Cursor paging is offered by the API (/v1/search), not here")
    search_after: list[SortValue] | None = None
    if req.cursor == START:
        pit_id = await open_pit(client, index, pits, owner)
    else:
        cursor = decode_cursor(req.cursor, req)
        if cursor.pit_id is None:
            raise InvalidCursor("The cursor is not valid: pass next_cursor back unchanged")
        pit_id, search_after = cursor.pit_id, cursor.search_after
        pits.touch(pit_id, owner)
    body = builder.build_search_body(req, pit_id=pit_id, search_after=search_after, groups=groups)
    try:
        if req.group == "duplicates" and search_after is not None:
            raw = await _grouped_page(client, req, body)
        else:
            raw = await client.search(body=body)
    except NotFoundError as exc:
        pits.release(pit_id)
        raise InvalidCursor("The cursor has expired: start again with cursor=*") from exc
    except BaseException:
        await close_pit(client, pits, pit_id)
        raise
    response = shape_search_response(raw, req)
    if (scanned_to := raw.get("scanned_to")) is not None:  # a short grouped page, not the last
        response.next_cursor = encode_cursor(req, scanned_to, raw.get("pit_id"))
    renewed = str(raw.get("pit_id", pit_id))
    pits.bind(pit_id, renewed)
    if response.next_cursor is None:
        await close_pit(client, pits, renewed)
    return response


#: Plain batches a grouped cursor page reads, at most, looking for clusters not yet shown.
GROUPED_SCAN_BATCHES = 10


async def _best_of_clusters(
    client: AsyncOpenSearch, body: dict[str, Any], hits: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The hits that stand for their clusters (search.query.grouping), in order."""
    if not hits:
        return []
    clusters = list(dict.fromkeys(grouping.cluster_of(hit) for hit in hits))
    raw = await client.search(body=grouping.best_members_body(body, clusters))
    return grouping.first_of_each_cluster(hits, grouping.best_members(raw))


async def _grouped_page(
    client: AsyncOpenSearch, req: SearchRequest, body: dict[str, Any]
) -> dict[str, Any]:
    """A grouped page after the first: the plain order read in batches, each hit kept where it
    stands for its cluster, until the page is full or the matches end. A page that runs out
    of batches first says where it stopped (`scanned_to`), so the next one goes on from there."""
    kept: list[dict[str, Any]] = []
    batch = {**body, "size": min(4 * req.size, builder.MAX_GROUPED_BATCH)}
    raw: dict[str, Any] = {}
    for _ in range(GROUPED_SCAN_BATCHES):
        raw = await client.search(body=batch)
        batch["pit"] = {**batch["pit"], "id": raw.get("pit_id", batch["pit"]["id"])}
        hits = raw["hits"]["hits"]
        kept += await _best_of_clusters(client, batch, hits)
        if len(kept) >= req.size or len(hits) < batch["size"]:
            break
        batch["search_after"] = hits[-1]["sort"]
    else:
        raw["scanned_to"] = batch["search_after"]
    raw["hits"]["hits"] = kept[: req.size]
    return raw


class Export:
    """An export under way: its first batch is read (and the matches counted) in a point in
    time before anything is sent, so a failure there is still a proper error answer.

    `rows()` streams every match in order up to `limit`; `close()` ends the point in time
    and is safe to call more than once (the response calls it however the stream ends).
    """

    def __init__(
        self, client: AsyncOpenSearch, pits: PitLedger, req: SearchRequest, limit: int
    ) -> None:
        self._client, self._pits, self._req = client, pits, req
        self.limit = limit
        self.total = 0
        self._pit_id: str | None = None
        self._first: list[dict[str, Any]] = []
        self._scanned_to: list[Any] | None = None

    async def _batch(self, search_after: list[Any] | None, *, first: bool) -> list[Any]:
        assert self._pit_id is not None
        size = min(EXPORT_BATCH, self.limit) if first else EXPORT_BATCH
        body = builder.build_export_body(
            self._req, self._pit_id, search_after, max(size, 1), count_total=first
        )
        grouped = self._req.group == "duplicates"
        if grouped and first:
            body["aggs"] = {grouping.GROUPS_AGG: grouping.group_count([])}
        raw = await self._client.search(body=body)
        pit_id = str(raw.get("pit_id", self._pit_id))
        self._pits.bind(self._pit_id, pit_id)  # its keep-alive starts again
        self._pit_id = body["pit"]["id"] = pit_id
        if first:
            counted = grouping.read_group_count(raw.get("aggregations", {})) if grouped else None
            self.total = counted if counted is not None else int(raw["hits"]["total"]["value"])
        hits: list[Any] = raw["hits"]["hits"]
        self._scanned_to = hits[-1]["sort"] if hits else None
        if grouped:
            hits = await _best_of_clusters(self._client, body, hits)
        return hits

    async def start(self, index: str, owner: str) -> None:
        self._pit_id = await open_pit(self._client, index, self._pits, owner)
        try:
            self._first = await self._batch(None, first=True)
        except BaseException:
            await self.close()
            raise
        if self._req.group != "duplicates":  # a count of clusters is close, not exact
            self.limit = min(self.limit, self.total)

    async def rows(self) -> AsyncIterator[dict[str, Any]]:
        hits, sent = self._first, 0
        try:
            while self._scanned_to is not None and sent < self.limit:
                for hit in hits[: self.limit - sent]:
                    yield hit["_source"]
                sent += min(len(hits), self.limit - sent)
                if sent >= self.limit:
                    break
                # From the last hit read, not the last sent: grouping may have left it out.
                hits = await self._batch(self._scanned_to, first=False)
        finally:
            await self.close()

    async def close(self) -> None:
        pit_id, self._pit_id = self._pit_id, None
        if pit_id is not None:
            await close_pit(self._client, self._pits, pit_id)


async def start_export(
    client: AsyncOpenSearch,
    index: str,
    req: SearchRequest,
    *,
    limit: int,
    pits: PitLedger,
    owner: str,
) -> Export:
    """Open the point in time of an export and read its first batch; raises like a search."""
    export = Export(client, pits, req, limit)
    await export.start(index, owner)
    return export


async def stored_article(client: AsyncOpenSearch, index: str, article_id: str) -> dict[str, Any]:
    """The stored document with its version. During `newsroom index migrate` the alias holds
    two indices and refuses a lookup by id; a search then finds the article, newest copy first."""
    try:
        found: dict[str, Any] = await client.get(index=index, id=article_id)
        return found
    except NotFoundError as exc:
        raise ArticleNotFound(article_id) from exc
    except TransportError as exc:
        if exc.status_code != 400 or "more than one index" not in str(exc.info):
            raise
    body = {
        "size": 1,
        "seq_no_primary_term": True,
        "query": {"ids": {"values": [article_id]}},
        "sort": [{"_index": "desc"}],
    }
    hits = (await client.search(index=index, body=body))["hits"]["hits"]
    if not hits:
        raise ArticleNotFound(article_id)
    first: dict[str, Any] = hits[0]
    return first


async def get_article(client: AsyncOpenSearch, index: str, article_id: str) -> Article:
    stored = await stored_article(client, index, article_id)
    return Article.model_validate(stored["_source"])


async def related(
    client: AsyncOpenSearch, index: str, article: Article, *, size: int = 10
) -> list[Hit]:
    copies = 1
    if article.cluster_id:
        counted = await client.count(
            index=index, body={"query": grouping.members_query(article.cluster_id)}
        )
        copies = int(counted["count"])
    body = builder.build_related_body(
        article.id,
        index,
        content_hash=article.content_hash,
        cluster_id=article.cluster_id,
        cluster_size=copies,
        size=size,
        language=article.language,
    )
    raw = await client.search(index=index, body=body)
    return shape_hits(raw)


#: Members a copies answer lists, at most (the count covers them all).
MAX_COPIES = 500


async def copies(
    client: AsyncOpenSearch, index: str, article_id: str, *, size: int = 100
) -> ClusterCopies:
    """The article's cluster: every copy, earliest first, the lead (earliest published) first."""
    stored = await stored_article(client, index, article_id)
    cluster = str(stored["_source"].get(CLUSTER_ID) or article_id)
    body = grouping.members_body(cluster, max(1, min(size, MAX_COPIES)))
    body["_source"] = builder.source()
    if cluster == article_id:  # alone, or indexed before clustering: itself at least
        body["query"] = {"bool": {"should": [body["query"], {"ids": {"values": [article_id]}}]}}
    raw = await client.search(index=index, body=body)
    members = shape_hits(raw)
    return ClusterCopies(
        cluster_id=cluster,
        count=max(int(raw["hits"]["total"]["value"]), len(members)),
        outlets=list(dict.fromkeys(m.source for m in members if m.source)),
        copies=members,
    )


__all__ = ["EntityNotFound"]


async def entity_page(client: AsyncOpenSearch, index: str, facet: str, name: str) -> EntityPage:
    """A page by name: the identity the name resolves to, else (sources, countries, names the
    registry does not know) the articles carrying that name."""
    entity = await find_entity(client, index, facet, name)
    if entity is not None:
        return await page_of(client, index, entity)
    return await named_page(client, index, facet, name)


async def named_page(client: AsyncOpenSearch, index: str, facet: str, name: str) -> EntityPage:
    """The page of the articles carrying a name, with no registry lookup: for sources,
    countries and names the registry was already asked about and does not know."""
    # The same page for everyone who opens it, and heavy (significant terms): cached.
    raw = await client.search(
        index=index, body=builder.build_entity_body(facet, name), params=dict(builder.REQUEST_CACHE)
    )
    page = shape_entity_page(raw, facet, name)
    if page.total == 0:
        raise EntityNotFound(facet, name)
    return page


async def suggest(
    client: AsyncOpenSearch, index: str, facet: str, prefix: str, size: int = 10
) -> list[Suggestion]:
    raw = await client.search(
        index=index, body=builder.build_entity_suggest_body(facet, prefix, size)
    )
    return shape_suggestions(raw, facet)
