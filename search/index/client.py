"""OpenSearch clients built from Settings, sync for the CLI and ingest, async for the API."""

from __future__ import annotations

from typing import Any

import orjson
from opensearchpy import AsyncOpenSearch, OpenSearch
from opensearchpy.exceptions import SerializationError
from opensearchpy.serializer import JSONSerializer

from search.index.connection import LeanConnection
from search.settings import Settings

API_POOL_SIZE = 64


class OrjsonSerializer(JSONSerializer):
    """The library's JSON codec, on orjson: decoding search answers was a tenth of the API's
    CPU per request, and encoding bulk bodies a large part of the indexer's."""

    def loads(self, s: str) -> Any:
        try:
            return orjson.loads(s)
        except orjson.JSONDecodeError as exc:
            raise SerializationError(s, exc) from exc

    def dumps(self, data: Any) -> Any:
        if isinstance(data, str):  # bulk bodies arrive already joined
            return data
        try:
            return orjson.dumps(data, default=self.default, option=orjson.OPT_NON_STR_KEYS).decode()
        except orjson.JSONEncodeError:  # e.g. an integer beyond 64 bits: the library's way
            return super().dumps(data)


def node_urls(settings: Settings) -> list[str]:
    """The configured node URLs; several spread requests over a cluster."""
    return [url.strip() for url in settings.opensearch_url.split(",") if url.strip()]


def sync_client(settings: Settings, *, retries: int = 2) -> OpenSearch:
    return OpenSearch(
        hosts=node_urls(settings),
        timeout=settings.opensearch_timeout_s,
        max_retries=retries,
        retry_on_timeout=True,
        serializer=OrjsonSerializer(),
    )


def async_client(settings: Settings) -> AsyncOpenSearch:
    # No transport retries: the API answers 503 at once rather than hanging while a node is down.
    # A pool wider than the library's 10 connections, so concurrent searches do not queue.
    return AsyncOpenSearch(
        hosts=node_urls(settings),
        timeout=settings.opensearch_timeout_s,
        max_retries=0,
        maxsize=API_POOL_SIZE,
        connection_class=LeanConnection,
        serializer=OrjsonSerializer(),
    )
