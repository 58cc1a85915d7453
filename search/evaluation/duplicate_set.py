"""The labelled set of copies `newsroom eval duplicates` measures, made from the real corpora
beside the project by a seeded generator, so nothing big is committed.

The set (`build_set`), from BBC News and Reuters-21578:
* originals: stories drawn at random, each followed by one or two copies made by the edits a
  syndicated story goes through: another headline (and outlet), added boilerplate, a cut
  ending, a rewritten lead, or all but the lead at once;
* BBC's own exact copies (98 records repeating an earlier one, same title and body);
* hard negatives: singletons on the same topics (BBC categories, Reuters topic codes);
  Reuters' short templated notices (dividends, quarterly results, prime rates) of other
  companies, which share most of their few words with each other; and follow-ups, other
  stories quoting a paragraph of an original.
Stories of the corpora that are natural near copies of each other (updated versions, which no
label says) are kept out of the pool: two pool stories sharing a fifth of their shingles are
not both taken, unless they are exact copies, which are labelled.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

from search.duplicates.clusters import (
    fingerprint,
)
from search.duplicates.minhash import LshParams
from search.duplicates.shingles import jaccard
from search.models import RawRecord

CORPORA: Final = ("bbc_news.ndjson.gz", "reuters21578.ndjson.gz")
EDITS: Final = ("headline", "boilerplate", "cut_ending", "rewritten_lead", "combined")
OUTLETS: Final = ("Morning Herald", "City Post", "Wire Daily", "Evening Courier", "The Ledger")
BOILERPLATE: Final = (
    "Sign up for our morning newsletter and get the day's top stories in your inbox.",
    "Copyright 2005 {outlet}. All rights reserved. This material may not be redistributed.",
    "Share this article on Facebook, Twitter or by email.",
    "Follow {outlet} on social media for the latest updates.",
    "Related coverage: more stories from our business and politics desks.",
    "Advertisement",
    "Click here to subscribe for unlimited access to {outlet}.",
)
DATELINES: Final = ("LONDON", "NEW YORK", "WASHINGTON", "BRUSSELS", "TOKYO")
#: Words a sub-editor rewording a lead swaps (a stand-in for a rewrite: same facts, new words).
REWORDING: Final = {
    "said": "told reporters", "says": "has said", "will": "is set to", "has": "had",
    "new": "fresh", "government": "administration", "company": "firm", "rise": "increase",
    "fell": "dropped", "rose": "climbed", "announced": "unveiled", "plans": "proposals",
    "expected": "forecast", "about": "around", "more": "further", "year": "12 months",
}  # fmt: skip
#: Reuters titles of templated notices (one per company: different facts, same words).
TEMPLATES: Final = re.compile(r"DIVIDEND|PAYOUT|QTR NET|PRIME RATE|SETS QUARTERLY|YEAR NET")
#: Two pool stories at this Jaccard similarity or more are natural relatives: unlabelled.
RELATIVES: Final = 0.2
_SENTENCE: Final = re.compile(r"(?<=[.!?])\s+")
_CORRECTED: Final = re.compile(r"^(CORRECTED|UPDATE \d*|REPEAT)\W+")


@dataclass(frozen=True)
class Labelled:
    """One record of the set, with the cluster the truth puts it in and how it was made."""

    record: RawRecord
    truth: str
    kind: str


@dataclass
class LabelledSet:
    items: list[Labelled] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return dict(Counter(item.kind for item in self.items))


def read_corpus(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            record: dict[str, Any] = json.loads(line)
            if record.get("body", "").strip():
                yield record


def _record(raw: dict[str, Any], **changes: Any) -> RawRecord:
    fields = {
        "location": f"eval#{raw['id']}",
        "id": raw["id"],
        "title": raw.get("title") or None,
        "body": raw["body"],
        "source": raw.get("source"),
        "published_at": raw.get("date") or "2005-03-01T08:00:00",
        "language": "en",
    }
    return RawRecord(**{**fields, **changes})


def _sentences(body: str) -> list[str]:
    return [s for s in _SENTENCE.split(" ".join(body.split())) if s]


def _paragraphs(body: str) -> list[str]:
    found = [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
    return found if len(found) > 2 else _sentences(body)


def with_headline(raw: RawRecord, rng: random.Random) -> RawRecord:
    title = raw.title or ""
    headline = rng.choice(
        [f"UPDATE 1-{title}", f"{title}, sources say", f"Analysis: {title}", f"{title} (update)"]
    )
    return raw.model_copy(update={"title": headline})


def with_boilerplate(raw: RawRecord, rng: random.Random) -> RawRecord:
    outlet = raw.source or "the paper"
    lines = [line.format(outlet=outlet) for line in rng.sample(BOILERPLATE, rng.randint(2, 4))]
    cut = rng.randint(0, 1)
    body = "\n\n".join([*lines[:cut], raw.body, *lines[cut:]])
    return raw.model_copy(update={"body": body})


def with_cut_ending(raw: RawRecord, rng: random.Random, keep: tuple[float, float]) -> RawRecord:
    parts = _paragraphs(raw.body)
    kept = max(1, round(len(parts) * rng.uniform(*keep)))
    return raw.model_copy(update={"body": "\n\n".join(parts[:kept])})


def with_rewritten_lead(raw: RawRecord, rng: random.Random) -> RawRecord:
    """The first paragraph told again: a dateline and a new opening sentence, its words
    swapped for a sub-editor's; the rest of the story as it was."""
    parts = _paragraphs(raw.body)
    words = parts[0].split()
    reworded = " ".join(REWORDING.get(w.lower(), w) for w in words)
    if len(words) > 12:  # the clauses of a long lead change places
        middle = len(words) // 2
        reworded = " ".join(reworded.split()[middle:] + reworded.split()[:middle])
    opening = f"{rng.choice(DATELINES)} - {raw.title or 'In a developing story'}, it emerged."
    return raw.model_copy(update={"body": "\n\n".join([f"{opening} {reworded}", *parts[1:]])})


