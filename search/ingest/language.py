"""Language of an article's text (ISO 639-1), for the language facet and to route NER.

langdetect is randomised; a detector factory with a fixed seed makes the same text give the
same answer on every run, so re-ingesting an archive never flips an article's language.
"""

from __future__ import annotations

import re
from functools import lru_cache

from langdetect import DetectorFactory
from langdetect.detector_factory import PROFILES_DIRECTORY
from langdetect.lang_detect_exception import LangDetectException

#: Characters looked at: enough for a stable answer, cheap on a 100 KB interview.
SAMPLE_CHARS = 2000
#: Fewer letters than this is a headline or a caption: too little to tell languages apart.
MIN_LETTERS = 20
#: Below this probability the text is mixed or unclear; no answer beats a wrong one.
MIN_PROBABILITY = 0.5
SEED = 0
# URLs, e-mail addresses and @handles are Latin script whatever the language of the text.
_NOISE = re.compile(r"https?://\S+|www\.\S+|\S+@\S+|@\w+")


@lru_cache(maxsize=1)
def _factory() -> DetectorFactory:
    """Load the language profiles once per process (about a second), seeded for determinism."""
    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(SEED)
    return factory


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of `text`'s language, or None when it is too short or unclear."""
    sample = _NOISE.sub(" ", text[: SAMPLE_CHARS * 2])[:SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return None
    try:
        detector = _factory().create()
        detector.append(sample)
        best = detector.get_probabilities()[0]
    except (LangDetectException, IndexError):
        return None
    if best.prob < MIN_PROBABILITY:
        return None
    code = str(best.lang).split("-")[0].lower()  # zh-cn, zh-tw -> zh
    return code if len(code) == 2 else None
