"""Runs the built requests against OpenSearch: the one query path the API and the web pages share.

Everything here is a thin async call around a pure builder and a pure shaper.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from opensearchpy import AsyncOpenSearch, NotFoundError, TransportError

from search.models import Article
from search.query import builder
from search.query.cursor import START, InvalidCursor, SortValue, decode_cursor
from search.query.identities import (
    EntityNotFound,
    canonical_selections,
    entity_page_by_id,
    find_entity_id,
)
from search.query.pits import PitLedger
from search.query.request import SearchRequest
from search.query.results import (
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
) -> SearchResponse:
    """One page of results.

    A numbered page reads the live index and offers no cursor. `cursor=*` reads the first
    page in a new point in time and every `next_cursor` after it reads the same snapshot:
    no duplicates and no gaps from page 1, however the index changes meanwhile. The point
    in time is closed at the last page (and expires two minutes after an abandoned one).
    """
    req = await canonical_selections(client, index, req)
    if req.cursor is None:
        body = builder.build_search_body(req)
        raw = await client.search(index=index, body=body, params=builder.search_params(req))
        return shape_search_response(raw, req).model_copy(update={"next_cursor": None})
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
    body = builder.build_search_body(req, pit_id=pit_id, search_after=search_after)
    try:
        raw = await client.search(body=body)
    except NotFoundError as exc:
        pits.release(pit_id)
        raise InvalidCursor("The cursor has expired: start again with cursor=*") from exc
    except BaseException:
        await close_pit(client, pits, pit_id)
        raise
    response = shape_search_response(raw, req)
    pits.bind(pit_id, str(raw.get("pit_id", pit_id)))
    if response.next_cursor is None:
        await close_pit(client, pits, str(raw.get("pit_id", pit_id)))
    return response


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

    async def _batch(self, search_after: list[Any] | None, *, first: bool) -> list[Any]:
        assert self._pit_id is not None
        size = min(EXPORT_BATCH, self.limit) if first else EXPORT_BATCH
        body = builder.build_export_body(
            self._req, self._pit_id, search_after, max(size, 1), count_total=first
        )
        raw = await self._client.search(body=body)
        pit_id = str(raw.get("pit_id", self._pit_id))
        self._pits.bind(self._pit_id, pit_id)  # its keep-alive starts again
        self._pit_id = pit_id
        if first:
            self.total = int(raw["hits"]["total"]["value"])
        hits: list[Any] = raw["hits"]["hits"]
        return hits

    async def start(self, index: str, owner: str) -> None:
        self._pit_id = await open_pit(self._client, index, self._pits, owner)
        try:
            self._first = await self._batch(None, first=True)
        except BaseException:
            await self.close()
            raise
        self.limit = min(self.limit, self.total)

    async def rows(self) -> AsyncIterator[dict[str, Any]]:
        hits, sent = self._first, 0
        try:
            while hits and sent < self.limit:
                for hit in hits[: self.limit - sent]:
                    yield hit["_source"]
                sent += min(len(hits), self.limit - sent)
                if sent >= self.limit:
                    break
                hits = await self._batch(hits[-1]["sort"], first=False)
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


async def get_article(client: AsyncOpenSearch, index: str, article_id: str) -> Article:
    try:
        raw = await client.get(index=index, id=article_id)
    except NotFoundError as exc:
        raise ArticleNotFound(article_id) from exc
    return Article.model_validate(raw["_source"])


async def related(
    client: AsyncOpenSearch, index: str, article: Article, *, size: int = 10
) -> list[Hit]:
    body = builder.build_related_body(
        article.id, index, content_hash=article.content_hash, size=size
    )
    raw = await client.search(index=index, body=body)
    return shape_hits(raw)


__all__ = ["EntityNotFound"]


async def entity_page(client: AsyncOpenSearch, index: str, facet: str, name: str) -> EntityPage:
    """A page by name: the identity the name resolves to, else (sources, countries, names the
    registry does not know) the articles carrying that name."""
    entity_id = await find_entity_id(client, index, facet, name)
    if entity_id is not None:
        return await entity_page_by_id(client, index, entity_id)
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
