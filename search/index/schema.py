"""Versioned indexes behind an alias: create idempotently, migrate by reindex and atomic swap."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from opensearchpy import NotFoundError, OpenSearch, RequestError

from search import languages

#: index_mappings/ at the top of the repository, through the link `search/index/mappings`, so
#: the same files ship inside the wheel as package data.
MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"
_VERSIONED = re.compile(r"^(?P<alias>.+)-v(?P<version>\d+)$")


@cache
def load_definition(name: str = "articles") -> dict[str, Any]:
    """Settings and mappings of an index, from index_mappings/<name>.json."""
    data: dict[str, Any] = json.loads((MAPPINGS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return data


def index_body(name: str = "articles") -> dict[str, Any]:
    """A fresh copy: callers may change it without changing the cached definition.

    A definition that `extends` another (saved searches extend articles: a percolator query is
    parsed against the fields it will meet) takes that one's analysis and properties too. One
    with `language_fields` gets the per-language title and body fields of `search.languages`,
    so a language is added in that table alone."""
    definition = copy.deepcopy(load_definition(name))
    body = {"settings": definition["settings"], "mappings": definition["mappings"]}
    if definition.get("language_fields"):
        body["mappings"]["properties"].update(languages.mapping_properties())
    if base_name := definition.get("extends"):
        base = index_body(base_name)
        body["settings"] = {**base["settings"], **body["settings"]}
        properties = {**base["mappings"]["properties"], **body["mappings"]["properties"]}
        body["mappings"] = {**body["mappings"], "properties": properties}
    return body


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


def ensure_index(client: OpenSearch, alias: str, definition: str = "articles") -> EnsureResult:
    """Create `<alias>-v1` behind the alias if missing; else add any new mapping fields only.

    `definition` names the file in index_mappings/ (articles, entities, entity_audit).
    """
    existing = current_index(client, alias)
    body = index_body(definition)
    if existing is None:
        name = versioned_name(alias, load_definition(definition)["version"])
        if not client.indices.exists(index=name):
            try:
                client.indices.create(index=name, body={**body, "aliases": {alias: {}}})
            except RequestError as exc:
                # Another process (an ingest worker) created it between the check and here.
                if exc.error != "resource_already_exists_exception":
                    raise
            else:
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


class MigrationFailed(RuntimeError):
    """The copy into the new index was incomplete; the alias was not swapped."""


#: An alias filter nothing passes: the new index takes writes during a migration but stays out
#: of reads until the swap, so no search counts an article twice.
_HIDDEN: dict[str, Any] = {"bool": {"must_not": [{"match_all": {}}]}}


def migrate(client: OpenSearch, alias: str) -> MigrateResult:
    """Copy the alias's index into the next version with today's mapping, losing no write made
    meanwhile, and swap the alias over.

    1. Create `<alias>-v<N+1>` and, in one alias update, make it the alias's write index, with a
       filter that hides it from reads. From then on every write through the alias (the bulk
       writer's upserts, the API) lands in the new index; searches still read the old one only.
    2. Put a write block on the old index. Adding it waits for writes already under way there,
       so the copy below starts from the old index's last state.
    3. Reindex old -> new with `op_type: create` and `conflicts: proceed`: a document written to
       the new index since step 1 is newer than its old copy, so the copy skips it.
    4. In one alias update, take the old index out and lift the new one's filter.

    Readers see the old index, whole and unchanged, until step 4 and the new one after it; a
    write made during the migration shows in searches from step 4 on. While the alias holds two
    indices, a lookup by id through it is refused ("more than one index"): the API falls back
    to a search, the ingest then rewrites rather than skips unchanged articles. A takedown
    during the migration reaches only the new index, so an article not yet copied comes back:
    repeat takedowns made meanwhile. The old index stays, write-blocked, for a rollback.
    """
    old = current_index(client, alias)
    next_version = (version_of(old) + 1) if old else load_definition()["version"]
    new = versioned_name(alias, next_version)
    client.indices.create(index=new, body=index_body())
    client.cluster.health(index=new, wait_for_status="yellow")
    if old is None:
        client.indices.update_aliases(
            body={"actions": [{"add": {"index": new, "alias": alias, "is_write_index": True}}]}
        )
        return MigrateResult(old_index=None, new_index=new, documents=0)
    writes_to_new = [
        {"add": {"index": old, "alias": alias, "is_write_index": False}},
        {"add": {"index": new, "alias": alias, "is_write_index": True, "filter": _HIDDEN}},
    ]
    client.indices.update_aliases(body={"actions": writes_to_new})
    client.indices.add_block(index=old, block="write")
    client.indices.refresh(index=old)
    copied = client.reindex(
        body={
            "conflicts": "proceed",
            "source": {"index": old},
            "dest": {"index": new, "op_type": "create"},
            "script": backfill_language_fields(),
        },
        wait_for_completion=True,
        refresh=True,
        request_timeout=3600,
    )
    if copied.get("failures"):  # the alias stays as it is: writes go on, reads see the old index
        raise MigrationFailed(f"copying {old} to {new} failed: {copied['failures'][:3]}")
    swap = [
        {"remove": {"index": old, "alias": alias}},
        {"add": {"index": new, "alias": alias, "is_write_index": True}},
    ]
    client.indices.update_aliases(body={"actions": swap})
    count = int(client.count(index=new)["count"])
    return MigrateResult(old_index=old, new_index=new, documents=count)


#: Gives a copied article the fields of its language group when it lacks them (an index from
#: before a language was added); what the ingest writes is the same (`languages.language_fields`).
_BACKFILL = """
def src = ctx._source;
if (src.title_other != null) { return; }
for (def s : params.suffixes) { if (src['body_' + s] != null) { return; } }
def code = src.language;
if (code == null || code == params.english) { return; }
def suffix = params.suffixes.contains(code) ? code : params.other;
src['title_' + suffix] = src.title;
src['body_' + suffix] = src.body;
"""


def backfill_language_fields() -> dict[str, Any]:
    """The reindex script of a migration: articles copied from an older index get their
    language's fields, so a query matches them in their language from the swap on."""
    return {
        "lang": "painless",
        "source": _BACKFILL,
        "params": {
            "suffixes": list(languages.suffixes()),
            "english": languages.ENGLISH.code,
            "other": languages.OTHER,
        },
    }


def drop(client: OpenSearch, alias: str) -> list[str]:
    """Delete every index behind the alias (tests and `newsroom index drop`)."""
    try:
        names = list(client.indices.get_alias(name=alias))
    except NotFoundError:
        return []
    for name in names:
        client.indices.delete(index=name)
    return names
