"""Collections (with a key, each its own key's): named lists of articles, and their export."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query
from fastapi.responses import Response

from search.alerts.saved import owner_of
from search.collections import store
from search.collections.models import (
    MAX_ARTICLES,
    MAX_ID_CHARS,
    MAX_NAME_CHARS,
    MAX_PER_OWNER,
    ArticleRef,
    Collection,
    CollectionIn,
    CollectionSummary,
)
from search.http.deps import SettingsDep, WriteAccess, in_thread
from search.http.export_rows import EXPORT_MEDIA, ExportFormat, export_text

router = APIRouter(tags=["collections"], dependencies=[WriteAccess])
CollectionId = Annotated[str, Path(max_length=64, description="The collection's `id`.")]
ArticleId = Annotated[str, Path(max_length=MAX_ID_CHARS, description="The article's `id`.")]
Key = Annotated[str, Header(alias="X-API-Key")]
FULL: dict[int | str, dict[str, Any]] = {
    409: {"description": "The key keeps as many collections as it may, or one of that name."}
}


@router.post(
    "/collections",
    response_model=Collection,
    status_code=201,
    responses=FULL,
    description="Start a named, empty list of articles (to collect, or star, them), this "
    f"key's alone. A key keeps at most {MAX_PER_OWNER} (NEWSROOM_COLLECTIONS_PER_KEY), "
    f"with names of 1 to {MAX_NAME_CHARS} characters, no two alike.",
)
async def create_collection(
    asked: CollectionIn, settings: SettingsDep, x_api_key: Key
) -> Collection:
    return await in_thread(
        settings, store.create, owner_of(x_api_key), asked, settings.collections_per_key
    )


@router.get("/collections", response_model=list[CollectionSummary])
async def list_collections(settings: SettingsDep, x_api_key: Key) -> list[CollectionSummary]:
    """This key's collections, the most recently changed first, without their articles."""
    return await in_thread(settings, store.mine, owner_of(x_api_key))


@router.get("/collections/{collection_id}", response_model=Collection)
async def get_collection(
    collection_id: CollectionId, settings: SettingsDep, x_api_key: Key
) -> Collection:
    """One collection with its articles, in the order they were added; an article taken down
    since is listed with `missing: true`."""
    owner = owner_of(x_api_key)
    return await in_thread(settings, store.get, owner, collection_id)


@router.patch("/collections/{collection_id}", response_model=CollectionSummary, responses=FULL)
async def rename_collection(
    collection_id: CollectionId, asked: CollectionIn, settings: SettingsDep, x_api_key: Key
) -> CollectionSummary:
    """Rename the collection."""
    owner = owner_of(x_api_key)
    return await in_thread(settings, store.rename, owner, collection_id, asked)


@router.delete("/collections/{collection_id}")
async def delete_collection(
    collection_id: CollectionId, settings: SettingsDep, x_api_key: Key
) -> dict[str, str]:
    """Delete the collection (the articles stay in the archive)."""
    owner = owner_of(x_api_key)
    await in_thread(settings, store.delete, owner, collection_id)
    return {"deleted": collection_id}


@router.post(
    "/collections/{collection_id}/articles",
    response_model=CollectionSummary,
    responses={409: {"description": "The collection holds as many articles as it may."}},
    description=f"Add an article at the end of the collection (at most {MAX_ARTICLES}, "
    "NEWSROOM_ARTICLES_PER_COLLECTION); "
    "adding one it holds already changes nothing. A 404 names what is missing in "
    "`parameter`: `collection_id` or `article_id`.",
)
async def add_to_collection(
    collection_id: CollectionId, asked: ArticleRef, settings: SettingsDep, x_api_key: Key
) -> CollectionSummary:
    owner = owner_of(x_api_key)
    return await in_thread(
        settings,
        store.add,
        owner,
        collection_id,
        asked.article_id,
        settings.articles_per_collection,
    )


@router.delete(
    "/collections/{collection_id}/articles/{article_id}", response_model=CollectionSummary
)
async def remove_from_collection(
    collection_id: CollectionId, article_id: ArticleId, settings: SettingsDep, x_api_key: Key
) -> CollectionSummary:
    """Take an article out of the collection."""
    owner = owner_of(x_api_key)
    return await in_thread(settings, store.remove, owner, collection_id, article_id)


@router.get(
    "/collections/{collection_id}/export",
    response_class=Response,
    responses={
        200: {
            "description": "The collection's articles, in its order.",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
        }
    },
)
async def export_collection(
    collection_id: CollectionId,
    settings: SettingsDep,
    x_api_key: Key,
    format: Annotated[ExportFormat, Query(description="csv (with a header row) or ndjson")] = "csv",
) -> Response:
    """The collection's articles with the columns of `/v1/search/export`, in the collection's
    order: CSV with a byte-order mark and a header row, a cell starting with = + - or @
    getting a leading `'`; or NDJSON. Articles taken down since they were added are left
    out; `X-Total-Count` counts the rows."""
    owner = owner_of(x_api_key)
    found, rows = await in_thread(settings, store.export_rows, owner, collection_id)
    filename = store.export_filename(found.name, format)
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "X-Total-Count": str(len(rows)),
    }
    return Response(export_text(rows, format), media_type=EXPORT_MEDIA[format], headers=headers)
