"""The NER scorer's arithmetic on hand-counted cases: per-type and micro precision, recall and F1,
a wrong label counting against both types, MISC left out, totals kept across documents."""

from __future__ import annotations

import pytest

from search.evaluation.ner import _scored, _Tally

PER, ORG, LOC = "PER", "ORG", "LOC"


def _tally(*documents: tuple[set[tuple[int, int, str]], set[tuple[int, int, str]]]) -> _Tally:
    tally = _Tally.empty()
    for gold, predicted in documents:
        tally.add(gold, predicted)
    return tally


#: Gold: two people, an agency, a place. Predicted: one person right and one cut short, the
#: agency right, the place labelled ORG, and an agency that is not there.
GOLD = {(0, 5, PER), (10, 15, PER), (20, 30, ORG), (40, 45, LOC)}
PREDICTED = {(0, 5, PER), (10, 14, PER), (20, 30, ORG), (40, 45, ORG), (60, 65, ORG)}


def test_counts_of_one_document_per_type() -> None:
    tally = _tally((GOLD, PREDICTED))
    assert dict(tally.true_positive) == {PER: 1, ORG: 1}
    assert dict(tally.false_positive) == {
        PER: 1,
        ORG: 2,
    }  # the cut span, the wrong label, the extra
    assert dict(tally.false_negative) == {PER: 1, LOC: 1}


def test_precision_recall_and_f1_per_type_and_micro() -> None:
    scores = _tally((GOLD, PREDICTED)).scores()
    assert scores[PER] == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    # 1 of 3 predicted agencies right, the 1 gold agency found: F1 = 2 * 1/3 * 1 / (4/3).
    assert scores[ORG] == {"precision": 0.3333, "recall": 1.0, "f1": 0.5}
    # Nothing predicted as LOC: precision 0 by convention, not a division by zero.
    assert scores[LOC] == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    # Micro: 2 right of 5 predicted and of 4 gold; F1 = 2 * 0.4 * 0.5 / 0.9.
    assert scores["micro"] == {"precision": 0.4, "recall": 0.5, "f1": 0.4444}


def test_totals_add_up_over_documents_before_dividing() -> None:
    second = ({(0, 3, LOC)}, {(0, 3, LOC)})
    scores = _tally((GOLD, PREDICTED), second).scores()
    assert scores[LOC] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667}
    # 3 right of 6 predicted and of 5 gold (not the mean of the two documents' scores).
    assert scores["micro"] == {"precision": 0.5, "recall": 0.6, "f1": 0.5455}


def test_a_perfect_and_an_empty_system() -> None:
    assert _tally((GOLD, GOLD)).scores()["micro"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    empty = _tally((GOLD, set())).scores()["micro"]
    assert empty == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert _tally((set(), set())).scores()["micro"]["f1"] == 0.0


@pytest.mark.parametrize(
    ("predicted_surface", "right"),
    [("Okafor's", True), ("Okafor", True), ("Okafo", False)],
)
def test_spans_are_compared_after_trimming_and_misc_is_not_scored(
    predicted_surface: str, right: bool
) -> None:
    text = "Maria Okafor's team sold French wine."
    start = text.index("Okafor")
    gold = _scored(text, [(start, start + len("Okafor's"), PER), (25, 31, "MISC")])
    predicted = _scored(text, [(start, start + len(predicted_surface), PER), (25, 31, "MISC")])
    scores = _tally((gold, predicted)).scores()["micro"]
    expected = 1.0 if right else 0.0
    assert scores == {"precision": expected, "recall": expected, "f1": expected}
