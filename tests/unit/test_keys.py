"""Entity keys: one per identity, legal forms folded for agencies only."""

from __future__ import annotations

import pytest

from search.entities.keys import entity_key, is_legal_form, number_keys, singular_key


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Zellweger Motors Corp", "Zellweger Motors"),
        ("Zellweger Motors Corp.", "Zellweger Motors"),
        ("Brenner Werke AG", "Brenner Werke"),
        ("Halvorsen Shipping Co Ltd", "Halvorsen Shipping"),
        ("Quillon Holdings plc", "Quillon Holdings"),
        ("Vasco SpA", "VASCO"),
        ("Ostrander & Co", "Ostrander"),
    ],
)
def test_legal_forms_fold_for_agencies(one: str, other: str) -> None:
    assert entity_key(one, "agency") == entity_key(other, "agency")


def test_a_name_that_is_only_a_legal_form_keeps_it() -> None:
    assert entity_key("Inc.", "agency") == "inc"


def test_people_and_places_keep_every_word() -> None:
    assert entity_key("Martin Co", "person") == "martin co"
    assert entity_key("Sao Paulo SA", "location") == "sao paulo sa"


def test_legal_form_words() -> None:
    assert is_legal_form("GmbH")
    assert is_legal_form("Inc.")
    assert not is_legal_form("Bank")


@pytest.mark.parametrize(
    ("plural", "singular"),
    [
        ("tories", "tory"),
        ("democrats", "democrat"),
        ("liberal democrats", "liberal democrat"),
        ("saudis", "saudi"),
        ("swiss", "swiss"),
        ("chinese", "chinese"),
        ("tory", "tory"),
        ("hindus", "hindu"),
        ("us", "us"),
    ],
)
def test_a_groups_key_in_the_singular(plural: str, singular: str) -> None:
    assert singular_key(plural) == singular


def test_the_other_number_of_a_key_is_among_its_number_keys() -> None:
    assert {"tories", "torys"} == number_keys("tory")
    assert "tory" in number_keys("tories")
    assert "conservative" in number_keys("conservatives")
    assert "conservatives" in number_keys("conservative")
