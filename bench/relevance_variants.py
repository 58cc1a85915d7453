"""Ranking variants bench.relevance tries: pure rewrites of the project's own query body, plus
BM25 parameters that need an index of their own (`similarity_index_body`).

Each variant starts from what `search.query.builder.build_search_body` sends, so a winner
translates into a small change of the compiler or the mapping, not into a second query path.
Recency is never a factor here: it stays a sort order the journalist picks.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from search.index.schema import index_body

#: Named similarities of the tuning index; their parameters change with the index closed.
TITLE_SIMILARITY = "bench_title_bm25"
BODY_SIMILARITY = "bench_body_bm25"
_TITLE_FIELDS = ("title", "title.exact")
_BODY_FIELDS = ("body", "body.exact")


@dataclass(frozen=True)
class Bm25:
    """BM25 parameters for title and body; Lucene's defaults are k1 1.2, b 0.75."""

    k1: float = 1.2
    title_b: float = 0.75
    body_b: float = 0.75

    def settings(self) -> dict[str, Any]:
        def one(b: float) -> dict[str, Any]:
            return {"type": "BM25", "k1": self.k1, "b": b}

        return {TITLE_SIMILARITY: one(self.title_b), BODY_SIMILARITY: one(self.body_b)}


@dataclass(frozen=True)
class Variant:
    """One way of ranking, as changes to the project's body: a field left at None (or 0) keeps
    what the compiler builds, so the defaults reproduce it exactly, today's or a later one."""

    #: multi_match type; None keeps the compiler's (cross_fields today).
    multi_type: str | None = None
    #: Boost of the title fields; None keeps the compiler's.
    title_boost: float | None = None
    #: Share of the other fields' scores added to the best field's (multi_match tie_breaker);
    #: None keeps OpenSearch's 0 for best_fields and cross_fields: a word in the title then
    #: scores the same whatever the body says.
    tie_breaker: float | None = None
    #: None keeps the compiler's rule (`operator: and` today); else a minimum_should_match in
    #: its place, such as "3<75%" (every word of up to three required, then 75% of them),
    #: which OpenSearch counts after analysis (stop words gone).
    min_match: str | None = None
    #: Weight of an optional phrase clause (same fields, `slop`) for queries of 2+ words; 0: none.
    phrase_boost: float = 0.0
    phrase_slop: int = 2
    #: (words, weight): scores of stories shorter than `words` multiplied by `weight`.
    short_demotion: tuple[int, float] | None = None
    #: BM25 parameters; None: the index's defaults (the project's index itself).
    bm25: Bm25 | None = None

    def describe(self) -> str:
        parts = [self.multi_type] if self.multi_type else []
        if self.title_boost is not None:
            parts.append(f"title^{self.title_boost:g}")
        if self.tie_breaker is not None:
            parts.append(f"tie {self.tie_breaker:g}")
        if self.min_match:
            parts.append(f"msm {self.min_match}")
        if self.phrase_boost:
            parts.append(f"phrase~{self.phrase_slop}^{self.phrase_boost:g}")
        if self.short_demotion:
            parts.append(f"<{self.short_demotion[0]}w x{self.short_demotion[1]:g}")
        if self.bm25:
            b = self.bm25
            parts.append(f"k1 {b.k1:g} b {b.title_b:g}/{b.body_b:g}")
        return " ".join(parts) or "as built"


CURRENT = Variant()

#: The options tried per dimension, by coordinate ascent from CURRENT (bench.relevance.tune).
#: A name joined by "+" sets several fields at once: the tie breaker means something only
#: together with the type (most_fields always adds every field's score).
DIMENSIONS: dict[str, tuple[Any, ...]] = {
    "multi_type+tie_breaker": (
        (None, None),
        ("cross_fields", 0.3),
        ("cross_fields", 1.0),
        ("best_fields", None),
        ("best_fields", 0.3),
        ("most_fields", None),
    ),
    "title_boost": (None, 1.0, 2.0, 5.0),
    "min_match": (None, "3<75%", "2<75%", "3<-1", "3<60%"),
    "phrase_boost": (0.0, 1.0, 2.0, 4.0),
    "phrase_slop": (2, 0, 5),
    "short_demotion": (None, (20, 0.5), (40, 0.5), (40, 0.75), (60, 0.75), (30, 0.25)),
    "bm25": (
        None,
        Bm25(1.2, 0.75, 0.5),
        Bm25(1.2, 0.75, 0.3),
        Bm25(1.2, 0.3, 0.3),
        Bm25(1.2, 0.0, 0.5),
        Bm25(0.9, 0.75, 0.5),
        Bm25(1.6, 0.75, 0.75),
        Bm25(0.6, 0.75, 0.75),
    ),
}


