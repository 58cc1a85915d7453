"""New articles matched against every saved search, one percolate request per ingest batch.

After a batch is written, its new and changed articles are sent as documents to a `percolate`
query over the saved searches; each (saved search, article) that matches is recorded in
`<alias>-alert-matches` under the id `<saved search>:<cluster>`, created only if absent, so a
story matched once for a search is not matched again when a copy of it arrives (the same
near-duplicate cluster) or when it is re-ingested. A failure never holds articles back: the run
records the warning `alerts_not_matched`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from opensearchpy import OpenSearch, helpers
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import TransportError

from search.alerts.saved import matches_alias, saved_alias
from search.fields import CLUSTER_ID, ID, PUBLISHED_AT, SOURCE, TITLE, URL

log = logging.getLogger(__name__)
#: Saved searches one percolate request returns at most (every one that matched the batch).
MAX_MATCHING: Final = 10_000
SLOT: Final = "_percolator_document_slot"


#: Parts of an article no search can ask about: left out of what is percolated, since each
#: document sent is indexed in memory for every saved search that may match it.
NOT_SEARCHED: Final = frozenset(
    {"entities", "date_mentions", "minhash_bands", "copies", "removed", "published_at_raw",
     "ingested_at", "word_count", "content_hash", "entities_status", "url"}
)  # fmt: skip


def percolate_body(documents: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Which saved searches match any of `documents`, and which ones each matched (pure)."""
    searched = [{k: v for k, v in doc.items() if k not in NOT_SEARCHED} for doc in documents]
    return {
        "size": MAX_MATCHING,
        "_source": ["saved_id"],
        "query": {"percolate": {"field": "percolator", "documents": searched}},
    }


def read_matches(raw: Mapping[str, Any]) -> list[tuple[str, int]]:
    """(saved search id, slot of the matched document) pairs from a percolate answer."""
    pairs = []
    for hit in raw.get("hits", {}).get("hits", []):
        for slot in hit.get("fields", {}).get(SLOT, []):
            pairs.append((str(hit["_source"]["saved_id"]), int(slot)))
    return pairs


def match_record(saved_id: str, doc: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    story = str(doc.get(CLUSTER_ID) or doc[ID])
    return {
        "saved_id": saved_id,
        "article_id": str(doc[ID]),
        "cluster_id": story,
        "matched_at": now.isoformat(),
        "title": doc.get(TITLE) or "",
        "source": doc.get(SOURCE),
        "url": doc.get(URL),
        "published_at": doc.get(PUBLISHED_AT),
    }


class AlertMatcher:
    """Matches the batches of one run; does nothing when no search was ever saved."""

    def __init__(self, client: OpenSearch, articles_alias: str) -> None:
        self._client = client
        self._saved = saved_alias(articles_alias)
        self._matches = matches_alias(articles_alias)
        try:
            self.enabled = bool(client.indices.exists_alias(name=self._saved))
        except (OSConnectionError, TransportError):
            self.enabled = False
        self.recorded = 0
        self.failed = 0

    def match(self, documents: Sequence[Mapping[str, Any]]) -> int:
        """Record what the documents matched; returns how many new matches."""
        if not self.enabled or not documents:
            return 0
        try:
            raw = self._client.search(index=self._saved, body=percolate_body(documents))
            now = datetime.now(UTC)
            actions = [
                {
                    "_op_type": "create",
                    "_index": self._matches,
                    "_id": f"{saved_id}:{record['cluster_id']}",
                    "_source": record,
                }
                for saved_id, slot in read_matches(raw)
                for record in [match_record(saved_id, documents[slot], now)]
            ]
            created = self._record(actions)
        except (OSConnectionError, TransportError) as exc:
            log.warning("alerts not matched for %d articles: %s", len(documents), exc)
            self.failed += len(documents)
            return 0
        self.recorded += created
        return created

    def _record(self, actions: list[dict[str, Any]]) -> int:
        if not actions:
            return 0
        created = 0
        for ok, item in helpers.streaming_bulk(
            self._client, actions, raise_on_error=False, refresh="wait_for"
        ):
            status = item["create"].get("status")
            if ok:
                created += 1
            elif status != 409:  # 409: the story was matched for this search before
                raise TransportError(status, "alert match not recorded", item)
        return created