def follow_up(story: RawRecord, quoted: RawRecord, rng: random.Random) -> RawRecord:
    """Another story that quotes a passage of an earlier one (a quarter of it at most): related,
    not a copy."""
    parts = _paragraphs(story.body)
    limit = len(quoted.body.split()) // 4
    passages = [p for p in _paragraphs(quoted.body) + _sentences(quoted.body) if p.split()]
    short = [p for p in passages if len(p.split()) <= limit] or [min(passages, key=len)]
    quote = " ".join(rng.choice(short[:3]).split()[: max(limit, 8)])
    at = rng.randint(1, max(1, len(parts) - 1))
    body = "\n\n".join([*parts[:at], f"As reported earlier: {quote}", *parts[at:]])
    return story.model_copy(
        update={"id": f"follow-{story.id}", "location": f"eval#follow-{story.id}", "body": body}
    )


def edited(raw: RawRecord, kind: str, rng: random.Random, n: int) -> RawRecord:
    """A copy of the story as another outlet runs it, a few hours later."""
    base = raw.model_copy(
        update={
            "id": f"copy-{n:04d}-{kind}",
            "location": f"eval#copy-{n}",
            "source": OUTLETS[n % len(OUTLETS)],
            "published_at": _later(raw.published_at, hours=1 + n % 12),
        }
    )
    if kind == "headline":
        return with_headline(base, rng)
    if kind == "boilerplate":
        return with_boilerplate(base, rng)
    if kind == "cut_ending":
        return with_cut_ending(base, rng, (0.55, 0.85))
    if kind == "rewritten_lead":
        return with_rewritten_lead(base, rng)
    cut = with_cut_ending(base, rng, (0.6, 0.9))
    return with_boilerplate(with_headline(cut, rng), rng)


def _later(published: str | None, *, hours: int) -> str:
    start = datetime.fromisoformat(published or "2005-03-01T08:00:00")
    return (start + timedelta(hours=hours)).isoformat()


def _words(raw: dict[str, Any]) -> int:
    return len(str(raw["body"]).split())


#: A permissive lookup for relatives: pairs sharing a fifth of their shingles meet in a band
#: with probability 0.93, a quarter 0.99.
_RELATIVE_LSH: Final = LshParams(bands=64, rows=2)


