"""Which articles a correction can touch, asked in clauses the node accepts however many
identities a consolidation of a large archive touches."""

from __future__ import annotations

from search.entities.reresolve import TERMS_PER_CLAUSE, affected_query
from search.entities.resolution import ID_FIELDS

#: OpenSearch's default `index.max_terms_count`.
NODE_TERMS_LIMIT = 65_536


def _asked(query: dict[str, object]) -> dict[str, list[str]]:
    asked: dict[str, list[str]] = {}
    for clause in query["bool"]["should"]:  # type: ignore[index]
        ((field, values),) = clause["terms"].items()
        asked.setdefault(field, []).extend(values)
    return asked


def test_nothing_to_ask_matches_nothing() -> None:
    assert affected_query([], []) == {"match_none": {}}


def test_many_identities_are_asked_in_clauses_the_node_accepts() -> None:
    ids = [f"id-{n:06d}" for n in range(NODE_TERMS_LIMIT + 5)]
    keys = [f"key {n}" for n in range(2 * TERMS_PER_CLAUSE + 1)]
    query = affected_query(ids, keys)
    sizes = [len(next(iter(c["terms"].values()))) for c in query["bool"]["should"]]
    assert max(sizes) <= TERMS_PER_CLAUSE <= NODE_TERMS_LIMIT
    asked = _asked(query)
    assert {field: sorted(asked[field]) for field in ID_FIELDS.values()} == {
        field: sorted(ids) for field in ID_FIELDS.values()
    }
    assert sorted(asked["entity_keys"]) == sorted(keys)
    assert query["bool"]["minimum_should_match"] == 1


def test_only_keys_asks_only_keys() -> None:
    assert _asked(affected_query([], ["reagan"])) == {"entity_keys": ["reagan"]}
