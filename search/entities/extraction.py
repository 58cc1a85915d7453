"""The spaCy call, nothing else: named-entity spans with character offsets, per language."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import spacy

from search.entities.languages import MODELS

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

#: The English model package (see `languages.MODELS`), named here for the benchmarks.
MODEL_NAME: Final = MODELS["en"].package

#: The small pipelines' NER has its own embedding layer, so the shared tok2vec and everything
#: that listens to it (tagger, morphologizer, parser) can go; dropping them roughly triples
#: throughput.
_NOT_NEEDED: Final = (
    "tok2vec",
    "tagger",
    "morphologizer",
    "parser",
    "senter",
    "attribute_ruler",
    "lemmatizer",
)


@dataclass(frozen=True, slots=True)
class RawEntity:
    """One span as the model labelled it: `text[start:end]` with a spaCy label such as PERSON."""

    start: int
    end: int
    label: str


@functools.cache
def load_model(language: str = "en") -> Language:
    """Load a language's model once per process, on first use: an English archive never
    loads the French model. Raises KeyError for a language the table has no model for."""
    return spacy.load(MODELS[language].package, exclude=list(_NOT_NEEDED))


def extract(
    texts: Iterable[str], *, language: str = "en", batch_size: int = 32, n_process: int = 1
) -> Iterator[list[RawEntity]]:
    """Yield each text's entity spans, in input order, batching through `nlp.pipe`."""
    nlp = load_model(language)
    for doc in nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
        yield spans_of(doc)


def spans_of(doc: Doc) -> list[RawEntity]:
    """The entity spans of a processed document."""
    return [RawEntity(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents]
