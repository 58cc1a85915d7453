"""One article: read it, find related ones; add, correct or take down articles (with a key)."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query
from fastapi.responses import JSONResponse, Response
from opensearchpy import NotFoundError, OpenSearch
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from search.duplicates.reindex import label_unclustered
from search.duplicates.summaries import summarise
from search.entities.resolver import Resolver
from search.fields import CLUSTER_ID
from search.http.deps import ClientDep, ReadAccess, SettingsDep, WriteAccess
from search.http.errors import Problem
from search.index import schema
from search.index.client import sync_client
from search.ingest.dead_letter import DeadLetters
from search.ingest.pipeline import Ingestor
from search.ingest.run import bulk_policy, shared_enricher
from search.models import Article, RawRecord
from search.query import service
from search.query.results import ClusterCopies, Hit
from search.settings import Settings

router = APIRouter(tags=["articles"])
MAX_ARTICLES_PER_REQUEST = 1000
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


def _ingest(settings: Settings, articles: list[ArticleIn]) -> IngestResult:
    records = [
        RawRecord(location=f"request#{n}", **item.model_dump()) for n, item in enumerate(articles)
    ]
    client = sync_client(settings)
    _ensure_index(client, settings.index)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    with DeadLetters(settings.dead_letter_dir / f"api-{stamp}.ndjson") as dead:
        ingestor = Ingestor(
            client,
            settings.index,
            shared_enricher(settings),
            dead,
            max_body_bytes=settings.max_body_bytes,
            policy=replace(
                bulk_policy(settings), unreachable_deadline_s=settings.opensearch_timeout_s
            ),
            resolver=Resolver(client, settings.index),
        )
        summary = ingestor.run(records)
        rejected = dead.recent
    client.indices.refresh(index=settings.index)
    return IngestResult(
        indexed=summary.indexed,
        updated=summary.updated,
        unchanged=summary.unchanged,
        duplicates=summary.duplicates,
        rejected=rejected,
    )


@router.post(
    "/articles",
    response_model=IngestResult,
    dependencies=[WriteAccess],
    status_code=200,
    responses={413: {"description": "More than 1000 articles in one request."}},
)
async def add_articles(
    payload: Annotated[ArticleIn | list[ArticleIn], Body()], settings: SettingsDep
) -> IngestResult:
    """Index one article or a list, through the same pipeline as `newsroom ingest`
    (cleaning, language, entities, dates). Rejected articles are listed with the reason."""
    articles = payload if isinstance(payload, list) else [payload]
    if len(articles) > MAX_ARTICLES_PER_REQUEST:
        raise Problem(
            413,
            "Too many articles",
            f"Send at most {MAX_ARTICLES_PER_REQUEST} articles per request.",
        )
    return await run_in_threadpool(_ingest, settings, articles)


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
