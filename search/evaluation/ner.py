"""NER evaluation on CoNLL-2003-style files: the project's extraction against the raw model.

Scores PER, ORG and LOC spans (MISC is not scored) by exact character span after trimming a
possessive and a leading article on both sides, so the figures measure names, not punctuation.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from search.entities.extraction import extract
from search.ingest.enrich import Enricher, EnrichInput

SCORED: Final = ("PER", "ORG", "LOC")

#: The plain mapping a user of the raw model would apply.
_RAW_LABELS: Final = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}
_PROJECT_LABELS: Final = {"person": "PER", "agency": "ORG", "location": "LOC"}

_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)

Span = tuple[int, int, str]


@dataclass(frozen=True)
class ConllDocument:
    """A document rebuilt from its tokens, with the gold spans as character offsets."""

    text: str
    entities: tuple[Span, ...]


def read_conll(path: Path) -> Iterator[ConllDocument]:
    """Read token-per-line CoNLL: token first, IOB1 or IOB2 tag last, `-DOCSTART-` between docs."""
    sentences: list[list[tuple[str, str]]] = []
    sentence: list[tuple[str, str]] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            columns = line.split()
            if not columns:
                if sentence:
                    sentences.append(sentence)
                sentence = []
            elif columns[0] == "-DOCSTART-":
                if sentence:
                    sentences.append(sentence)
                sentence = []
                if sentences:
                    yield _document(sentences)
                sentences = []
            else:
                sentence.append((columns[0], columns[-1]))
    if sentence:
        sentences.append(sentence)
    if sentences:
        yield _document(sentences)


def _document(sentences: list[list[tuple[str, str]]]) -> ConllDocument:
    """Join tokens with spaces and sentences with newlines, turning IOB tags into char spans."""
    parts: list[str] = []
    spans: list[Span] = []
    offset = 0
    for number, sentence in enumerate(sentences):
        if number:
            parts.append("\n")
            offset += 1
        open_label: str | None = None
        open_start = 0
        last_end = offset
        for index, (token, tag) in enumerate(sentence):
            if index:
                parts.append(" ")
                offset += 1
            prefix, _, label = tag.partition("-")
            # IOB1 starts an entity with I- unless it continues one of the same type; B- always
            # starts one. Reading both this way also reads IOB2 correctly.
            continues = prefix == "I" and label == open_label
            if not continues and open_label is not None:
                spans.append((open_start, last_end, open_label))
                open_label = None
            if prefix in ("B", "I") and not continues:
                open_label, open_start = label, offset
            parts.append(token)
            offset += len(token)
            last_end = offset
        if open_label is not None:
            spans.append((open_start, last_end, open_label))
    return ConllDocument("".join(parts), tuple(spans))


def trim_for_scoring(text: str, span: Span) -> Span | None:
    """Drop a possessive and a leading article, the conventions annotators disagree on."""
    start, end, label = span
    surface = text[start:end]
    possessive = _POSSESSIVE.search(surface)
    if possessive and possessive.start() > 0:
        end = start + possessive.start()
    article = _LEADING_ARTICLE.match(text[start:end])
    if article and article.end() < end - start:
        start += article.end()
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end, label) if start < end else None


@dataclass
class _Tally:
    true_positive: Counter[str]
    false_positive: Counter[str]
    false_negative: Counter[str]

    @classmethod
    def empty(cls) -> _Tally:
        return cls(Counter(), Counter(), Counter())

    def add(self, gold: set[Span], predicted: set[Span]) -> None:
        for _, _, label in predicted & gold:
            self.true_positive[label] += 1
        for _, _, label in predicted - gold:
            self.false_positive[label] += 1
        for _, _, label in gold - predicted:
            self.false_negative[label] += 1

    def scores(self) -> dict[str, dict[str, float]]:
        report = {label: _prf(self, (label,)) for label in SCORED}
        report["micro"] = _prf(self, SCORED)
        return report


def _prf(tally: _Tally, labels: tuple[str, ...]) -> dict[str, float]:
    true_positive = sum(tally.true_positive[label] for label in labels)
    predicted = true_positive + sum(tally.false_positive[label] for label in labels)
    gold = true_positive + sum(tally.false_negative[label] for label in labels)
    precision = true_positive / predicted if predicted else 0.0
    recall = true_positive / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def _scored(text: str, spans: Iterable[Span]) -> set[Span]:
    kept = (trim_for_scoring(text, span) for span in spans if span[2] in SCORED)
    return {span for span in kept if span is not None}


def raw_spans(texts: list[str]) -> Iterator[list[Span]]:
    """The model's spans with the plain label mapping."""
    for entities in extract(texts):
        yield [(e.start, e.end, _RAW_LABELS[e.label]) for e in entities if e.label in _RAW_LABELS]


def project_spans(texts: list[str], enricher: Enricher) -> Iterator[list[Span]]:
    """Mentions after the project's trimming, filtering and type fixes, before canonical names."""
    inputs = (EnrichInput(text=text, title="", language="en", published_at=None) for text in texts)
    for enrichment in enricher.enrich_many(inputs):
        yield [
            (mention.start, mention.end, _PROJECT_LABELS[entity.type])
            for entity in enrichment.entities
            if entity.type in _PROJECT_LABELS
            for mention in entity.mentions
        ]


def run_ner_eval(path: Path | str) -> dict[str, object]:
    """Score the project and the raw model on one CoNLL file; the dict the CLI prints as JSON."""
    documents = list(read_conll(Path(path)))
    texts = [document.text for document in documents]
    started = time.perf_counter()
    enricher = Enricher()  # model and gazetteers load outside the timed passes
    report: dict[str, object] = {
        "documents": len(documents),
        "load_seconds": round(time.perf_counter() - started, 2),
    }
    systems: tuple[tuple[str, Callable[[], Iterator[list[Span]]]], ...] = (
        ("project", lambda: project_spans(texts, enricher)),
        ("raw", lambda: raw_spans(texts)),
    )
    for name, system in systems:
        started = time.perf_counter()
        tally = _Tally.empty()
        for document, predicted in zip(documents, system(), strict=True):
            tally.add(_scored(document.text, document.entities), _scored(document.text, predicted))
        report[name] = tally.scores()
        report[f"{name}_seconds"] = round(time.perf_counter() - started, 2)
    return report
