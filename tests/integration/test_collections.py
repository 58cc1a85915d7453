"""Collections against a real node: named lists of articles that belong to their key, bounded,
refused with what to fix, and exported with the search export's columns and safe cells; a name
stays one list's however many creates and renames race for it."""

from __future__ import annotations

import csv
import io
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient
from opensearchpy import ConnectionError, NotFoundError, OpenSearch
from pydantic import SecretStr

from search.api.routes.search import EXPORT_COLUMNS
from search.app import create_app
from search.collections import models, names, store
from search.collections.models import CollectionIn, CollectionNameTaken
from search.http.csv_cells import UTF8_BOM
from search.index import schema
from search.settings import Settings
from tests.integration.test_duplicates import ingest, story

pytestmark = pytest.mark.integration
ALICE, BOB = "alice-key", "bob-key"
RACERS = 8
T = TypeVar("T")
FORMULA = '=HYPERLINK("http://example.com","click")'


@pytest.fixture
def keyed(settings: Settings, os_client: OpenSearch, tmp_path: Path) -> Settings:
    schema.ensure_index(os_client, settings.index)
    records = [story(1), story(2, title=FORMULA), story(3, title="<b>Third</b> & last")]
    ingest(os_client, settings, records, tmp_path)
    return settings.model_copy(
        update={"api_keys": [SecretStr(ALICE), SecretStr(BOB)], "rate_limit_per_minute": 100_000}
    )


@pytest.fixture
def api(keyed: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(keyed), raise_server_exceptions=False) as client:
        yield client


def _ids(api: TestClient) -> list[str]:
    hits = api.get("/v1/search", params={"sort": "oldest"}).json()["hits"]
    return [hit["id"] for hit in hits]


def _call(api: TestClient, method: str, path: str, key: str = ALICE, **kwargs: Any) -> Any:
    return api.request(method, f"/v1/collections{path}", headers={"X-API-Key": key}, **kwargs)


def _new(api: TestClient, name: str, key: str = ALICE) -> dict[str, Any]:
    made = _call(api, "POST", "", key, json={"name": name})
    assert made.status_code == 201, made.text
    found: dict[str, Any] = made.json()
    return found


def test_a_collection_keeps_articles_in_order_and_exports_them(api: TestClient) -> None:
    first, second, third = _ids(api)
    made = _new(api, "  Dock   strike  ")
    assert made["name"] == "Dock strike"
    assert made["article_count"] == 0
    path = f"/{made['id']}"
    for article_id in (third, second, third):  # adding one it holds changes nothing
        added = _call(api, "POST", f"{path}/articles", json={"article_id": article_id})
        assert added.status_code == 200, added.text
    assert added.json()["article_count"] == 2
    held = _call(api, "GET", path).json()
    assert [a["id"] for a in held["articles"]] == [third, second]
    assert held["articles"][0]["title"] == "<b>Third</b> & last"

    exported = _call(api, "GET", f"{path}/export")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert 'filename="collection-dock-strike.csv"' in exported.headers["content-disposition"]
    assert exported.text.startswith(UTF8_BOM)
    rows = list(csv.reader(io.StringIO(exported.text.removeprefix(UTF8_BOM))))
    assert rows[0] == list(EXPORT_COLUMNS)
    assert [row[0] for row in rows[1:]] == [third, second]
    assert rows[2][EXPORT_COLUMNS.index("title")] == "'" + FORMULA  # shown as text
    lines = _call(api, "GET", f"{path}/export", params={"format": "ndjson"}).text.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [third, second]
    assert set(json.loads(lines[0])) == set(EXPORT_COLUMNS)

    removed = _call(api, "DELETE", f"{path}/articles/{third}")
    assert removed.status_code == 200, removed.text
    assert [a["id"] for a in _call(api, "GET", path).json()["articles"]] == [second]
    again = _call(api, "DELETE", f"{path}/articles/{third}")
    assert again.status_code == 404
    assert again.json()["parameter"] == "article_id"

    renamed = _call(api, "PATCH", path, json={"name": "Port strike"})
    assert renamed.status_code == 200, renamed.text
    listed = _call(api, "GET", "").json()
    assert [(c["name"], c["article_count"]) for c in listed] == [("Port strike", 1)]
    assert first not in {a["id"] for a in _call(api, "GET", path).json()["articles"]}
    assert _call(api, "DELETE", path).status_code == 200
    assert _call(api, "GET", path).status_code == 404
    assert _call(api, "GET", "").json() == []


def test_each_key_sees_and_changes_only_its_own(api: TestClient) -> None:
    mine = _new(api, "Mine")
    path = f"/{mine['id']}"
    assert _call(api, "GET", "", BOB).json() == []
    assert _call(api, "GET", path, BOB).status_code == 404
    article_id = _ids(api)[0]
    theirs = _call(api, "POST", f"{path}/articles", BOB, json={"article_id": article_id})
    assert theirs.status_code == 404
    assert theirs.json()["parameter"] == "collection_id"
    assert _call(api, "DELETE", path, BOB).status_code == 404
    assert _call(api, "GET", f"{path}/export", BOB).status_code == 404
    assert api.get("/v1/collections").status_code == 401
    assert _new(api, "Mine", BOB)["name"] == "Mine"  # a name is taken per key