def with_option(variant: Variant, dimension: str, value: Any) -> Variant:
    """The variant with one dimension changed, in a canonical form: settings that do nothing
    (a slop without a phrase clause, a tie breaker under most_fields) are reset, so two
    variants that rank alike also compare equal and are measured once."""
    names = dimension.split("+")
    values = value if len(names) > 1 else (value,)
    changed = replace(variant, **dict(zip(names, values, strict=True)))
    if not changed.phrase_boost:
        changed = replace(changed, phrase_slop=CURRENT.phrase_slop)
    if changed.multi_type == "most_fields":
        changed = replace(changed, tie_breaker=None)
    return changed


# --- pure rewrites of a query --------------------------------------------------------------------


def _map_multi_match(node: Any, rewrite: Callable[[dict[str, Any]], dict[str, Any]]) -> Any:
    """A copy of `node` with every `multi_match` clause replaced by `rewrite(its params)`."""
    if isinstance(node, dict):
        if set(node) == {"multi_match"}:
            return rewrite(copy.deepcopy(node["multi_match"]))
        return {key: _map_multi_match(value, rewrite) for key, value in node.items()}
    if isinstance(node, list):
        return [_map_multi_match(item, rewrite) for item in node]
    return node


def _reboost_title(fields: list[str], boost: float) -> list[str]:
    """`title^3`, `title_fr^3` -> `title^<boost>`; bodies keep theirs."""
    out = []
    for field in fields:
        name = field.partition("^")[0]
        out.append(f"{name}^{boost:g}" if name.startswith("title") else field)
    return out


def _words_clause(params: dict[str, Any], variant: Variant) -> dict[str, Any]:
    params = dict(params)
    if variant.multi_type is not None:
        params["type"] = variant.multi_type
    if variant.title_boost is not None:
        params["fields"] = _reboost_title(params["fields"], variant.title_boost)
    if variant.tie_breaker is not None and params.get("type") != "most_fields":
        params["tie_breaker"] = variant.tie_breaker
    if variant.min_match is not None:
        params.pop("operator", None)
        params["minimum_should_match"] = variant.min_match
    return {"multi_match": params}


def _phrase_clause(params: dict[str, Any], variant: Variant) -> dict[str, Any]:
    fields = params["fields"]
    if variant.title_boost is not None:
        fields = _reboost_title(fields, variant.title_boost)
    return {
        "multi_match": {
            "query": params["query"],
            "type": "phrase",
            "slop": variant.phrase_slop,
            "fields": fields,
            "boost": variant.phrase_boost,
        }
    }


def rewrite_text(params: dict[str, Any], variant: Variant) -> dict[str, Any]:
    """The compiler's words clause as the variant would compile it."""
    words = _words_clause(params, variant)
    if not variant.phrase_boost or len(str(params["query"]).split()) < 2:
        return words
    return {"bool": {"must": [words], "should": [_phrase_clause(params, variant)]}}


def demote_short(query: dict[str, Any], words: int, weight: float) -> dict[str, Any]:
    """Multiply the score of stories under `words` words (price tables, one-liners) by `weight`."""
    demotion = {"filter": {"range": {"word_count": {"lt": words}}}, "weight": weight}
    return {"function_score": {"query": query, "functions": [demotion], "boost_mode": "multiply"}}


def variant_body(body: dict[str, Any], variant: Variant) -> dict[str, Any]:
    """The project's search body with its query ranked the variant's way (BM25 aside)."""
    query = _map_multi_match(body["query"], lambda params: rewrite_text(params, variant))
    if variant.short_demotion is not None:
        query = demote_short(query, *variant.short_demotion)
    return {**body, "query": query}


def similarity_index_body() -> dict[str, Any]:
    """The project's index definition with named BM25 similarities on title and body, so the
    tuning index can take other k1 and b without being rebuilt."""
    body = index_body()
    body["settings"]["similarity"] = Bm25().settings()
    properties = body["mappings"]["properties"]
    for similarity, names in ((TITLE_SIMILARITY, _TITLE_FIELDS), (BODY_SIMILARITY, _BODY_FIELDS)):
        for name in names:
            base, _, sub = name.partition(".")
            target = properties[base]["fields"][sub] if sub else properties[base]
            target["similarity"] = similarity
    return body
