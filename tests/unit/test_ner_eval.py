"""The CoNLL reader and scorer, on a small synthetic snippet written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.evaluation.ner import ConllDocument, read_conll, run_ner_eval, trim_for_scoring

CORPORA = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpora"

# Invented sentences in CoNLL-2003 layout (token POS chunk NER), IOB1 tags.
IOB1 = """-DOCSTART- -X- O O

Maria NNP I-NP I-PER
Okafor NNP I-NP I-PER
visited VBD I-VP O
Lagos NNP I-NP I-LOC
. . O O

The DT I-NP O
Harbour NNP I-NP I-ORG
Authority NNP I-NP I-ORG
thanked VBD I-VP O
her PRP I-NP O
. . O O

-DOCSTART- -X- O O

Paris NNP I-NP I-LOC
Lyon NNP I-NP B-LOC
and CC O O
French JJ I-NP I-MISC
wine NN I-NP O
"""

IOB2 = """-DOCSTART- -X- O O

Maria NNP B-NP B-PER
Okafor NNP I-NP I-PER
visited VBD B-VP O
Lagos NNP B-NP B-LOC
. . O O

The DT B-NP O
Harbour NNP I-NP B-ORG
Authority NNP I-NP I-ORG
thanked VBD B-VP O
her PRP B-NP O
. . O O

-DOCSTART- -X- O O

Paris NNP B-NP B-LOC
Lyon NNP B-NP B-LOC
and CC O O
French JJ B-NP B-MISC
wine NN I-NP O
"""


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def surfaces(document: ConllDocument) -> list[tuple[str, str]]:
    return [(document.text[start:end], label) for start, end, label in document.entities]


def test_documents_are_rebuilt_with_spaces_and_sentence_newlines(tmp_path: Path) -> None:
    documents = list(read_conll(write(tmp_path, "a.conll", IOB1)))
    assert len(documents) == 2
    assert documents[0].text == (
        "Maria Okafor visited Lagos .\nThe Harbour Authority thanked her ."
    )
    assert surfaces(documents[0]) == [
        ("Maria Okafor", "PER"),
        ("Lagos", "LOC"),
        ("Harbour Authority", "ORG"),
    ]


def test_iob1_and_iob2_read_the_same(tmp_path: Path) -> None:
    first = list(read_conll(write(tmp_path, "iob1.conll", IOB1)))
    second = list(read_conll(write(tmp_path, "iob2.conll", IOB2)))
    assert first == second


def test_a_b_tag_separates_adjacent_entities_of_one_type(tmp_path: Path) -> None:
    documents = list(read_conll(write(tmp_path, "a.conll", IOB1)))
    assert surfaces(documents[1]) == [("Paris", "LOC"), ("Lyon", "LOC"), ("French", "MISC")]


def test_scoring_trims_possessives_and_leading_articles() -> None:
    text = "the Harbour Authority's boats"
    assert trim_for_scoring(text, (0, 23, "ORG")) == (4, 21, "ORG")


def test_a_file_without_docstart_is_one_document(tmp_path: Path) -> None:
    body = IOB1.replace("-DOCSTART- -X- O O\n", "")
    assert len(list(read_conll(write(tmp_path, "plain.conll", body)))) == 1


def test_run_ner_eval_reports_both_systems_per_type(tmp_path: Path) -> None:
    report = run_ner_eval(write(tmp_path, "a.conll", IOB1))
    assert report["documents"] == 2
    for system in ("project", "raw"):
        scores = report[system]
        assert isinstance(scores, dict)
        assert set(scores) == {"PER", "ORG", "LOC", "micro"}
        for figures in scores.values():
            assert set(figures) == {"precision", "recall", "f1"}
            assert all(0.0 <= value <= 1.0 for value in figures.values())


@pytest.mark.corpus
def test_project_beats_the_raw_model_on_conll_dev() -> None:
    path = CORPORA / "conll2003-eng.testa"
    if not path.exists():
        pytest.skip("CoNLL-2003 development set not present")
    report = run_ner_eval(path)
    project, raw = report["project"], report["raw"]
    assert isinstance(project, dict)
    assert isinstance(raw, dict)
    assert project["micro"]["f1"] >= 0.72
    assert project["micro"]["f1"] > raw["micro"]["f1"]
