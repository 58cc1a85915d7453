"""Name claims: what keeps an owner's collection names unique when two writes race.

A query for the name and then a write leave a gap in which a second create (or rename) of the
same name passes the query too. So a name is claimed first: a document of the collections index
whose `_id` is a digest of (owner, name), written with `op_type=create`, which OpenSearch writes
once and refuses (409) after, atomically on the shard. A collection is written only once its
name is claimed; the claim goes when the list is deleted, renamed away or its write fails. A
claim has no `owner` field, so the owner's lists, counts and searches never meet one (a lookup by id
may, and answers it as no list of theirs).

Names compare exactly, as the `name` keyword field and its `term` query always did: 'Leads' and
'leads' are two names. Lists made before claims existed have none; the query for the name still
runs first and refuses their names. A claim left by a process that died between its steps is
stale once its list does not hold the name and it is older than `STALE_AFTER`; the next claim
of that name removes it, so a name is never lost for good.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from opensearchpy import ConflictError, NotFoundError, OpenSearch

from search.collections.models import CollectionNameTaken

#: Beginning of a claim's `_id`; a collection's is a bare uuid4 hex, so the two never meet.
CLAIM_PREFIX: Final = "name-"
#: Far longer than a create or rename can take between its claim and its write, retries and
#: timeouts of every call included (a rename retries its write up to five times).
STALE_AFTER: Final = timedelta(minutes=10)


def claim_id(owner: str, name: str) -> str:
    """The `_id` of the claim: one per owner and exact name (JSON keeps the pair unambiguous)."""
    pair = json.dumps([owner, name]).encode()  # ASCII escapes: any string encodes
    return CLAIM_PREFIX + hashlib.sha256(pair).hexdigest()


def taken(name: str) -> CollectionNameTaken:
    return CollectionNameTaken(
        f"You already have a collection called '{name}'; choose another name.", "name"
    )


def claim(client: OpenSearch, index: str, owner: str, name: str, collection_id: str) -> None:
    """Take `name` for the owner's `collection_id`; 409 when another list holds its claim."""
    body = {
        "name": name,
        "collection_id": collection_id,
        "created_at": datetime.now(UTC).isoformat(),
    }
    for _ in range(2):
        try:
            client.create(index=index, id=claim_id(owner, name), body=body)
            return
        except ConflictError:
            holder = _claim(client, index, owner, name)
            if holder and holder["_source"]["collection_id"] == collection_id:
                return  # a retried request found its own first try's claim
            if holder and not _cleared_if_stale(client, index, owner, holder):
                break
    raise taken(name)


def release(client: OpenSearch, index: str, owner: str, name: str, collection_id: str) -> None:
    """Free `name` if `collection_id` holds the claim but not the name: a list made before
    claims holds no claim, a name claimed by another list since stays that list's, and a write
    reported failed that landed all the same (a timeout) keeps its name."""
    holder = _claim(client, index, owner, name)
    if holder is None or holder["_source"]["collection_id"] != collection_id:
        return
    if _holds(client, index, owner, collection_id, name):
        return
    _drop(client, index, holder)


def _drop(client: OpenSearch, index: str, holder: dict[str, Any]) -> None:
    """Delete the claim as read: one released or claimed again since is left alone."""
    with contextlib.suppress(ConflictError, NotFoundError):
        client.delete(
            index=index,
            id=holder["_id"],
            if_seq_no=holder["_seq_no"],
            if_primary_term=holder["_primary_term"],
        )


def _claim(client: OpenSearch, index: str, owner: str, name: str) -> dict[str, Any] | None:
    try:
        found = dict(client.get(index=index, id=claim_id(owner, name)))
    except NotFoundError:
        return None
    return found if found.get("found") else None


def _cleared_if_stale(client: OpenSearch, index: str, owner: str, holder: dict[str, Any]) -> bool:
    """Remove the claim if its list does not hold the name and it is old (its maker died
    between steps); True when the name may be claimed again."""
    source = holder["_source"]
    age = datetime.now(UTC) - datetime.fromisoformat(source["created_at"])
    if age < STALE_AFTER or _holds(client, index, owner, source["collection_id"], source["name"]):
        return False
    _drop(client, index, holder)
    return True


def _holds(client: OpenSearch, index: str, owner: str, collection_id: str, name: str) -> bool:
    try:
        found = dict(client.get(index=index, id=collection_id))
    except NotFoundError:
        return False
    source = found.get("_source", {})
    return bool(found.get("found") and source.get("owner") == owner and source["name"] == name)
