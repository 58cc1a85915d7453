"""Collections: named lists of articles, each owned by the key that made it (as saved searches).

Each is a document of `<alias>-collections`: its name, its owner (a digest of the key, never
the key), `entries` (article id and when it was added, in the order added) and `article_ids`
beside them, indexed, to find the lists holding an article. Changes read the document and write
it back only if nobody wrote in between (`if_seq_no`), retrying on a conflict, so two tabs
adding at once both land. Sizes are bounded: a name's length, articles per list, lists per owner.
A name is unique per owner through a claim written beside the lists (search.collections.names).
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from anyascii import anyascii
from opensearchpy import ConflictError, NotFoundError, OpenSearch

from search.collections import names
from search.collections.models import (
    MAX_ARTICLES,
    MAX_PER_OWNER,
    CollectedArticle,
    Collection,
    CollectionFull,
    CollectionIn,
    CollectionNotFound,
    CollectionSummary,
    TooManyCollections,
)
from search.index.schema import drop, ensure_index
from search.query.builder import EXPORT_FIELDS

#: Tries of a read-change-write that met another writer's change.
WRITE_TRIES: Final = 5


def export_filename(name: str, fmt: str) -> str:
    """`collection-<name>.<fmt>` in plain ASCII: 'Sinn Féin' -> collection-sinn-fein."""
    slug = re.sub(r"[^a-z0-9]+", "-", anyascii(name).lower()).strip("-")
    return f"collection-{slug[:60].rstrip('-') or 'articles'}.{fmt}"


def collections_alias(articles_alias: str) -> str:
    return f"{articles_alias}-collections"


def ensure_collections(client: OpenSearch, articles_alias: str) -> None:
    ensure_index(client, collections_alias(articles_alias), "collections")


def drop_collections(client: OpenSearch, articles_alias: str) -> None:
    drop(client, collections_alias(articles_alias))


def _summary(source: dict[str, Any]) -> CollectionSummary:
    return CollectionSummary(
        id=source["collection_id"],
        name=source["name"],
        created_at=source["created_at"],
        updated_at=source["updated_at"],
        article_count=int(source.get("article_count", 0)),
    )


def _owned(client: OpenSearch, index: str, owner: str, query: dict[str, Any]) -> dict[str, Any]:
    body = {"query": {"bool": {"filter": [{"term": {"owner": owner}}, query]}}}
    try:
        return dict(client.count(index=index, body=body))
    except NotFoundError:
        return {"count": 0}


def _claim_name(client: OpenSearch, index: str, owner: str, name: str, collection_id: str) -> None:
    """Claim `name` (names.claim); a list made before claims holds its name without one, so
    the owner's lists are asked first."""
    if int(_owned(client, index, owner, {"term": {"name": name}})["count"]):
        raise names.taken(name)
    names.claim(client, index, owner, name, collection_id)


def create(
    client: OpenSearch,
    articles_alias: str,
    owner: str,
    asked: CollectionIn,
    limit: int = MAX_PER_OWNER,
) -> Collection:
    """A new empty list; 409 when the owner has `limit` already, or one of that name."""
    ensure_collections(client, articles_alias)
    index = collections_alias(articles_alias)
    limit = min(limit, MAX_PER_OWNER)
    # Count then write: two creates at once may pass `limit` by one; names are claimed atomically.
    if int(_owned(client, index, owner, {"match_all": {}})["count"]) >= limit:
        raise TooManyCollections(f"A key keeps at most {limit} collections; delete one first.")
    collection_id = uuid.uuid4().hex
    _claim_name(client, index, owner, asked.name, collection_id)
    now = datetime.now(UTC).isoformat()
    doc = {
        "collection_id": collection_id,
        "owner": owner,
        "name": asked.name,
        "created_at": now,
        "updated_at": now,
        "article_ids": [],
        "article_count": 0,
        "entries": [],
    }
    try:
        client.index(index=index, id=collection_id, body=doc, refresh="wait_for")
    except Exception:
        names.release(client, index, owner, asked.name, collection_id)
        raise
    return Collection(**_summary(doc).model_dump(), articles=[])