@dataclass
class _Pool:
    """Stories taken so far, to keep natural relatives apart (exact copies apart)."""

    texts: dict[str, str] = field(default_factory=dict)
    shingles: dict[str, Any] = field(default_factory=dict)
    bands: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def twins(self, story_id: str) -> int:
        """How many stories taken have this one's body (1: itself only)."""
        return sum(text == self.texts[story_id] for text in self.texts.values())

    def take(self, candidates: Sequence[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
        """Up to `limit` stories not yet taken, none a natural near copy of one taken."""
        out: list[dict[str, Any]] = []
        for raw in candidates:
            if len(out) >= limit:
                break
            if raw["id"] in self.texts:
                continue
            text = " ".join(str(raw["body"]).split()).casefold()
            print_ = fingerprint(raw["id"], "", raw["body"], params=_RELATIVE_LSH)
            others = {o for key in print_.bands for o in self.bands.get(key, ())}
            if any(
                text != self.texts[o] and jaccard(print_.shingles, self.shingles[o]) >= RELATIVES
                for o in others
            ):
                continue
            self.texts[raw["id"]] = text
            self.shingles[raw["id"]] = print_.shingles
            for key in print_.bands:
                self.bands[key].append(raw["id"])
            out.append(raw)
        return out


def build_set(
    corpora: Path, *, seed: int = 1, originals: int = 200, negatives: int = 500
) -> LabelledSet:
    """The labelled set, the same for the same corpora and seed."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible sample, not a secret
    bbc = list(read_corpus(corpora / CORPORA[0]))
    reuters = [r for r in read_corpus(corpora / CORPORA[1]) if r.get("title")]
    labelled = LabelledSet()
    by_text: dict[str, str] = {}

    def add(raw: RawRecord, truth: str, kind: str) -> None:
        text = " ".join(raw.body.split()).casefold()  # the same body under two headlines too
        labelled.items.append(Labelled(raw, by_text.setdefault(text, truth), kind))

    taken = _Pool()
    exact = _bbc_exact_copies(bbc)
    for raw in taken.take([r for r in bbc if r["id"] in exact], len(exact)):
        add(_record(raw), raw["id"], "exact_copy")
    stories = [r for r in reuters if _words(r) >= 100]
    extra = originals + negatives + originals // 2  # the last for follow-ups
    from_bbc = taken.take(rng.sample(bbc, len(bbc)), extra)
    from_reuters = taken.take(rng.sample(stories, len(stories)), extra)
    n = 0
    for raw in from_bbc[:originals] + from_reuters[:originals]:
        original = _record(raw)
        add(original, raw["id"], "original")
        for _ in range(rng.choice((1, 1, 2))):
            kind = EDITS[n % len(EDITS)]
            add(edited(original, kind, rng, n), raw["id"], kind)
            n += 1
    for raw in from_bbc[originals:][:negatives] + from_reuters[originals:][:negatives]:
        add(_record(raw), raw["id"], "negative")
    for raw in _templated_notices(reuters, rng, negatives // 2):
        add(_record(raw), raw["id"], "template")
    others = [  # a story with a twin under another headline would make a copy, not a follow-up
        raw
        for raw in from_bbc[originals + negatives :] + from_reuters[originals + negatives :]
        if taken.twins(raw["id"]) == 1
    ]
    for n, raw in enumerate(from_bbc[: originals // 2] + from_reuters[: originals // 2]):
        if n < len(others):
            add(follow_up(_record(others[n]), _record(raw), rng), f"follow-{n}", "follow_up")
    order = list(range(len(labelled.items)))
    rng.shuffle(order)  # copies arrive before and after their originals, across batches
    labelled.items = [labelled.items[i] for i in order]
    return labelled


def _bbc_exact_copies(bbc: Sequence[dict[str, Any]]) -> set[str]:
    by_text: dict[str, list[str]] = defaultdict(list)
    for raw in bbc:
        by_text[" ".join(f"{raw['title']}\n{raw['body']}".split())].append(raw["id"])
    return {i for ids in by_text.values() if len(ids) > 1 for i in ids}


def _templated_notices(
    reuters: Sequence[dict[str, Any]], rng: random.Random, limit: int
) -> list[dict[str, Any]]:
    """Short notices of one template, one per company and text."""
    seen_titles: set[str] = set()
    seen_bodies: set[str] = set()
    out = []
    notices = [r for r in reuters if TEMPLATES.search(r["title"]) and _words(r) < 60]
    for raw in rng.sample(notices, len(notices)):
        title = _CORRECTED.sub("", raw["title"]).split("<")[0].strip()
        body = " ".join(str(raw["body"]).split())
        if title in seen_titles or body in seen_bodies:
            continue
        seen_titles.add(title)
        seen_bodies.add(body)
        out.append(raw)
        if len(out) >= limit:
            break
    return out
