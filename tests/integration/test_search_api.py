"""The search API against a real node and real articles (the seed story and Reuters-21578)."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from opensearchpy import OpenSearch, helpers

from bench import passthrough
from bench.query import index_groups
from search.fields import FACET_COUNT_FIELDS, IDENTITY_SEPARATOR
from search.query import identities
from search.query.builder import build_search_body
from search.query.request import SearchRequest
from search.settings import Settings
from tests.integration.conftest import API_KEY

pytestmark = pytest.mark.integration


def _docs(client: OpenSearch, index: str) -> list[dict[str, Any]]:
    return [
        hit["_source"]
        for hit in helpers.scan(client, index=index, query={"query": {"match_all": {}}})
    ]


def _search(api: TestClient, **params: Any) -> dict[str, Any]:
    response = api.get("/v1/search", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _titles(result: dict[str, Any]) -> list[str]:
    return [hit["title"] for hit in result["hits"]]


def test_blank_query_lists_everything_newest_first(
    api: TestClient, corpus_settings: Settings, os_client: OpenSearch
) -> None:
    result = _search(api, q="", size=20)
    assert result["total"]["value"] == os_client.count(index=corpus_settings.index)["count"]
    dates = [hit["published_at"] for hit in result["hits"] if hit["published_at"]]
    assert dates == sorted(dates, reverse=True)
    assert result["hits"][0]["title"].startswith("The two North Korean troops")


def test_phrase_matches_the_exact_words_only(api: TestClient) -> None:
    phrase = _search(api, q='"trade deficit"', size=100)
    words = _search(api, q="trade deficit", size=1)["total"]["value"]
    assert 0 < phrase["total"]["value"] < words
    for hit in phrase["hits"]:
        article = api.get(f"/v1/articles/{hit['id']}").json()
        text = " ".join(f"{article['title']} {article['body']}".lower().split())
        assert "trade deficit" in text


def test_exclusion_removes_matches(api: TestClient) -> None:
    both = _search(api, q="oil", size=1)["total"]["value"]
    without = _search(api, q="oil -opec", size=100)
    with_opec = _search(api, q="oil AND opec", size=1)["total"]["value"]
    assert with_opec > 0
    assert without["total"]["value"] == both - with_opec


def test_boolean_or_is_a_union(api: TestClient) -> None:
    a = _search(api, q="cocoa", size=1)["total"]["value"]
    b = _search(api, q="coffee", size=1)["total"]["value"]
    both = _search(api, q="cocoa AND coffee", size=1)["total"]["value"]
    either = _search(api, q="cocoa OR coffee", size=1)["total"]["value"]
    assert either == a + b - both


def test_field_query_searches_that_field(api: TestClient) -> None:
    in_title = _search(api, q="title:ceasefire", size=50)
    for hit in in_title["hits"]:
        assert "<mark>" in hit["title_html"]
    person = _search(api, q="person:zelensky")
    assert person["total"]["value"] == 1
    assert "Volodymyr Zelensky" in person["hits"][0]["persons"]


def test_fuzzy_and_prefix_find_misspelt_and_partial_words(api: TestClient) -> None:
    exact = _search(api, q="Pyongyang", size=1)["total"]["value"]
    assert exact >= 1
    assert _search(api, q="Pyongyng~", size=1)["total"]["value"] >= exact
    assert _search(api, q="Pyong*", size=1)["total"]["value"] >= exact


def test_proximity_needs_the_words_close(api: TestClient) -> None:
    near = _search(api, q='"troops captured"~3')["total"]["value"]
    exact = _search(api, q='"troops captured"')["total"]["value"]
    far = _search(api, q='"troops kursk"~50')["total"]["value"]
    assert near >= 1
    assert exact <= near
    assert far >= 1


def test_snippets_mark_the_match_and_escape_the_text(api: TestClient) -> None:
    result = _search(api, q="Zelensky")
    snippets = " ".join(result["hits"][0]["snippets"])
    assert "<mark>Zelensky</mark>" in snippets
    assert "<script" not in snippets


def _people_of(doc: dict[str, Any]) -> set[str]:
    return set(doc.get("persons") or [])


def _top_values(counts: Counter[str], n: int) -> set[str]:
    """The values that are in the top `n` however ties are broken: those counted more often than
    the value in place n + 1."""
    ranked = counts.most_common()
    if len(ranked) <= n:
        return set(counts)
    floor = ranked[n][1]
    return {value for value, count in ranked if count > floor}


def _identities(docs: list[dict[str, Any]], facet: str) -> Counter[str]:
    """An entity facet counted from the documents as the API counts it: per identity, each
    article's "<id>|<name>" values of the facet field."""
    field = FACET_COUNT_FIELDS[facet]
    return Counter(value for d in docs for value in set(d.get(field) or []))


