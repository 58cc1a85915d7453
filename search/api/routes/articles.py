"""One article: read it, find related ones; add, correct or take down articles (with a key)."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from opensearchpy import NotFoundError, OpenSearch
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from search.duplicates.reindex import label_unclustered
from search.duplicates.summaries import summarise
from search.fields import CLUSTER_ID
from search.http.deps import ClientDep, ReadAccess, SettingsDep, WriteAccess
from search.http.errors import Problem
from search.index import schema
from search.index.client import sync_client
from search.ingest.background import IngestQueue, QueueFull
from search.ingest.run import ingest_records
from search.ingest.runs import IngestRun
from search.models import Article, RawRecord
from search.query import service
from search.query.results import ClusterCopies, Hit
from search.settings import Settings

router = APIRouter(tags=["articles"])
MAX_ARTICLES_PER_REQUEST = 1000
#: A single article up to this much text is indexed while the request waits.
INLINE_BODY_BYTES = 20_000
#: Caches may keep an article but must ask again each time (a takedown is immediate); the ETag
#: makes asking cheap. `private` when reads need a key.
CACHE_CONTROL = "public, no-cache"
CACHE_CONTROL_PROTECTED = "private, no-cache"


class ArticleIn(BaseModel):
    """An article to index; the same fields an NDJSON line may carry."""

    id: str | None = Field(None, max_length=500, description="Your own stable id, if any.")
    url: str | None = Field(None, max_length=4000)
    source: str | None = Field(None, max_length=500)
    title: str | None = Field(None, max_length=2000)
    byline: list[str] = Field(default_factory=list, max_length=50)
    published_at: str | None = Field(None, max_length=100, examples=["2025-01-13T09:30:00+02:00"])
    language: str | None = Field(None, max_length=10)
    section: list[str] = Field(default_factory=list, max_length=50)
    body: str = Field(..., description="Plain text; boilerplate lines are removed.")


class IngestResult(BaseModel):
    indexed: int
    updated: int
    unchanged: int
    duplicates: int
    rejected: list[dict[str, str]]


#: Indexes whose mapping this process has brought up to date: once each, before the first write.
_ENSURED: set[str] = set()
_ENSURING = threading.Lock()


def _ensure_index(client: OpenSearch, index: str) -> None:
    """An index made by an older release lacks the newer fields, and its strict mapping would
    refuse the first article carrying them: add them (or create the index) once per process."""
    with _ENSURING:
        if index not in _ENSURED:
            schema.ensure_index(client, index)
            label_unclustered(client, index)
            _ENSURED.add(index)


def _records(articles: list[ArticleIn]) -> list[RawRecord]:
    return [
        RawRecord(location=f"request#{n}", **item.model_dump()) for n, item in enumerate(articles)
    ]


def _ingest_now(settings: Settings, articles: list[ArticleIn]) -> IngestResult:
    client = sync_client(settings)
    _ensure_index(client, settings.index)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    summary, rejected = ingest_records(
        settings,
        _records(articles),
        dead_letter=settings.dead_letter_dir / f"api-{stamp}.ndjson",
        unreachable_deadline_s=settings.opensearch_timeout_s,
    )
    return IngestResult(
        indexed=summary.indexed,
        updated=summary.updated,
        unchanged=summary.unchanged,
        duplicates=summary.duplicates,
        rejected=rejected,
    )


def _enqueue(queue: IngestQueue, settings: Settings, articles: list[ArticleIn]) -> IngestRun:
    _ensure_index(sync_client(settings), settings.index)
    return queue.submit(_records(articles), f"POST /v1/articles ({len(articles)} articles)")


def _inline(articles: list[ArticleIn]) -> bool:
    """A single small article is indexed while the request waits; anything more is queued."""
    return len(articles) == 1 and len(articles[0].body.encode()) <= INLINE_BODY_BYTES


@router.post(
    "/articles",
    response_model=IngestResult,
    dependencies=[WriteAccess],
    status_code=200,
    responses={
        202: {
            "model": IngestRun,
            "description": "Queued: more than one article, or one over 20,000 bytes of text. "
            "The answer is the run's record; poll `Location` (`/v1/ingest/runs/{id}`) until "
            "its status is `done` (with counts) or `failed` (with the reason).",
        },
        413: {
            "description": f"More than {MAX_ARTICLES_PER_REQUEST} articles in one request, or "
            "a body over the service's limit (`NEWSROOM_MAX_REQUEST_BYTES`)."
        },
    },
)
async def add_articles(
    payload: Annotated[ArticleIn | list[ArticleIn], Body()],
    settings: SettingsDep,
    request: Request,
) -> IngestResult | JSONResponse:
    """Index one article or a list, through the same pipeline as `newsroom ingest`
    (cleaning, language, entities, dates, copies, identities). A single article of at most
    20,000 bytes is indexed at once: 200, with rejections listed and their reasons. Anything
    more is queued and answered at once with 202 and the run's record; the run goes on in the
    background (on the Dask cluster of `NEWSROOM_INGEST_SCHEDULER` if one is set). When the
    queue is full the answer is 429 with Retry-After (send again later, or less at once)."""
    articles = payload if isinstance(payload, list) else [payload]
    if len(articles) > MAX_ARTICLES_PER_REQUEST:
        raise Problem(
            413,
            "Too many articles",
            f"Send at most {MAX_ARTICLES_PER_REQUEST} articles per request.",
        )
    if _inline(articles):
        return await run_in_threadpool(_ingest_now, settings, articles)
    queue: IngestQueue = request.app.state.ingest_queue
    try:
        run = await run_in_threadpool(_enqueue, queue, settings, articles)
    except QueueFull as exc:
        detail = f"{exc}; retry in a minute."
        raise Problem(429, "Ingest queue full", detail, headers={"Retry-After": "60"}) from None
    return JSONResponse(
        run.model_dump(mode="json"),
        status_code=202,
        headers={"Location": f"/v1/ingest/runs/{run.id}"},
    )


@router.delete("/articles/{article_id:path}", dependencies=[WriteAccess])
async def delete_article(
    article_id: str, client: ClientDep, settings: SettingsDep
) -> dict[str, Any]:
    """Take an article down (a correction or a legal request): it leaves search at once, and
    its copies' summary no longer counts it."""
    try:
        stored = await client.get(
            index=settings.index, id=article_id, _source_includes="cluster_id"
        )
        await client.delete(index=settings.index, id=article_id, refresh="wait_for")
    except NotFoundError:
        raise Problem(
            404, "Not found", f"No article has the id '{article_id}'.", parameter="article_id"
        ) from None
    if cluster := stored["_source"].get(CLUSTER_ID):
        await run_in_threadpool(_summarise_after_takedown, settings, str(cluster))
    return {"deleted": article_id}


