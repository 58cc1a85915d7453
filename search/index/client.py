"""OpenSearch clients built from Settings, sync for the CLI and ingest, async for the API."""

from __future__ import annotations

from opensearchpy import AsyncOpenSearch, OpenSearch

from search.settings import Settings

API_POOL_SIZE = 64


def node_urls(settings: Settings) -> list[str]:
    """The configured node URLs; several spread requests over a cluster."""
    return [url.strip() for url in settings.opensearch_url.split(",") if url.strip()]


def sync_client(settings: Settings, *, retries: int = 2) -> OpenSearch:
    return OpenSearch(
        hosts=node_urls(settings),
        timeout=settings.opensearch_timeout_s,
        max_retries=retries,
        retry_on_timeout=True,
    )


def async_client(settings: Settings) -> AsyncOpenSearch:
    # No transport retries: the API answers 503 at once rather than hanging while a node is down.
    # A pool wider than the library's 10 connections, so concurrent searches do not queue.
    return AsyncOpenSearch(
        hosts=node_urls(settings),
        timeout=settings.opensearch_timeout_s,
        max_retries=0,
        maxsize=API_POOL_SIZE,
    )
