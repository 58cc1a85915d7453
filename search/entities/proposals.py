"""Cross-script alias proposals gathered from the index, for `newsroom entities proposals`.

Reads the articles that name matching handled (no model read them, so their people and
organisations are names nobody extracted) and the registry, and leaves the choosing to
`transliteration.propose_aliases`.
"""

from __future__ import annotations

from collections import Counter
from typing import Final

from opensearchpy import OpenSearch, helpers

from search.entities import store
from search.entities.transliteration import AliasProposal, names_in, propose_aliases

#: Articles read for names: proposals are a sample for editors, not an archive-wide count.
MAX_ARTICLES: Final = 20_000


def gather_proposals(client: OpenSearch, articles_alias: str) -> list[AliasProposal]:
    """Names seen in matched-only articles that transliterate to one registry entity."""
    query = {"query": {"term": {"entities_status": "matched_known"}}, "_source": ["body"]}
    seen: Counter[str] = Counter()
    for n, hit in enumerate(helpers.scan(client, index=articles_alias, query=query)):
        if n >= MAX_ARTICLES:
            break
        seen.update(set(names_in(hit["_source"].get("body", ""))))
    if not seen:
        return []
    entities = store.scan_all(client, store.registry_alias(articles_alias))
    return propose_aliases(entities, seen)
