"""Saved searches without a server: the stored query, percolate answers, the Atom feed."""

from __future__ import annotations

from datetime import UTC, datetime

import feedparser
import pytest
from pydantic import ValidationError

from search.alerts import atom, matching
from search.alerts.saved import SavedSearch, SavedSearchIn, SavedSearchMatch, owner_of
from search.query.builder import build_search_body, match_query
from search.query.request import SearchRequest
from search.web.following import to_save

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def test_the_stored_query_holds_the_selections_a_search_keeps_in_post_filter() -> None:
    req = SearchRequest(q="strike", filters={"source": ["Wire"]}, exclusions={"person": ["X"]})
    query = match_query(req)
    body = build_search_body(req)
    # The same articles: the search's query less its ranking (a percolator does not score).
    assert query["bool"]["must"] == [body["query"]["function_score"]["query"]]
    assert query["bool"]["filter"] == body["post_filter"]["bool"]["filter"]
    assert "filter" not in match_query(SearchRequest(q="strike"))["bool"]


def test_a_saved_search_is_validated_as_a_search_is() -> None:
    with pytest.raises(ValidationError):
        SavedSearchIn(name="x", date_from="2024-02-01", date_to="2024-01-01")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        SavedSearchIn(name="")
    assert owner_of("k1") != owner_of("k2")
    assert "k1" not in owner_of("k1")


def test_percolate_answers_pair_each_search_with_the_documents_it_matched() -> None:
    body = matching.percolate_body([{"id": "a"}, {"id": "b"}])
    assert body["query"]["percolate"]["documents"] == [{"id": "a"}, {"id": "b"}]
    raw = {
        "hits": {
            "hits": [
                {"_source": {"saved_id": "s1"}, "fields": {matching.SLOT: [0, 1]}},
                {"_source": {"saved_id": "s2"}, "fields": {matching.SLOT: [1]}},
            ]
        }
    }
    assert matching.read_matches(raw) == [("s1", 0), ("s1", 1), ("s2", 1)]
    record = matching.match_record("s1", {"id": "a", "cluster_id": "c9", "title": "T"}, NOW)
    assert (record["cluster_id"], record["article_id"]) == ("c9", "a")
    alone = matching.match_record("s1", {"id": "b"}, NOW)
    assert alone["cluster_id"] == "b"  # a story without copies is its own cluster


def test_the_feed_is_valid_atom_with_every_title_escaped() -> None:
    saved = SavedSearch(name="Ports & <docks>", q="", id="s1", created_at=NOW, feed="/v1/f/tok")
    matches = [
        SavedSearchMatch(
            article_id="wire/1",
            cluster_id="c1",
            matched_at=NOW,
            title='Strike "ends" <script>alert(1)</script>',
            source="Wire & Co",
        )
    ]
    text = atom.render(saved, matches, "http://news.example/")
    assert "<script>" not in text
    parsed = feedparser.parse(text)
    assert not parsed.bozo
    assert parsed.feed.title.startswith("Ports & <docks>")
    (entry,) = parsed.entries
    assert entry.title == 'Strike "ends" <script>alert(1)</script>'
    assert entry.link == "http://news.example/articles/wire%2F1"
    assert entry.author == "Wire & Co"


def test_a_saved_search_keeps_all_of_and_its_percolator_requires_every_value() -> None:
    people = {"person": ["Helmut Kohl", "Jacques Chirac"]}
    both = SavedSearchIn(name="Both", filters=people, all_of=["person"])
    either = SavedSearchIn(name="Either", filters=people)
    assert both.request().requires_all("person")
    assert match_query(both.request()) != match_query(either.request())
    assert match_query(both.request()) == match_query(
        SearchRequest(filters=people, all_of=["person"])
    )
    with pytest.raises(ValidationError, match="one value per article"):
        SavedSearchIn(name="Bad", filters={"source": ["a", "b"]}, all_of=["source"])


def test_saving_a_page_search_with_all_of_keeps_it() -> None:
    asked = to_save("", "q=summit&person=Helmut+Kohl&person=Jacques+Chirac&all_of=person")
    assert asked.all_of == ["person"]
    assert asked.request().requires_all("person")
    any_of = to_save("", "q=summit&person=Helmut+Kohl&person=Jacques+Chirac")
    assert any_of.all_of == []
