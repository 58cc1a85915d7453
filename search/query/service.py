"""Runs the built requests against OpenSearch: the one query path the API and the web pages share.

Everything here is a thin async call around a pure builder and a pure shaper.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from opensearchpy import AsyncOpenSearch, NotFoundError

from search.models import Article
from search.query import builder
from search.query.cursor import InvalidCursor, decode_cursor
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

EXPORT_BATCH = 1000


class ArticleNotFound(LookupError):
    def __init__(self, article_id: str) -> None:
        super().__init__(article_id)
        self.article_id = article_id


class EntityNotFound(LookupError):
    def __init__(self, facet: str, name: str) -> None:
        super().__init__(f"{facet}:{name}")
        self.facet = facet
        self.name = name


async def _open_pit(client: AsyncOpenSearch, index: str) -> str:
    opened = await client.create_pit(index=index, params={"keep_alive": builder.PIT_KEEP_ALIVE})
    return str(opened["pit_id"])


async def search(client: AsyncOpenSearch, index: str, req: SearchRequest) -> SearchResponse:
    """One page of results. Following a cursor opens a point in time on the first step, so
    every later page reads the same snapshot: no duplicates, no gaps."""
    if req.cursor is None:
        body = builder.build_search_body(req)
        raw = await client.search(index=index, body=body, params=builder.search_params(req))
        return shape_search_response(raw, req)
    cursor = decode_cursor(req.cursor, req)
    pit_id = cursor.pit_id or await _open_pit(client, index)
    body = builder.build_search_body(req, pit_id=pit_id, search_after=cursor.search_after)
    try:
        raw = await client.search(body=body)
    except NotFoundError as exc:
        raise InvalidCursor("The cursor has expired: start again from the first page") from exc
    return shape_search_response(raw, req)


async def export_hits(
    client: AsyncOpenSearch, index: str, req: SearchRequest, *, limit: int
) -> AsyncIterator[dict[str, Any]]:
    """Every match in order (up to `limit`), batch by batch over one point in time."""
    pit_id = await _open_pit(client, index)
    sent = 0
    search_after: list[Any] | None = None
    try:
        while sent < limit:
            size = min(EXPORT_BATCH, limit - sent)
            body = builder.build_export_body(req, pit_id, search_after, size)
            raw = await client.search(body=body)
            hits = raw["hits"]["hits"]
            pit_id = raw.get("pit_id", pit_id)
            for hit in hits:
                yield hit["_source"]
            sent += len(hits)
            if len(hits) < size:
                break
            search_after = hits[-1]["sort"]
    finally:
        await client.delete_pit(body={"pit_id": [pit_id]})


async def count(client: AsyncOpenSearch, index: str, req: SearchRequest) -> int:
    body = builder.build_export_body(req, None, None, 1)
    raw = await client.count(index=index, body={"query": body["query"]})
    return int(raw["count"])


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


async def entity_page(client: AsyncOpenSearch, index: str, facet: str, name: str) -> EntityPage:
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
