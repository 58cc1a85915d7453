"""One article: read it, find related ones; add, correct or take down articles (with a key)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body
from opensearchpy import NotFoundError
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from search.api.deps import ClientDep, ReadAccess, SettingsDep, WriteAccess
from search.api.errors import Problem
from search.index.client import sync_client
from search.ingest.dead_letter import DeadLetters
from search.ingest.pipeline import Ingestor
from search.ingest.run import bulk_policy, shared_enricher
from search.models import Article, RawRecord
from search.query import service
from search.query.results import Hit
from search.settings import Settings

router = APIRouter(tags=["articles"])
MAX_ARTICLES_PER_REQUEST = 1000


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


def _ingest(settings: Settings, articles: list[ArticleIn]) -> IngestResult:
    records = [
        RawRecord(location=f"request#{n}", **item.model_dump()) for n, item in enumerate(articles)
    ]
    client = sync_client(settings)
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


@router.post("/articles", response_model=IngestResult, dependencies=[WriteAccess], status_code=200)
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
    """Take an article down (a correction or a legal request): it leaves search at once."""
    try:
        await client.delete(index=settings.index, id=article_id, refresh="wait_for")
    except NotFoundError:
        raise Problem(
            404, "Not found", f"No article has the id '{article_id}'.", parameter="article_id"
        ) from None
    return {"deleted": article_id}


@router.get(
    "/articles/{article_id:path}/related", response_model=list[Hit], dependencies=[ReadAccess]
)
async def related_articles(article_id: str, client: ClientDep, settings: SettingsDep) -> list[Hit]:
    """Articles on the same subject (more-like-this), without copies of this one."""
    article = await service.get_article(client, settings.index, article_id)
    return await service.related(client, settings.index, article)


@router.get("/articles/{article_id:path}", response_model=Article, dependencies=[ReadAccess])
async def get_article(article_id: str, client: ClientDep, settings: SettingsDep) -> Article:
    """The full article: clean text, metadata, entities with mention offsets, resolved dates."""
    return await service.get_article(client, settings.index, article_id)
