"""The key every mention of one entity shares, within an article and across the archive.

Extraction groups an article's mentions by it and the registry resolves identities by it, so it
is computed in this one place. A person or place keys by its folded spelling; an agency also
sheds its legal form, because wire copy writes "Chrysler Corp", "Chrysler Corp." and "Chrysler"
for one company.
"""

from __future__ import annotations

import re
from typing import Final

from search.entities.spans import folding_key, wordset
from search.models import EntityType

#: Legal forms of companies, folded as `folding_key` writes them. A small table rather than a
#: library: `rigour`'s list (OpenSanctions) leaves out "Corp" and "Co", the forms wire copy uses
#: most, because in its sanctions lists those words are too often part of the name itself.
LEGAL_FORMS: Final = wordset(
    """inc incorporated corp corporation co company cos ltd limited plc llc llp lp pty pte
    ag sa nv bv gmbh kgaa se spa srl sarl sas kk oy oyj ab asa as bhd tbk"""
)


def entity_key(name: str, type_: EntityType) -> str:
    """The identity key of a name of this type: "General Motors Corp" and "General Motors" share
    one as agencies; a name that is nothing but a legal form keeps it."""
    key = folding_key(name)
    if type_ != "agency":
        return key
    words = key.split()
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words.pop()
    return " ".join(words)


def is_legal_form(word: str) -> bool:
    """ "Inc.", "GmbH", "Corp": a company's legal form, which names nothing on its own."""
    return folding_key(word) in LEGAL_FORMS


#: An ending whose final "s" is part of the word: "Swiss".
_NOT_PLURAL: Final = "ss"


def singular_key(key: str) -> str:
    """The key with its last word in the English singular: "tories" -> "tory", "democrats" ->
    "democrat", "saudis" -> "saudi"; "swiss" stays. Groups are named
    both ways ("the Tory leader", "the Tories"), and only names that the archive has in both
    forms are joined (see same_name.plan_numbers), so an odd word here joins nothing."""
    *head, last = key.split() or [""]
    if len(last) > 4 and last.endswith("ies"):
        last = last[:-3] + "y"
    elif len(last) > 3 and last.endswith("s") and not last.endswith(_NOT_PLURAL):
        last = last[:-1]
    return " ".join([*head, last])


#: British "-ise" words and their "-ize" spelling: "organisation", "privatised", "realising".
_ISE: Final = re.compile(r"(?<=\w{2})is(?=e\b|es\b|ed\b|ing\b|ation)")


def spelling_of(key: str, *, british: bool = True) -> str:
    """What spellings of one name share: its words written apart, hyphenated or joined
    ("inter american", "interamerican") and, with `british`, "-ise" beside "-ize". Stored with
    each registry entity, so the other spellings of a name can be looked up (see
    same_name.plan_spellings)."""
    return "".join((_ISE.sub("iz", key) if british else key).split())


def number_keys(key: str) -> set[str]:
    """The keys a group's other number could have: its singular, and its plurals."""
    keys = {singular_key(key), f"{key}s"}
    if key.endswith("y"):
        keys.add(f"{key[:-1]}ies")
    return keys - {key}