def test_mistakes_are_refused_with_what_to_fix(api: TestClient) -> None:
    made = _new(api, "Leads")
    taken = _call(api, "POST", "", json={"name": "Leads"})
    assert taken.status_code == 409
    assert "already have" in taken.json()["detail"]
    for bad in ({"name": ""}, {"name": "   "}, {"name": "x" * (models.MAX_NAME_CHARS + 1)}, {}):
        refused = _call(api, "POST", "", json=bad)
        assert refused.status_code == 400, bad
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "name" in refused.text
    nowhere = _call(api, "POST", f"/{made['id']}/articles", json={"article_id": "no-such"})
    assert nowhere.status_code == 404
    assert nowhere.json()["parameter"] == "article_id"
    assert "no-such" in nowhere.json()["detail"]


def test_a_collection_and_an_owner_are_bounded(keyed: Settings) -> None:
    small = keyed.model_copy(update={"articles_per_collection": 2, "collections_per_key": 2})
    with TestClient(create_app(small), raise_server_exceptions=False) as api:
        first, second, third = _ids(api)
        made = _new(api, "Small")
        for article_id in (first, second):
            _call(api, "POST", f"/{made['id']}/articles", json={"article_id": article_id})
        full = _call(api, "POST", f"/{made['id']}/articles", json={"article_id": third})
        assert full.status_code == 409
        assert "at most 2 articles" in full.json()["detail"]
        _new(api, "Second")
        many = _call(api, "POST", "", json={"name": "Third"})
        assert many.status_code == 409
        assert "at most 2 collections" in many.json()["detail"]


def _race(calls: list[Callable[[], T]]) -> list[T | CollectionNameTaken]:
    """Run the calls at once, each in its own thread started at a barrier; what each returned
    or the 409 it raised."""
    start = threading.Barrier(len(calls), timeout=30)

    def _one(call: Callable[[], T]) -> T | CollectionNameTaken:
        start.wait()
        try:
            return call()
        except CollectionNameTaken as refused:
            return refused

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(_one, calls))


def _names(os_client: OpenSearch, settings: Settings, owner: str = ALICE) -> list[str]:
    return sorted(c.name for c in store.mine(os_client, settings.index, owner))


def _made(os_client: OpenSearch, settings: Settings, name: str) -> models.Collection:
    return store.create(os_client, settings.index, ALICE, CollectionIn(name=name))


def test_simultaneous_creates_of_one_name_make_one_list(
    os_client: OpenSearch, settings: Settings
) -> None:
    def _create() -> models.Collection:
        return _made(os_client, settings, "Leads")

    store.ensure_collections(os_client, settings.index)  # the racers meet at the name only
    results = _race([_create] * RACERS)
    refused = [r for r in results if isinstance(r, CollectionNameTaken)]
    assert len(refused) == RACERS - 1, results
    assert all(r.parameter == "name" and "'Leads'" in r.message for r in refused)
    assert _names(os_client, settings) == ["Leads"]
    assert _made(os_client, settings, "leads").name == "leads"  # names compare exactly
    assert store.create(os_client, settings.index, BOB, CollectionIn(name="Leads")).name == "Leads"


def test_a_deleted_lists_name_can_be_used_again(os_client: OpenSearch, settings: Settings) -> None:
    first = _made(os_client, settings, "Leads")
    store.delete(os_client, settings.index, ALICE, first.id)
    again = _made(os_client, settings, "Leads")
    assert again.id != first.id
    assert _names(os_client, settings) == ["Leads"]
    with pytest.raises(CollectionNameTaken):
        _made(os_client, settings, "Leads")


def test_a_rename_onto_a_taken_name_is_refused_and_frees_the_old_name(
    os_client: OpenSearch, settings: Settings
) -> None:
    leads = _made(os_client, settings, "Leads")
    notes = _made(os_client, settings, "Notes")
    with pytest.raises(CollectionNameTaken) as taken:
        store.rename(os_client, settings.index, ALICE, notes.id, CollectionIn(name="Leads"))
    assert taken.value.parameter == "name"
    store.rename(os_client, settings.index, ALICE, leads.id, CollectionIn(name="Sources"))
    assert _made(os_client, settings, "Leads").name == "Leads"  # freed by the rename
    with pytest.raises(CollectionNameTaken):
        store.rename(os_client, settings.index, ALICE, notes.id, CollectionIn(name="Sources"))
    store.rename(os_client, settings.index, ALICE, notes.id, CollectionIn(name="Notes"))  # own
    assert _names(os_client, settings) == ["Leads", "Notes", "Sources"]