def mine(client: OpenSearch, articles_alias: str, owner: str) -> list[CollectionSummary]:
    """The owner's lists, the most recently changed first."""
    try:
        raw = client.search(
            index=collections_alias(articles_alias),
            body={
                "size": MAX_PER_OWNER,
                "query": {"term": {"owner": owner}},
                "sort": [{"updated_at": "desc"}, {"collection_id": "asc"}],
                "_source": {"excludes": ["entries", "article_ids"]},
            },
        )
    except NotFoundError:
        return []
    return [_summary(hit["_source"]) for hit in raw["hits"]["hits"]]


def holding(
    client: OpenSearch, articles_alias: str, owner: str, article_ids: Sequence[str]
) -> dict[str, list[CollectionSummary]]:
    """For each of `article_ids`, the owner's lists that hold it."""
    if not article_ids:
        return {}
    try:
        raw = client.search(
            index=collections_alias(articles_alias),
            body={
                "size": MAX_PER_OWNER,
                "query": {
                    "bool": {
                        "filter": [
                            {"term": {"owner": owner}},
                            {"terms": {"article_ids": list(article_ids)}},
                        ]
                    }
                },
                "sort": [{"name": "asc"}],
                "_source": {"excludes": ["entries"]},
            },
        )
    except NotFoundError:
        return {}
    found: dict[str, list[CollectionSummary]] = {}
    for hit in raw["hits"]["hits"]:
        held = set(hit["_source"]["article_ids"])
        for article_id in article_ids:
            if article_id in held:
                found.setdefault(article_id, []).append(_summary(hit["_source"]))
    return found


def _stored(
    client: OpenSearch, articles_alias: str, owner: str, collection_id: str
) -> dict[str, Any]:
    """The owner's list as stored, with `_seq_no` and `_primary_term`; 404 for anyone else's."""
    try:
        found = dict(client.get(index=collections_alias(articles_alias), id=collection_id))
    except NotFoundError:
        found = {}
    if not found.get("found") or found["_source"].get("owner") != owner:  # or a name's claim
        raise CollectionNotFound(
            f"No collection of yours has the id '{collection_id}'.", "collection_id"
        )
    return found


