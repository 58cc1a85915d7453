"""Entity types: the model's label corrected by places, aliases and the article's people."""

from __future__ import annotations

from search.entities.entity_types import fix_type, retype_person_words, vote_types
from search.entities.spans import Candidate


def test_a_known_city_read_as_a_person_is_a_location() -> None:
    assert fix_type("Kyiv", "person", set()) == "location"


def test_a_city_that_is_also_a_person_in_the_article_stays_a_person() -> None:
    assert fix_type("Washington", "person", {"washington"}) == "person"


def test_a_country_read_as_an_organisation_or_group_is_a_location() -> None:
    assert fix_type("Moldova", "agency", set()) == "location"
    assert fix_type("Tajikistan", "group", set()) == "location"


def test_an_unknown_demonym_read_as_a_place_is_a_group() -> None:
    assert fix_type("Ukrainian", "location", set()) == "group"


def test_a_place_the_model_called_a_product_is_rescued_and_others_dropped() -> None:
    assert fix_type("Kursk", None, set()) == "location"
    assert fix_type("iPhone", None, set()) is None


def test_topics_the_model_takes_for_names_are_dropped() -> None:
    assert fix_type("COVID-19", "person", set()) is None
    assert fix_type("Brexit", "agency", set()) is None


def test_a_lone_word_of_one_full_name_is_that_person() -> None:
    text = "Koo Byoung-sam spoke. Koo said more."
    koo = Candidate(text.index("Koo", 1), text.index("Koo", 1) + 3, "agency")
    (retyped,) = retype_person_words(text, [koo], {"koo": "Koo Byoung-sam"})
    assert retyped.type == "person"


def test_every_mention_of_a_name_takes_the_majority_type() -> None:
    text = "Jordan, Jordan and Jordan"
    candidates = [
        Candidate(0, 6, "person"),
        Candidate(8, 14, "location"),
        Candidate(19, 25, "location"),
    ]
    assert [c.type for c in vote_types(text, candidates)] == ["location"] * 3


def test_strong_evidence_outvotes_the_majority() -> None:
    text = "Jordan, Jordan and Jordan"
    candidates = [
        Candidate(0, 6, "location", sure=True),
        Candidate(8, 14, "person"),
        Candidate(19, 25, "person"),
    ]
    assert [c.type for c in vote_types(text, candidates)] == ["location"] * 3
