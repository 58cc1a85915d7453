"""Entity types: the model's label corrected by places, aliases and the article's people."""

from __future__ import annotations

from search.entities.entity_types import (
    fix_type,
    retype_competitors,
    retype_firms,
    retype_person_words,
    vote_types,
)
from search.entities.gazetteer import lookup_place
from search.entities.spans import Candidate
from search.models import EntityType


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


def test_a_name_read_as_often_an_organisation_and_never_shortened_is_the_organisation() -> None:
    text = "Plaid Gwerin won. Plaid Gwerin leads."
    second = text.index("Plaid", 1)
    candidates = [Candidate(0, 12, "person"), Candidate(second, second + 12, "agency")]
    assert [c.type for c in vote_types(text, candidates)] == ["agency"] * 2


def test_a_full_name_whose_surname_is_used_alone_is_a_person() -> None:
    text = "Nadia Korsgaard spoke. Nadia Korsgaard left. Korsgaard said."
    second, alone = text.index("Nadia", 1), text.rindex("Korsgaard")
    candidates = [
        Candidate(0, 15, "agency"),
        Candidate(second, second + 15, "agency"),
        Candidate(alone, alone + 9, "person"),
        Candidate(0, 15, "person"),
    ]
    assert {c.type for c in vote_types(text, candidates)} == {"person"}


def test_a_surname_also_read_as_a_small_town_is_a_person() -> None:
    text = "Obama, Obama"
    candidates = [Candidate(0, 5, "location"), Candidate(7, 12, "person")]
    assert [c.type for c in vote_types(text, candidates)] == ["person"] * 2


def test_an_unknown_place_also_read_as_a_person_keeps_the_majority() -> None:
    text = "Tolliver, Tolliver, Tolliver"
    candidates = [Candidate(0, 8, "location"), Candidate(10, 18, "location")]
    candidates.append(Candidate(20, 28, "person"))
    assert [c.type for c in vote_types(text, candidates)] == ["location"] * 3


def test_a_big_city_known_by_an_older_spelling_is_not_a_person() -> None:
    assert fix_type("Bombay", "person", set()) == "location"


def test_initials_alone_are_no_person() -> None:
    assert fix_type("N.Z.", "person", set()) is None
    assert fix_type("J.P. Morgan", "person", set()) == "person"


def test_a_person_named_firm_is_an_agency_in_every_mention() -> None:
    text = "Advisers J.R. Tollard and Co said J.R. Tollard expected a bid."
    first, second = text.index("J.R."), text.rindex("J.R.")
    candidates = [
        Candidate(first, first + 12, "person"),
        Candidate(second, second + 12, "person"),
    ]
    assert [c.type for c in retype_firms(text, candidates)] == ["agency", "agency"]
    assert fix_type("Courier Corp", "person", set()) == "agency"


def test_a_name_in_apposition_to_a_company_noun_is_the_company() -> None:
    text = "the state oil company Zephyra said Zephyra would drill"
    first, second = text.index("Zephyra"), text.rindex("Zephyra")
    candidates = [Candidate(first, first + 7, "person"), Candidate(second, second + 7, "person")]
    assert [c.type for c in retype_firms(text, candidates)] == ["agency", "agency"]


def _typed(text: str, names: dict[str, EntityType]) -> list[Candidate]:
    return [Candidate(text.index(n), text.index(n) + len(n), t) for n, t in names.items()]


def test_names_in_a_list_with_a_country_in_brackets_are_competitors() -> None:
    text = (
        "1. Marta Vellinger (Norway) 4:02.11\n"
        "2. Oksana Dravetz (Ukraine) 4:03.50\n"
        "Dravetz said Marta Vellinger had been the stronger."
    )
    candidates = [
        *_typed(text, {"Marta Vellinger": "agency", "Oksana Dravetz": "person"}),
        Candidate(text.rindex("Marta"), text.rindex("Marta") + 15, "agency"),
    ]
    retyped = retype_competitors(text, candidates)
    assert [c.type for c in retyped] == ["person", "person", "person"]
    assert retyped[0].sure
    assert retyped[2].sure


def test_one_firm_with_its_country_of_registration_is_no_list() -> None:
    text = "The group now includes Tollard Overseas Finance (Jersey), the report said."
    candidates = _typed(text, {"Tollard Overseas Finance": "agency"})
    assert retype_competitors(text, candidates) == candidates


def test_clubs_and_firms_in_a_list_keep_their_type() -> None:
    text = (
        "Zephyra Holdings (Norway) 12.5, Dinamo Kyiv (Ukraine) 11.0, "
        "Tollard Coal (Canada) Ltd 9.1, Vellinger Bank (Norway) 8.0"
    )
    candidates = _typed(
        text,
        {
            "Zephyra Holdings": "agency",
            "Dinamo Kyiv": "agency",
            "Tollard Coal": "agency",
            "Vellinger Bank": "agency",
        },
    )
    assert [c.type for c in retype_competitors(text, candidates)] == ["agency"] * 4


def test_a_person_spelling_a_city_only_without_its_accents_stays_a_person() -> None:
    """The gazetteer's Egyptian city "Būsh" folds to "Bush": a person the model read so is not
    taken for that town, while the name spelt as the city spells it, a longer name, a name the
    gazetteer lists as written and a large city written without its accents still are places."""
    assert lookup_place("Bush")[0].name == "Būsh"
    assert fix_type("Bush", "person", set()) == "person"
    assert fix_type("Būsh", "person", set()) == "location"
    assert fix_type("Bombay", "person", set()) == "location"  # an ASCII name, found as an alternate
    assert lookup_place("Bahia Blanca")[0].name == "Bahía Blanca"
    assert fix_type("Bahia Blanca", "person", set()) == "location"  # two words: no surname
    assert lookup_place("Montreal")[0].name == "Montréal"
    assert fix_type("Montreal", "person", set()) == "location"  # large enough to outweigh
    assert fix_type("Cologne", "person", set()) == "location"  # Köln's English name, not folded
