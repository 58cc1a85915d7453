"""Entity keys: one per identity, legal forms folded for agencies only."""

from __future__ import annotations

import pytest

from search.entities.keys import entity_key, is_legal_form


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
