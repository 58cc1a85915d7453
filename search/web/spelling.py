""" "Did you mean": a corrected query for a search that found nothing, from OpenSearch's term
suggester on the unstemmed title and body, so a misspelt name ("pyongyng") is not a dead end.

The request is asked only when a search matched nothing, over at most `MAX_WORDS` words, so it
costs nothing on the searches that work."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from opensearchpy import AsyncOpenSearch
from opensearchpy.exceptions import TransportError

from search.fields import BODY, EXACT, TITLE
from search.query.syntax import And, Node, Or, Phrase, QuerySyntaxError, Required, Term, parse

log = logging.getLogger(__name__)
#: Words of one query sent to the suggester, at most.
MAX_WORDS: Final = 8
SUGGESTED_FIELDS: Final = (f"{BODY}.{EXACT}", f"{TITLE}.{EXACT}")
#: Query fields whose words are prose (names under person: are matched as given, not spelt).
_PROSE_FIELDS: Final = (None, "title", "body")


@dataclass(frozen=True)
class Word:
    """A word the journalist typed, and where it starts in the query."""

    text: str
    start: int


def _phrase_words(node: Phrase, q: str) -> list[Word]:
    start = node.position + 1  # after the opening quote
    if q[start : start + len(node.text)] != node.text:
        return []
    words: list[Word] = []
    offset = 0
    for part in node.text.split():
        offset = node.text.index(part, offset)
        words.append(Word(part, start + offset))
        offset += len(part)
    return words


def checked_words(node: Node, q: str) -> list[Word]:
    """Words meant to be found: free, title and body words and the words of phrases. Not
    exclusions (a misspelt exclusion excludes nothing), prefixes and fuzzy words (already
    tolerant) nor names under a field such as person:."""
    if isinstance(node, Term) and node.field in _PROSE_FIELDS:
        return [Word(node.text, node.position)] if q.startswith(node.text, node.position) else []
    if isinstance(node, Phrase) and node.field in _PROSE_FIELDS:
        return _phrase_words(node, q)
    if isinstance(node, Required):
        return checked_words(node.child, q)
    if isinstance(node, And | Or):
        return [word for child in node.children for word in checked_words(child, q)]
    return []


def suggest_body(words: Sequence[Word]) -> dict[str, Any]:
    """One term suggestion per word and field; only for tokens the archive does not hold."""
    suggestions = {
        f"w{i}_f{n}": {
            "text": word.text,
            "term": {"field": field, "size": 1, "suggest_mode": "missing", "sort": "score"},
        }
        for i, word in enumerate(words[:MAX_WORDS])
        for n, field in enumerate(SUGGESTED_FIELDS)
    }
    return {"size": 0, "track_total_hits": False, "suggest": suggestions}


def _best_options(entries: list[Mapping[str, Any]]) -> dict[tuple[int, int], str]:
    """Per token (offset, length) of a word, the best option any field offered."""
    best: dict[tuple[int, int], tuple[float, int, str]] = {}
    for entry in entries:
        for option in entry.get("options", [])[:1]:
            key = (int(entry["offset"]), int(entry["length"]))
            rank = (float(option.get("score", 0)), int(option.get("freq", 0)), str(option["text"]))
            if key not in best or rank[:2] > best[key][:2]:
                best[key] = rank
    return {key: rank[2] for key, rank in best.items()}


def _corrected_word(word: str, options: Mapping[tuple[int, int], str]) -> str:
    for (offset, length), option in sorted(options.items(), reverse=True):
        typed = word[offset : offset + length]
        if typed[:1].isupper():
            option = option[:1].upper() + option[1:]
        word = word[:offset] + option + word[offset + length :]
    return word


def corrected_query(q: str, words: Sequence[Word], raw: Mapping[str, Any]) -> str | None:
    """The query with each misspelt word replaced in place (its syntax kept), or None when the
    suggester had nothing to offer."""
    suggest = raw.get("suggest", {})
    fixed = q
    for i, word in reversed(list(enumerate(words[:MAX_WORDS]))):
        entries = [e for n in range(len(SUGGESTED_FIELDS)) for e in suggest.get(f"w{i}_f{n}", [])]
        options = _best_options(entries)
        if not options:
            continue
        new = _corrected_word(word.text, options)
        fixed = fixed[: word.start] + new + fixed[word.start + len(word.text) :]
    return fixed if fixed != q else None


async def did_you_mean(client: AsyncOpenSearch, index: str, q: str) -> str | None:
    """A corrected query, or None; a suggester that fails only costs the suggestion."""
    try:
        words = checked_words(parse(q), q)
    except QuerySyntaxError:
        return None
    if not words:
        return None
    try:
        raw = await client.search(index=index, body=suggest_body(words))
    except TransportError:
        log.warning("spelling suggestion failed for %r", q[:80], exc_info=True)
        return None
    return corrected_query(q, words, raw)