def _summarise_after_takedown(settings: Settings, cluster: str) -> None:
    summarise(sync_client(settings), settings.index, [cluster], shrink=[cluster], refresh=True)


@router.get(
    "/articles/{article_id:path}/related", response_model=list[Hit], dependencies=[ReadAccess]
)
async def related_articles(article_id: str, client: ClientDep, settings: SettingsDep) -> list[Hit]:
    """Articles on the same subject (more-like-this), without this one's copies."""
    article = await service.get_article(client, settings.index, article_id)
    return await service.related(client, settings.index, article)


@router.get(
    "/articles/{article_id:path}/copies",
    response_model=ClusterCopies,
    dependencies=[ReadAccess],
)
async def article_copies(
    article_id: str,
    client: ClientDep,
    settings: SettingsDep,
    size: Annotated[int, Query(ge=1, le=service.MAX_COPIES)] = 100,
) -> ClusterCopies:
    """Every copy of this story in the archive (exact and near copies, other outlets' versions):
    its near-duplicate cluster, earliest published first; the first is the lead."""
    return await service.copies(client, settings.index, article_id, size=size)


def entity_tag(stored: dict[str, Any]) -> str:
    """A strong ETag from where and at which version the document is stored: any write to it
    (a correction, new entities, a migration) gives a new one."""
    version = f"{stored['_index']}\n{stored['_id']}\n{stored['_primary_term']}\n{stored['_seq_no']}"
    return '"' + hashlib.sha256(version.encode()).hexdigest()[:32] + '"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110's weak comparison, as If-None-Match asks: W/ prefixes are ignored."""
    if if_none_match is None:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags


@router.get(
    "/articles/{article_id:path}",
    response_model=Article,
    dependencies=[ReadAccess],
    responses={304: {"description": "Not modified: the `If-None-Match` ETag is current."}},
)
async def get_article(
    article_id: str,
    client: ClientDep,
    settings: SettingsDep,
    if_none_match: Annotated[str | None, Header(max_length=2000)] = None,
) -> Response:
    """The full article: clean text, metadata, entities with mention offsets, resolved dates.
    It carries an `ETag`; send it back in `If-None-Match` to get a 304 while it is unchanged."""
    stored = await service.stored_article(client, settings.index, article_id)
    etag = entity_tag(stored)
    cache = CACHE_CONTROL_PROTECTED if settings.protect_reads else CACHE_CONTROL
    headers = {"ETag": etag, "Cache-Control": cache}
    if _matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    article = Article.model_validate(stored["_source"])
    return JSONResponse(article.model_dump(mode="json"), headers=headers)