def _shown_identities(rows: list[dict[str, Any]]) -> set[str]:
    """A facet's rows as "<id>|<name>": the API shows the name, and gives the id beside it."""
    return {f"{row['id']}{IDENTITY_SEPARATOR}{row['value']}" for row in rows}


def test_multi_select_facet_counts_match_the_documents(
    api: TestClient, corpus_settings: Settings, os_client: OpenSearch
) -> None:
    docs = _docs(os_client, corpus_settings.index)
    people = Counter(p for d in docs for p in _people_of(d))
    chosen = [name for name, _ in people.most_common(2)]
    countries = Counter(
        c for d in docs if _people_of(d) & set(chosen) for c in d.get("countries") or []
    )
    country = countries.most_common(1)[0][0]

    result = _search(api, person=chosen, country=[country], facet_size=100)

    def selected(d: dict[str, Any]) -> bool:
        return bool(_people_of(d) & set(chosen)) and country in (d.get("countries") or [])

    assert result["total"]["value"] == sum(1 for d in docs if selected(d))
    # The person facet ignores its own selection and honours the country one...
    in_country = [d for d in docs if country in (d.get("countries") or [])]
    expected_people = Counter(p for d in in_country for p in _people_of(d))
    for row in result["facets"]["person"]:
        assert row["count"] == expected_people[row["value"]], row
    assert {r["value"] for r in result["facets"]["person"] if r["selected"]} == set(chosen)
    # ...and the country facet ignores its own and honours the people.
    with_people = [d for d in docs if _people_of(d) & set(chosen)]
    expected_countries = Counter(c for d in with_people for c in d.get("countries") or [])
    for row in result["facets"]["country"]:
        assert row["count"] == expected_countries[row["value"]], row
    # Neither facet may come back empty, and each holds the values counted most often from
    # the documents themselves, not only values it chose to return.
    shown_people = {row["value"] for row in result["facets"]["person"]}
    shown_countries = {row["value"] for row in result["facets"]["country"]}
    assert shown_people
    assert shown_countries
    top = 10
    assert _top_values(_identities(in_country, "person"), top) <= _shown_identities(
        result["facets"]["person"]
    )
    assert _top_values(expected_countries, top) <= shown_countries
    locations = _search(api, person=chosen, facet_size=top)["facets"]["location"]
    assert locations
    expected_locations = _identities(with_people, "location")
    assert _top_values(expected_locations, top) <= _shown_identities(locations)
    for row in locations:
        shown = f"{row['id']}{IDENTITY_SEPARATOR}{row['value']}"
        assert row["count"] == expected_locations[shown], row


def test_filters_are_case_and_accent_insensitive(api: TestClient) -> None:
    canonical = _search(api, person=["Volodymyr Zelensky"])["total"]["value"]
    folded = _search(api, person=["VOLODYMYR ZELENSKY"])["total"]["value"]
    assert canonical == folded == 1


def test_date_range_keeps_only_articles_inside(api: TestClient) -> None:
    result = _search(api, date_from="1987-03-01", date_to="1987-03-31", size=100)
    assert result["total"]["value"] > 0
    for hit in result["hits"]:
        assert hit["published_at"][:7] == "1987-03"
    histogram = result["histogram"]["published_at"]
    assert sum(b["count"] for b in histogram["buckets"]) == result["total"]["value"]


def test_cursor_pages_through_every_hit_once(api: TestClient) -> None:
    first = _search(api, q="", size=37, sort="newest", cursor="*")
    total = first["total"]["value"]
    seen = [hit["id"] for hit in first["hits"]]
    cursor = first["next_cursor"]
    while cursor:
        page = _search(api, q="", size=37, sort="newest", cursor=cursor)
        seen.extend(hit["id"] for hit in page["hits"])
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == total


