"""One identity per entity across the archive, and editors' corrections, on a real node.

Each test ingests the same small set of stories through the real pipeline (spaCy included)
into its own index and registry; facet counts are checked against counts computed
independently from the indexed documents.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from opensearchpy import OpenSearch, helpers
from pydantic import SecretStr

from search.app import create_app
from search.ingest.run import ingest_paths
from search.settings import Settings
from tests.conftest import drop_everything

pytestmark = pytest.mark.integration
KEY = "editor-key-" + uuid.uuid4().hex
STORIES = [
    "Treasury Secretary James Baker met Chancellor Helmut Kohl in Bonn on Monday to discuss "
    "the dollar. Baker said the talks with Kohl were useful.",
    "Baker told reporters in Washington that the Treasury would not intervene.",
    "White House chief of staff Howard Baker said President Ronald Reagan would veto the "
    "bill. Reagan has opposed it for months.",
    "Reagan said on Tuesday that he would meet Soviet leader Mikhail Gorbachev in Geneva.",
    "General Motors Corp (GM) said its sales fell in March. GM blamed weak demand in Detroit.",
    "GM said it would close a plant in Michigan.",
    "Executives at Chrysler Corp said Lee Iacocca would stay as chairman of Chrysler.",
]
LATER = "Lee Iacocca said on Friday that Chrysler would build a new plant near Detroit."


def _write(path: Path, stories: list[str], start: int = 0) -> Path:
    lines = [
        json.dumps(
            {
                "id": str(start + n),
                "title": f"Story {start + n}",
                "body": body,
                "published_at": f"1987-03-{10 + start + n:02d}",
                "source": "Wire",
            }
        )
        for n, body in enumerate(stories)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def archive(
    node_settings: Settings, os_client: OpenSearch, tmp_path: Path
) -> Iterator[tuple[Settings, Path]]:
    alias = f"test-registry-{uuid.uuid4().hex[:10]}"
    settings = node_settings.model_copy(
        update={"index": alias, "dead_letter_dir": tmp_path, "api_keys": [SecretStr(KEY)]}
    )
    stories = _write(tmp_path / "stories.ndjson", STORIES)
    ingest_paths(settings, [stories])
    try:
        yield settings, stories
    finally:
        drop_everything(os_client, alias)


@pytest.fixture
def api(archive: tuple[Settings, Path]) -> Iterator[TestClient]:
    with TestClient(create_app(archive[0]), raise_server_exceptions=False) as client:
        yield client


def _docs(client: OpenSearch, index: str) -> list[dict[str, Any]]:
    client.indices.refresh(index=index)
    return [
        h["_source"] for h in helpers.scan(client, index=index, query={"query": {"match_all": {}}})
    ]


def _independent(client: OpenSearch, index: str, type_: str) -> Counter[str]:
    """Articles per name, counted from the documents' entities: an identity's canonical
    name, or the name as written of one no identity claims."""
    counts: Counter[str] = Counter()
    for doc in _docs(client, index):
        for entity in doc.get("entities", []):
            if entity["type"] == type_ and not entity.get("blocked"):
                counts[entity["name"]] += 1
    return counts


def _facet(api: TestClient, name: str) -> dict[str, int]:
    response = api.get("/v1/search", params={"q": "", "facet_size": 100})
    assert response.status_code == 200, response.text
    return {row["value"]: row["count"] for row in response.json()["facets"][name]}


def _ids(api: TestClient, name: str) -> dict[str, str]:
    response = api.get("/v1/search", params={"q": "", "facet_size": 100})
    return {row["value"]: row["id"] for row in response.json()["facets"][name]}


def _correct(api: TestClient, **body: Any) -> dict[str, Any]:
    response = api.post("/v1/entities/corrections", json=body, headers={"X-API-Key": KEY})
    assert response.status_code == 201, response.text
    entry: dict[str, Any] = response.json()
    return entry


def _revert(api: TestClient, entry: dict[str, Any]) -> None:
    response = api.post(
        f"/v1/entities/corrections/{entry['id']}/revert", headers={"X-API-Key": KEY}
    )
    assert response.status_code == 201, response.text


def _logged(api: TestClient, entity_id: str, entry: dict[str, Any]) -> None:
    """The correction is in the audit log the API lists for the entity."""
    log = api.get("/v1/entities/corrections", params={"entity": entity_id})
    assert log.status_code == 200, log.text
    assert entry["id"] in [e["id"] for e in log.json()]


def _check(
    api: TestClient, os_client: OpenSearch, settings: Settings, facet: str
) -> dict[str, int]:
    shown = _facet(api, facet)
    assert shown == dict(_independent(os_client, settings.index, facet))
    return shown


def test_short_forms_join_the_one_entity_they_fit_across_articles(
    api: TestClient, os_client: OpenSearch, archive: tuple[Settings, Path]
) -> None:
    settings, _ = archive
    persons = _check(api, os_client, settings, "person")
    agencies = _check(api, os_client, settings, "agency")
    assert "Reagan" not in persons
    assert persons["Ronald Reagan"] == 2
    assert "GM" not in agencies
    assert agencies["General Motors Corp"] == 2
    assert "Chrysler Corp" in agencies
    # A filter naming the short form selects the identity it joined.
    by_short = api.get("/v1/search", params={"person": "Reagan"}).json()
    assert by_short["total"]["value"] == 2
    assert [r["value"] for r in by_short["facets"]["person"] if r["selected"]] == ["Ronald Reagan"]
    assert "Chrysler" not in agencies
    # Two Bakers fit the bare surname: it stays apart, with both recorded, never guessed.
    assert persons["Baker"] == 1
    page = api.get(f"/v1/entities/{_ids(api, 'person')['Baker']}").json()
    names = {api.get(f"/v1/entities/{c}").json()["name"] for c in page["candidates"]}
    assert names == {"James Baker", "Howard Baker"}


def test_merge_changes_counts_survives_reingest_and_reverts(
    api: TestClient, os_client: OpenSearch, archive: tuple[Settings, Path], tmp_path: Path
) -> None:
    settings, stories = archive
    ids = _ids(api, "person")
    entry = _correct(
        api, action="merge", entity=ids["Baker"], into=ids["James Baker"], reason="Treasury"
    )
    assert entry["articles_updated"] >= 1
    persons = _check(api, os_client, settings, "person")
    assert "Baker" not in persons
    assert persons["James Baker"] == 2
    ingest_paths(settings, [stories])
    ingest_paths(settings, [_write(tmp_path / "later.ndjson", ["Baker flew to Tokyo."], 50)])
    persons = _check(api, os_client, settings, "person")
    assert persons["James Baker"] == 3
    assert "Baker" not in persons
    log = api.get("/v1/entities/corrections", params={"entity": ids["Baker"]}).json()
    assert next(e["id"] for e in log if e["actor"] != "resolver") == entry["id"]
    undo = api.post(f"/v1/entities/corrections/{entry['id']}/revert", headers={"X-API-Key": KEY})
    assert undo.status_code == 201, undo.text
    persons = _check(api, os_client, settings, "person")
    assert persons["Baker"] == 2
    assert persons["James Baker"] == 1
    again = api.post(f"/v1/entities/corrections/{entry['id']}/revert", headers={"X-API-Key": KEY})
    assert again.status_code == 409
    # The old page of a merged entity redirects to the one it joined.
    ids_now = _ids(api, "person")
    assert ids_now["Baker"] == ids["Baker"]


def test_rename_changes_every_page_without_reextraction(
    api: TestClient, os_client: OpenSearch, archive: tuple[Settings, Path], tmp_path: Path
) -> None:
    settings, stories = archive
    gm = _ids(api, "agency")["General Motors Corp"]
    entry = _correct(api, action="rename", entity=gm, name="General Motors")
    agencies = _check(api, os_client, settings, "agency")
    assert agencies["General Motors"] == 2
    assert "General Motors Corp" not in agencies
    ingest_paths(settings, [stories])
    assert _check(api, os_client, settings, "agency")["General Motors"] == 2
    later = _write(tmp_path / "later.ndjson", ["General Motors Corp cut its prices."], 40)
    ingest_paths(settings, [later])
    assert _check(api, os_client, settings, "agency")["General Motors"] == 3
    _logged(api, gm, entry)
    old = api.get("/v1/entities/agency/General Motors Corp", follow_redirects=False)
    assert old.status_code == 308
    assert old.headers["location"] == f"/v1/entities/{gm}"
    assert api.get(old.headers["location"]).json()["name"] == "General Motors"
    _revert(api, entry)
    agencies = _check(api, os_client, settings, "agency")
    assert agencies["General Motors Corp"] == 3
    assert "General Motors" not in agencies


def test_retype_moves_the_entity_between_facets(
    api: TestClient, os_client: OpenSearch, archive: tuple[Settings, Path], tmp_path: Path
) -> None:
    settings, stories = archive
    white_house = _ids(api, "agency")["White House"]
    entry = _correct(api, action="retype", entity=white_house, type="location")
    assert "White House" not in _check(api, os_client, settings, "agency")
    assert _check(api, os_client, settings, "location")["White House"] == 1
    ingest_paths(settings, [stories])
    assert "White House" not in _check(api, os_client, settings, "agency")
    assert _check(api, os_client, settings, "location")["White House"] == 1
    _logged(api, white_house, entry)
    later = _write(tmp_path / "later.ndjson", ["The White House said the talks would go on."], 60)
    ingest_paths(settings, [later])
    assert _check(api, os_client, settings, "location")["White House"] == 2
    _revert(api, entry)
    assert "White House" not in _check(api, os_client, settings, "location")
    assert _check(api, os_client, settings, "agency")["White House"] == 2


def test_block_removes_a_value_for_good(
    api: TestClient, os_client: OpenSearch, archive: tuple[Settings, Path], tmp_path: Path
) -> None:
    settings, stories = archive
    treasury = _ids(api, "agency")["Treasury"]
    _correct(api, action="block", entity=treasury, reason="a department, not a facet here")
    assert "Treasury" not in _check(api, os_client, settings, "agency")
    ingest_paths(settings, [stories])
    later = _write(tmp_path / "later.ndjson", ["The Treasury sold bonds in New York."], 70)
    ingest_paths(settings, [later])
    assert "Treasury" not in _check(api, os_client, settings, "agency")
    assert api.get(f"/v1/entities/{treasury}").status_code == 404
    blocks = api.get("/v1/entities/corrections", params={"entity": treasury}).json()
    (block,) = [e for e in blocks if e["action"] == "block"]
    undo = api.post(f"/v1/entities/corrections/{block['id']}/revert", headers={"X-API-Key": KEY})
    assert undo.status_code == 201, undo.text
    assert _check(api, os_client, settings, "agency")["Treasury"] >= 2  # its stories back


def test_split_moves_an_alias_back_out(
    api: TestClient, os_client: OpenSearch, archive: tuple[Settings, Path], tmp_path: Path
) -> None:
    settings, stories = archive
    ids = _ids(api, "person")
    merge = _correct(api, action="merge", entity=ids["Baker"], into=ids["James Baker"])
    assert "Baker" in api.get(f"/v1/entities/{ids['James Baker']}").json()["aliases"]
    split = _correct(api, action="split", entity=ids["James Baker"], alias="Baker")
    persons = _check(api, os_client, settings, "person")
    assert persons["Baker"] == 1
    assert persons["James Baker"] == 1
    assert "Baker" not in api.get(f"/v1/entities/{ids['James Baker']}").json()["aliases"]
    ingest_paths(settings, [stories])
    ingest_paths(settings, [_write(tmp_path / "later.ndjson", ["Baker flew to Tokyo."], 50)])
    persons = _check(api, os_client, settings, "person")
    assert (persons["Baker"], persons["James Baker"]) == (2, 1)
    _logged(api, ids["James Baker"], split)
    into_howard = {"entity": ids["Baker"], "into": ids["Howard Baker"]}
    to_howard = _correct(api, action="merge", **into_howard)
    assert _check(api, os_client, settings, "person")["Howard Baker"] == 3
    # The earlier corrections wait for the later ones: reverted newest first, each gives back
    # the counts it took away.
    early = api.post(f"/v1/entities/corrections/{split['id']}/revert", headers={"X-API-Key": KEY})
    assert early.status_code == 409, early.text
    _revert(api, to_howard)
    persons = _check(api, os_client, settings, "person")
    assert (persons["Baker"], persons["Howard Baker"], persons["James Baker"]) == (2, 1, 1)
    _revert(api, split)
    persons = _check(api, os_client, settings, "person")
    assert "Baker" not in persons
    assert persons["James Baker"] == 3
    assert "Baker" in api.get(f"/v1/entities/{ids['James Baker']}").json()["aliases"]
    _revert(api, merge)
    persons = _check(api, os_client, settings, "person")
    assert (persons["Baker"], persons["Howard Baker"], persons["James Baker"]) == (2, 1, 1)
    log = api.get("/v1/entities/corrections", params={"entity": ids["Baker"]}).json()
    undone = {e["reverts"] for e in log if e["action"] == "revert"}
    assert undone == {merge["id"], split["id"], to_howard["id"]}


def test_add_alias_sends_a_name_to_an_entity_even_where_the_model_misses_it(
    api: TestClient, os_client: OpenSearch, archive: tuple[Settings, Path], tmp_path: Path
) -> None:
    settings, stories = archive
    kohl = _ids(api, "person")["Helmut Kohl"]
    entry = _correct(api, action="add_alias", entity=kohl, alias="the Chancellor")
    story = "Speaking in Bonn on Friday, the Chancellor said the mark was too strong."
    ingest_paths(settings, [_write(tmp_path / "later.ndjson", [story], 80)])
    assert _check(api, os_client, settings, "person")["Helmut Kohl"] == 2
    ingest_paths(settings, [stories])
    assert _check(api, os_client, settings, "person")["Helmut Kohl"] == 2
    _logged(api, kohl, entry)
    page = api.get(f"/v1/entities/{kohl}").json()
    assert "the Chancellor" in page["aliases"]
    _revert(api, entry)
    assert "the Chancellor" not in api.get(f"/v1/entities/{kohl}").json()["aliases"]
    assert _check(api, os_client, settings, "person")["Helmut Kohl"] == 1
    # The story still says "the Chancellor"; no identity claims it now, and it is not Kohl's.
    assert _ids(api, "person")["the Chancellor"] is None


def test_corrections_need_a_key_and_say_what_is_wrong(api: TestClient) -> None:
    ids = _ids(api, "person")
    body = {"action": "merge", "entity": ids["Helmut Kohl"], "into": ids["Helmut Kohl"]}
    assert api.post("/v1/entities/corrections", json=body).status_code in (401, 403)
    same = api.post("/v1/entities/corrections", json=body, headers={"X-API-Key": KEY})
    assert same.status_code == 400
    assert "itself" in same.json()["detail"]
    missing = {"action": "block", "entity": "no-such-entity"}
    answer = api.post("/v1/entities/corrections", json=missing, headers={"X-API-Key": KEY})
    assert answer.status_code == 400
    assert "no-such-entity" in answer.json()["detail"]


def test_facet_evaluation_judges_top_values_and_recalls_tags_by_identity(
    archive: tuple[Settings, Path], os_client: OpenSearch, tmp_path: Path
) -> None:
    from search.evaluation.facets import report

    settings, _ = archive
    labels = tmp_path / "labels.json"
    judged = {"person": {"Ronald Reagan": "ok", "James Baker": "ok", "Baker": "ambiguous"}}
    labels.write_text(json.dumps(judged), encoding="utf-8")
    tags = tmp_path / "tags.ndjson"
    records = [
        {"id": "3", "people": ["reagan"], "orgs": []},  # the story naming only "Reagan"
        {"id": "0", "people": ["james-baker", "kohl"], "orgs": []},
        {"id": "4", "people": [], "orgs": ["gm"]},
    ]
    tags.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    out = report(os_client, settings.index, labels, top=5, tagged=tags, source_prefix="wire")
    persons = dict(map(tuple, out["person"]["values"]))
    assert len(persons) == 5
    judged_ok = sum(judged["person"].get(name) == "ok" for name in persons)
    assert out["person"]["precision"] == round(judged_ok / 5, 3)
    assert "Baker (ambiguous)" in out["person"]["not_ok"]
    assert set(out["person"]["unjudged"]) == set(persons) - set(judged["person"])
    assert out["recall_people"]["tagged"] == 3
    # "kohl" is an alias of Helmut Kohl in one story only: too little to resolve a bare name.
    assert out["recall_people"]["found"] == 2
    assert out["recall_people"]["most_missed"] == [("kohl", 1)]
    assert out["recall_orgs"]["found"] == 1


def test_the_demo_sample_has_no_publisher_entity_and_trump_is_donald_trump(
    node_settings: Settings, os_client: OpenSearch, tmp_path: Path
) -> None:
    from tests.conftest import ROOT

    settings = node_settings.model_copy(
        update={"index": f"test-demo-{uuid.uuid4().hex[:10]}", "dead_letter_dir": tmp_path}
    )
    try:
        ingest_paths(settings, [ROOT / "samples" / "wikinews-en.ndjson"])
        persons = _independent(os_client, settings.index, "person")
        agencies = _independent(os_client, settings.index, "agency")
        assert "Wikinews" not in persons
        assert "Wikinews" not in agencies
        assert persons["Donald Trump"] > 0
        assert "Trump" not in persons
    finally:
        drop_everything(os_client, settings.index)