def _articles(
    client: OpenSearch, articles_alias: str, ids: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """The articles' stored fields (the export's), by id; taken-down ones are absent."""
    if not ids:
        return {}
    raw = client.search(
        index=articles_alias,
        body={
            "size": len(ids),
            "query": {"ids": {"values": list(ids)}},
            "_source": {"includes": list(EXPORT_FIELDS)},
        },
    )
    return {hit["_id"]: hit["_source"] for hit in raw["hits"]["hits"]}


def get(client: OpenSearch, articles_alias: str, owner: str, collection_id: str) -> Collection:
    source = _stored(client, articles_alias, owner, collection_id)["_source"]
    entries = source.get("entries", [])
    found = _articles(client, articles_alias, [e["article_id"] for e in entries])
    articles = []
    for entry in entries:
        article = found.get(entry["article_id"], {})
        articles.append(
            CollectedArticle(
                id=entry["article_id"],
                added_at=entry["added_at"],
                missing=not article,
                title=article.get("title") or "",
                source=article.get("source"),
                url=article.get("url"),
                published_at=article.get("published_at"),
            )
        )
    return Collection(**_summary(source).model_dump(), articles=articles)


def export_rows(
    client: OpenSearch, articles_alias: str, owner: str, collection_id: str
) -> tuple[CollectionSummary, list[dict[str, Any]]]:
    """The list and its articles' stored fields, in the list's order (taken-down ones left out)."""
    source = _stored(client, articles_alias, owner, collection_id)["_source"]
    ids = [e["article_id"] for e in source.get("entries", [])]
    found = _articles(client, articles_alias, ids)
    return _summary(source), [found[i] for i in ids if i in found]


def _unchanged_since_read(
    client: OpenSearch,
    articles_alias: str,
    owner: str,
    collection_id: str,
    write: Callable[[dict[str, Any]], None],
) -> dict[str, Any]:
    """Read the list and `write` against what was read (its `if_seq_no`), reading again when
    someone wrote meanwhile; returns the version the write replaced."""
    for attempt in range(WRITE_TRIES):
        stored = _stored(client, articles_alias, owner, collection_id)
        try:
            write(stored)
        except ConflictError:
            if attempt == WRITE_TRIES - 1:
                raise
            continue
        return stored
    raise AssertionError("unreachable")  # pragma: no cover


def _change(
    client: OpenSearch,
    articles_alias: str,
    owner: str,
    collection_id: str,
    change: Callable[[dict[str, Any]], None],
) -> CollectionSummary:
    """Apply `change` to the stored list and write it back unless someone wrote meanwhile."""

    def write(stored: dict[str, Any]) -> None:
        source: dict[str, Any] = stored["_source"]
        change(source)
        source["article_ids"] = [e["article_id"] for e in source["entries"]]
        source["article_count"] = len(source["entries"])
        source["updated_at"] = datetime.now(UTC).isoformat()
        client.index(
            index=collections_alias(articles_alias),
            id=collection_id,
            body=source,
            if_seq_no=stored["_seq_no"],
            if_primary_term=stored["_primary_term"],
            refresh="wait_for",
        )

    written = _unchanged_since_read(client, articles_alias, owner, collection_id, write)
    return _summary(written["_source"])


def add(
    client: OpenSearch,
    articles_alias: str,
    owner: str,
    collection_id: str,
    article_id: str,
    limit: int = MAX_ARTICLES,
) -> CollectionSummary:
    """Put the article at the end of the list; adding one already there changes nothing;
    409 when it holds `limit` articles."""
    limit = min(limit, MAX_ARTICLES)
    if not _articles(client, articles_alias, [article_id]):
        raise CollectionNotFound(f"No article has the id '{article_id}'.", "article_id")

    def _append(source: dict[str, Any]) -> None:
        entries = source.setdefault("entries", [])
        if any(e["article_id"] == article_id for e in entries):
            return
        if len(entries) >= limit:
            raise CollectionFull(
                f"A collection holds at most {limit} articles; "
                "remove some or start another collection.",
                "article_id",
            )
        entries.append({"article_id": article_id, "added_at": datetime.now(UTC).isoformat()})

    return _change(client, articles_alias, owner, collection_id, _append)


def remove(
    client: OpenSearch, articles_alias: str, owner: str, collection_id: str, article_id: str
) -> CollectionSummary:
    def _drop(source: dict[str, Any]) -> None:
        entries = source.get("entries", [])
        if not any(e["article_id"] == article_id for e in entries):
            raise CollectionNotFound(
                f"The collection does not hold the article '{article_id}'.", "article_id"
            )
        source["entries"] = [e for e in entries if e["article_id"] != article_id]

    return _change(client, articles_alias, owner, collection_id, _drop)


def rename(
    client: OpenSearch, articles_alias: str, owner: str, collection_id: str, asked: CollectionIn
) -> CollectionSummary:
    """Claim the new name before writing it, and free the name the written version replaced
    (read in the same read-change-write, so a rename racing this one frees the right one)."""
    index = collections_alias(articles_alias)
    claimed = False
    replaced: list[str] = []

    def _name(source: dict[str, Any]) -> None:
        nonlocal claimed
        if source["name"] != asked.name and not claimed:
            _claim_name(client, index, owner, asked.name, collection_id)
            claimed = True
        replaced.append(source["name"])
        source["name"] = asked.name

    try:
        renamed = _change(client, articles_alias, owner, collection_id, _name)
    except Exception:
        if claimed:
            names.release(client, index, owner, asked.name, collection_id)
        raise
    if replaced[-1] != asked.name:
        names.release(client, index, owner, replaced[-1], collection_id)
    return renamed


def delete(client: OpenSearch, articles_alias: str, owner: str, collection_id: str) -> None:
    """Delete the version read, so its name is the one freed (a rename may come between)."""
    index = collections_alias(articles_alias)

    def write(stored: dict[str, Any]) -> None:
        # Not found: the client's retry of a delete that went through. Gone, as asked.
        with contextlib.suppress(NotFoundError):
            client.delete(
                index=index,
                id=collection_id,
                if_seq_no=stored["_seq_no"],
                if_primary_term=stored["_primary_term"],
                refresh="wait_for",
            )

    deleted = _unchanged_since_read(client, articles_alias, owner, collection_id, write)
    names.release(client, index, owner, deleted["_source"]["name"], collection_id)