def test_a_cursor_cannot_be_replayed_on_another_search(api: TestClient) -> None:
    cursor = _search(api, q="oil", size=2, cursor="*")["next_cursor"]
    response = api.get("/v1/search", params={"q": "gold", "size": 2, "cursor": cursor})
    assert response.status_code == 400
    assert response.json()["parameter"] == "cursor"


def test_export_streams_every_match(api: TestClient) -> None:
    total = _search(api, q="oil")["total"]["value"]
    response = api.get("/v1/search/export", params={"q": "oil", "format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["id", "published_at", "source", "title"]
    assert len(rows) - 1 == total
    ndjson = api.get("/v1/search/export", params={"q": "oil", "format": "ndjson"})
    assert len(ndjson.text.splitlines()) == total
    assert all(json.loads(line)["id"] for line in ndjson.text.splitlines())


def test_article_view_has_entities_with_offsets(api: TestClient) -> None:
    hit = _search(api, q="Zelensky")["hits"][0]
    article = api.get(f"/v1/articles/{hit['id']}").json()
    person = next(e for e in article["entities"] if e["name"] == "Volodymyr Zelensky")
    for mention in person["mentions"]:
        assert article["body"][mention["start"] : mention["end"]] == mention["text"]


def test_missing_article_is_a_problem_404(api: TestClient) -> None:
    response = api.get("/v1/articles/no-such-article")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 404


def test_related_articles_exclude_the_article_itself(api: TestClient) -> None:
    hit = _search(api, q="cocoa")["hits"][0]
    related = api.get(f"/v1/articles/{hit['id']}/related").json()
    assert related
    assert hit["id"] not in {r["id"] for r in related}


def test_entity_suggestions_and_page(api: TestClient) -> None:
    suggestions = api.get("/v1/entities", params={"type": "person", "prefix": "zel"}).json()
    assert suggestions[0]["value"] == "Volodymyr Zelensky"
    page = api.get("/v1/entities/person/Volodymyr Zelensky").json()
    assert page["total"] == 1
    related_people = {r["value"] for r in page["related"]["person"]}
    assert "Kim Jong-un" in related_people
    assert api.get("/v1/entities/person/Nobody Atall").status_code == 404


def test_a_page_by_name_reads_the_registry_once(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asked by name, a page looks the name up once: an unknown name is not looked up again
    before its articles are searched, and a known one is not read again by its id."""
    looked_up: list[list[tuple[str, str]]] = []
    read_by_id: list[str] = []
    resolve_names, get_entity = identities.resolve_names, identities.get_entity

    async def counted_lookup(client: Any, index: str, names: Any) -> Any:
        looked_up.append(list(names))
        return await resolve_names(client, index, names)

    async def counted_read(client: Any, index: str, entity_id: str) -> Any:
        read_by_id.append(entity_id)
        return await get_entity(client, index, entity_id)

    monkeypatch.setattr(identities, "resolve_names", counted_lookup)
    monkeypatch.setattr(identities, "get_entity", counted_read)
    assert api.get("/v1/entities/person/Nobody Atall").status_code == 404
    assert looked_up == [[("person", "Nobody Atall")]]
    looked_up.clear()
    page = api.get("/entities/person/Volodymyr Zelensky")
    assert page.status_code == 200
    assert "Kim Jong-un" in page.text
    assert (looked_up, read_by_id) == ([[("person", "Volodymyr Zelensky")]], [])


def test_malformed_query_is_a_400_that_points_at_the_problem(api: TestClient) -> None:
    response = api.get("/v1/search", params={"q": 'troops AND "kursk'})
    assert response.status_code == 400
    problem = response.json()
    assert problem["parameter"] == "q"
    assert problem["position"] == 11
    unknown = api.get("/v1/search", params={"q": "colour:red"}).json()
    assert "title" in unknown["detail"]
    assert "person" in unknown["detail"]


def test_page_size_and_depth_are_bounded(api: TestClient) -> None:
    too_big = api.get("/v1/search", params={"size": 1000})
    assert too_big.status_code == 400
    assert too_big.json()["parameter"] == "size"
    too_deep = api.get("/v1/search", params={"size": 100, "page": 200})
    assert too_deep.status_code == 400
    assert "cursor" in too_deep.json()["detail"]


def test_writes_need_a_key(api: TestClient) -> None:
    article = {
        "title": "Bridge closed",
        "body": "The Tower Bridge in London closed for repairs on Friday.",
    }
    assert api.post("/v1/articles", json=article).status_code == 401
    assert api.post("/v1/articles", json=article, headers={"X-API-Key": "wrong"}).status_code == 401
    added = api.post(
        "/v1/articles",
        json={**article, "id": "bridge-1", "source": "Desk"},
        headers={"X-API-Key": API_KEY},
    )
    assert added.status_code == 200, added.text
    assert added.json()["indexed"] == 1
    assert _search(api, q='"Tower Bridge"')["total"]["value"] == 1
    assert api.delete("/v1/articles/desk-bridge-1").status_code == 401
    gone = api.delete("/v1/articles/desk-bridge-1", headers={"X-API-Key": API_KEY})
    assert gone.status_code == 200
    assert _search(api, q='"Tower Bridge"')["total"]["value"] == 0


def test_ids_with_slashes_reach_their_article(api: TestClient) -> None:
    article = {
        "id": "feeds/2025/item-1",
        "source": "Desk",
        "title": "Ferry strike",
        "body": "Ferry crews in Helsinki went on strike on Tuesday over pay.",
    }
    added = api.post("/v1/articles", json=article, headers={"X-API-Key": API_KEY})
    assert added.json()["indexed"] == 1
    found = api.get("/v1/articles/desk-feeds/2025/item-1")
    assert found.status_code == 200
    assert found.json()["title"] == "Ferry strike"
    assert api.get("/v1/articles/desk-feeds/2025/item-1/related").status_code == 200
    assert (
        api.delete(
            "/v1/articles/desk-feeds/2025/item-1", headers={"X-API-Key": API_KEY}
        ).status_code
        == 200
    )


def _cache_hits(os_client: OpenSearch, index: str) -> int:
    stats = os_client.indices.stats(index=index, metric="request_cache")
    return int(stats["_all"]["total"]["request_cache"]["hit_count"])


def test_browse_and_entity_pages_come_from_the_request_cache_text_searches_do_not(
    api: TestClient, corpus_settings: Settings, os_client: OpenSearch
) -> None:
    index = corpus_settings.index
    requests = {
        "browse": ("/v1/search", {"person": "Volodymyr Zelensky", "size": 5}),
        "entity": ("/v1/entities/person/Volodymyr Zelensky", {}),
        "text": ("/v1/search", {"q": "oil prices", "size": 5}),
    }
    gained = {}
    for name, (path, params) in requests.items():
        first = api.get(path, params=params)
        before = _cache_hits(os_client, index)
        second = api.get(path, params=params)
        gained[name] = _cache_hits(os_client, index) - before
        assert first.status_code == second.status_code == 200
        assert first.json()["total"] == second.json()["total"]
    assert gained["browse"] >= 1
    assert gained["entity"] >= 1
    assert gained["text"] == 0


def test_the_bench_passthrough_runs_the_very_search_the_api_runs(
    api: TestClient, corpus_settings: Settings, os_client: OpenSearch
) -> None:
    """bench.query measures the API's own work against this floor, so it must hand OpenSearch
    the body it is given and answer what OpenSearch answered."""
    req = SearchRequest(q="oil prices")
    body = build_search_body(req, groups=index_groups(os_client, corpus_settings.index))
    with TestClient(passthrough.create_app(corpus_settings)) as floor:
        answer = floor.post(
            "/_search", content=json.dumps(body), headers={"Content-Type": "application/json"}
        )
    assert answer.status_code == 200, answer.text
    floor_ids = [hit["_source"]["id"] for hit in answer.json()["hits"]["hits"]]
    assert floor_ids, "the floor found nothing"
    assert floor_ids == [hit["id"] for hit in _search(api, q="oil prices")["hits"]]


def test_extent_gives_the_first_and_last_day_the_matches_were_published(
    api: TestClient, corpus_settings: Settings, os_client: OpenSearch
) -> None:
    days = sorted(
        datetime.fromisoformat(doc["published_at"]).astimezone(UTC).date().isoformat()
        for doc in _docs(os_client, corpus_settings.index)
        if doc.get("published_at") and doc.get("source") == "Reuters"
    )
    assert len(days) > 100
    found = _search(api, source="Reuters", extent="true", histogram="false")
    assert found["published"] == {"first": days[0], "last": days[-1]}
    assert found["histogram"] == {}
    assert _search(api, source="Reuters")["published"] is None