def test_simultaneous_renames_onto_one_name_rename_one_list(
    os_client: OpenSearch, settings: Settings
) -> None:
    made = [_made(os_client, settings, f"List {n}") for n in range(RACERS)]

    def _renaming(collection_id: str) -> Callable[[], models.CollectionSummary]:
        asked = CollectionIn(name="Leads")
        return lambda: store.rename(os_client, settings.index, ALICE, collection_id, asked)

    results = _race([_renaming(c.id) for c in made])
    won = [c for c, r in zip(made, results, strict=True) if not isinstance(r, CollectionNameTaken)]
    assert len(won) == 1, results
    kept = sorted(c.name for c in made if c is not won[0])
    assert _names(os_client, settings) == sorted([*kept, "Leads"])
    assert _made(os_client, settings, won[0].name).name == won[0].name  # its old name is free


def test_a_list_made_before_name_claims_keeps_its_name(
    os_client: OpenSearch, settings: Settings
) -> None:
    store.ensure_collections(os_client, settings.index)
    index = store.collections_alias(settings.index)
    old_id, now = uuid.uuid4().hex, datetime.now(UTC).isoformat()
    old: dict[str, Any] = {"collection_id": old_id, "owner": ALICE, "name": "Leads", "entries": []}
    old |= {"created_at": now, "updated_at": now, "article_ids": [], "article_count": 0}
    os_client.index(index=index, id=old_id, body=old, refresh=True)  # as the store wrote it
    with pytest.raises(CollectionNameTaken):
        _made(os_client, settings, "Leads")
    store.rename(os_client, settings.index, ALICE, old_id, CollectionIn(name="Old"))
    assert os_client.exists(index=index, id=names.claim_id(ALICE, "Old"))
    assert _made(os_client, settings, "Leads").name == "Leads"


def test_a_failed_write_frees_the_name(
    os_client: OpenSearch, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def _down(**_: Any) -> None:
        raise ConnectionError("N/A", "the node went away", Exception())

    with monkeypatch.context() as patched:
        patched.setattr(os_client, "index", _down)
        with pytest.raises(ConnectionError):
            _made(os_client, settings, "Leads")
    assert _names(os_client, settings) == []
    assert _made(os_client, settings, "Leads").name == "Leads"


def test_a_write_reported_failed_that_landed_keeps_its_name(
    os_client: OpenSearch, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A timeout after the list was written: the list stands, and its name stays claimed."""
    write = os_client.index

    def _lands_then_times_out(**kwargs: Any) -> Any:
        write(**kwargs)
        raise ConnectionError("N/A", "the answer never came", Exception())

    with monkeypatch.context() as patched:
        patched.setattr(os_client, "index", _lands_then_times_out)
        with pytest.raises(ConnectionError):
            _made(os_client, settings, "Leads")
    assert _names(os_client, settings) == ["Leads"]
    claim = os_client.get(
        index=store.collections_alias(settings.index), id=names.claim_id(ALICE, "Leads")
    )
    assert claim["found"]
    with pytest.raises(CollectionNameTaken):
        _made(os_client, settings, "Leads")


def test_a_delete_answered_not_found_on_its_retry_is_done(
    os_client: OpenSearch, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The client retries a delete whose answer timed out; the retry finds the list gone. The
    delete succeeded: no error, and the name is free again at once."""
    made = _made(os_client, settings, "Leads")
    remove = os_client.delete

    def _gone_on_retry(**kwargs: Any) -> Any:
        remove(**kwargs)
        raise NotFoundError(404, "not_found", {"result": "not_found"})

    with monkeypatch.context() as patched:
        patched.setattr(os_client, "delete", _gone_on_retry)
        store.delete(os_client, settings.index, ALICE, made.id)
    assert _names(os_client, settings) == []
    assert _made(os_client, settings, "Leads").name == "Leads"


def test_a_claim_left_by_a_dead_process_gives_way_once_old(
    os_client: OpenSearch, settings: Settings
) -> None:
    store.ensure_collections(os_client, settings.index)
    index = store.collections_alias(settings.index)

    def _left(name: str, at: datetime) -> None:
        claim = {"name": name, "collection_id": uuid.uuid4().hex, "created_at": at.isoformat()}
        os_client.index(index=index, id=names.claim_id(ALICE, name), body=claim)

    _left("Leads", datetime.now(UTC) - names.STALE_AFTER * 2)
    _left("Notes", datetime.now(UTC))  # as if its create were still under way
    assert _made(os_client, settings, "Leads").name == "Leads"
    with pytest.raises(CollectionNameTaken):
        _made(os_client, settings, "Notes")


def test_a_claim_is_not_a_list(os_client: OpenSearch, settings: Settings) -> None:
    made = _made(os_client, settings, "Leads")
    with pytest.raises(models.CollectionNotFound):  # not a 500 on a document without an owner
        store.get(os_client, settings.index, ALICE, names.claim_id(ALICE, "Leads"))
    assert [c.id for c in store.mine(os_client, settings.index, ALICE)] == [made.id]
