"""Versioned indexes behind an alias: create idempotently, migrate by reindex and atomic swap."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from opensearchpy import NotFoundError, OpenSearch

MAPPINGS_DIR = Path(__file__).resolve().parents[2] / "index_mappings"
_VERSIONED = re.compile(r"^(?P<alias>.+)-v(?P<version>\d+)$")


@cache
def load_definition(name: str = "articles") -> dict[str, Any]:
    """Settings and mappings of an index, from index_mappings/<name>.json."""
    data: dict[str, Any] = json.loads((MAPPINGS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return data


def index_body() -> dict[str, Any]:
    definition = load_definition()
    return {"settings": definition["settings"], "mappings": definition["mappings"]}


def versioned_name(alias: str, version: int) -> str:
    return f"{alias}-v{version}"


def version_of(index: str) -> int:
    match = _VERSIONED.match(index)
    if match is None:
        raise ValueError(f"index {index!r} is not named <alias>-v<N>")
    return int(match["version"])


def current_index(client: OpenSearch, alias: str) -> str | None:
    """The concrete index behind the alias, or None when the alias does not exist."""
    try:
        found = client.indices.get_alias(name=alias)
    except NotFoundError:
        return None
    names = sorted(found, key=version_of)
    return names[-1] if names else None


@dataclass(frozen=True)
class EnsureResult:
    index: str
    created: bool
    mapping_updated: bool


def ensure_index(client: OpenSearch, alias: str) -> EnsureResult:
    """Create `<alias>-v1` behind the alias if missing; else add any new mapping fields only."""
    existing = current_index(client, alias)
    body = index_body()
    if existing is None:
        name = versioned_name(alias, load_definition()["version"])
        if not client.indices.exists(index=name):
            client.indices.create(index=name, body={**body, "aliases": {alias: {}}})
            client.cluster.health(index=name, wait_for_status="yellow")
            return EnsureResult(name, created=True, mapping_updated=False)
        client.indices.put_alias(index=name, name=alias)
        existing = name
    current = client.indices.get_mapping(index=existing)[existing]["mappings"]
    wanted = body["mappings"]
    missing = {
        k: v for k, v in wanted["properties"].items() if k not in current.get("properties", {})
    }
    if missing:
        client.indices.put_mapping(index=existing, body={"properties": missing})
    return EnsureResult(existing, created=False, mapping_updated=bool(missing))


@dataclass(frozen=True)
class MigrateResult:
    old_index: str | None
    new_index: str
    documents: int


def migrate(client: OpenSearch, alias: str) -> MigrateResult:
    """Copy the alias's index into the next version with today's mapping, then swap atomically.

    Readers keep using the old index until the swap, which is a single alias update, so no
    search fails during a migration. Writes made during the reindex are not carried over.
    """
    old = current_index(client, alias)
    next_version = (version_of(old) + 1) if old else load_definition()["version"]
    new = versioned_name(alias, next_version)
    client.indices.create(index=new, body=index_body())
    client.cluster.health(index=new, wait_for_status="yellow")
    if old is not None:
        client.reindex(
            body={"source": {"index": old}, "dest": {"index": new}},
            wait_for_completion=True,
            refresh=True,
            request_timeout=3600,
        )
        actions = [
            {"remove": {"index": old, "alias": alias}},
            {"add": {"index": new, "alias": alias}},
        ]
    else:
        actions = [{"add": {"index": new, "alias": alias}}]
    client.indices.update_aliases(body={"actions": actions})
    count = int(client.count(index=new)["count"])
    return MigrateResult(old_index=old, new_index=new, documents=count)


def drop(client: OpenSearch, alias: str) -> list[str]:
    """Delete every index behind the alias (tests and `newsroom index drop`)."""
    try:
        names = list(client.indices.get_alias(name=alias))
    except NotFoundError:
        return []
    for name in names:
        client.indices.delete(index=name)
    return names
