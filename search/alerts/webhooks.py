"""Saved-search matches delivered to a webhook: a signed JSON POST, retried, logged, and
switched off after repeated failures.

Each delivery is one POST per saved search with the stories matched since the last delivery,
`Content-Type: application/json`, and two headers: `X-Newsroom-Timestamp` (Unix seconds) and
`X-Newsroom-Signature: sha256=<hex>`, the HMAC-SHA256 under the saved search's secret of
`<timestamp>.<body>`, so a receiver can check both who sent it and that it is fresh. A failed
POST (a network error or a status other than 2xx) is tried again after 0.5, 1 and 2 seconds;
each attempt is logged in `<alias>-alert-deliveries`; after `MAX_FAILURES` failed deliveries in
a row the webhook is switched off (its feed keeps working). Only http and https URLs are taken,
and none that names or resolves to a private, loopback, link-local or reserved address unless
`NEWSROOM_ALLOW_PRIVATE_URLS` is set: the service must not be made to call into its own
network.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Final

import httpx
from opensearchpy import NotFoundError, OpenSearch, helpers

from search.alerts.saved import deliveries_alias, matches_alias, saved_alias
from search.alerts.targets import UrlRefused, check_url

log = logging.getLogger(__name__)
SIGNATURE_HEADER: Final = "X-Newsroom-Signature"
TIMESTAMP_HEADER: Final = "X-Newsroom-Timestamp"
#: Waits before the second, third and fourth attempt of one delivery.
BACKOFF_S: Final = (0.5, 1.0, 2.0)
#: Failed deliveries in a row after which a webhook is switched off.
MAX_FAILURES: Final = 5
TIMEOUT_S: Final = 10.0
#: Matches sent in one delivery at most (the rest go in the next).
MATCHES_PER_DELIVERY: Final = 100


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=` and the HMAC-SHA256 of `<timestamp>.<body>` under the secret."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def payload(saved: dict[str, Any], matches: Sequence[dict[str, Any]]) -> bytes:
    """The JSON a delivery sends (pure)."""
    return json.dumps(
        {
            "saved_search": {"id": saved["saved_id"], "name": saved["name"]},
            "matches": [
                {
                    k: m.get(k)
                    for k in (
                        "article_id",
                        "cluster_id",
                        "title",
                        "source",
                        "url",
                        "published_at",
                        "matched_at",
                    )
                }
                for m in matches
            ],
        },
        ensure_ascii=False,
    ).encode()


def deliver_pending(
    client: OpenSearch,
    articles_alias: str,
    *,
    allow_private: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, int]:
    """Send every undelivered match of every saved search with a live webhook; returns how
    many deliveries succeeded and failed."""
    outcome = {"delivered": 0, "failed": 0}
    hooked = client.search(
        index=saved_alias(articles_alias),
        body={
            "size": 10_000,
            "query": {
                "bool": {
                    "filter": [{"exists": {"field": "webhook"}}],
                    "must_not": [{"term": {"webhook_disabled": True}}],
                }
            },
            "_source": {"excludes": ["percolator", "request"]},
        },
    )["hits"]["hits"]
    for hit in hooked:
        saved = hit["_source"]
        pending = _pending(client, articles_alias, saved["saved_id"])
        if not pending:
            continue
        ok = _deliver(client, articles_alias, saved, pending, allow_private, sleep)
        outcome["delivered" if ok else "failed"] += 1
    return outcome


def _pending(client: OpenSearch, articles_alias: str, saved_id: str) -> list[dict[str, Any]]:
    raw = client.search(
        index=matches_alias(articles_alias),
        body={
            "size": MATCHES_PER_DELIVERY,
            "query": {
                "bool": {
                    "filter": [{"term": {"saved_id": saved_id}}],
                    "must_not": [{"term": {"delivered": True}}],
                }
            },
            "sort": [{"matched_at": "asc"}, {"article_id": "asc"}],
        },
    )
    return [{**hit["_source"], "_id": hit["_id"]} for hit in raw["hits"]["hits"]]


def _deliver(
    client: OpenSearch,
    articles_alias: str,
    saved: dict[str, Any],
    pending: list[dict[str, Any]],
    allow_private: bool,
    sleep: Callable[[float], None],
) -> bool:
    body = payload(saved, pending)
    error = ""
    status: int | None = None
    for attempt in range(len(BACKOFF_S) + 1):
        if attempt:
            sleep(BACKOFF_S[attempt - 1])
        timestamp = str(int(time.time()))
        try:
            url = check_url(saved["webhook"], allow_private=allow_private)
            response = httpx.post(
                url,
                content=body,
                headers={
                    "Content-Type": "application/json",
                    "User-Agent": "NewsroomSearch-webhook/1",
                    TIMESTAMP_HEADER: timestamp,
                    SIGNATURE_HEADER: signature(saved["webhook_secret"], timestamp, body),
                },
                timeout=TIMEOUT_S,
                follow_redirects=False,
            )
            status = response.status_code
            error = "" if response.is_success else f"answered {status}"
        except UrlRefused as exc:
            error = str(exc)
            _log(client, articles_alias, saved, len(pending), attempt, None, error)
            break
        except httpx.HTTPError as exc:
            status, error = None, f"{type(exc).__name__}: {exc}"
        _log(client, articles_alias, saved, len(pending), attempt, status, error)
        if not error:
            _mark_delivered(client, articles_alias, pending)
            _set_failures(client, articles_alias, saved, 0)
            return True
    failures = int(saved.get("webhook_failures") or 0) + 1
    _set_failures(client, articles_alias, saved, failures)
    log.warning(
        "webhook of saved search %s failed (%d in a row): %s", saved["saved_id"], failures, error
    )
    return False


def _log(
    client: OpenSearch,
    articles_alias: str,
    saved: dict[str, Any],
    matches: int,
    attempt: int,
    status: int | None,
    error: str,
) -> None:
    client.index(
        index=deliveries_alias(articles_alias),
        id=uuid.uuid4().hex,
        body={
            "saved_id": saved["saved_id"],
            "at": datetime.now(UTC).isoformat(),
            "attempt": attempt + 1,
            "matches": matches,
            "status": status,
            "ok": not error,
            "error": error or None,
        },
    )


def _mark_delivered(client: OpenSearch, articles_alias: str, pending: list[dict[str, Any]]) -> None:
    actions = [
        {
            "_op_type": "update",
            "_index": matches_alias(articles_alias),
            "_id": m["_id"],
            "doc": {"delivered": True},
        }
        for m in pending
    ]
    helpers.bulk(client, actions, refresh="wait_for")


def _set_failures(
    client: OpenSearch, articles_alias: str, saved: dict[str, Any], failures: int
) -> None:
    doc: dict[str, Any] = {"webhook_failures": failures}
    if failures >= MAX_FAILURES:
        doc["webhook_disabled"] = True
    client.update(
        index=saved_alias(articles_alias),
        id=saved["saved_id"],
        body={"doc": doc},
        refresh="wait_for",
    )


def delivery_log(
    client: OpenSearch, articles_alias: str, saved_id: str, size: int = 50
) -> list[dict[str, Any]]:
    """The attempts to deliver a saved search's matches, latest first."""
    try:
        raw = client.search(
            index=deliveries_alias(articles_alias),
            body={
                "size": size,
                "query": {"term": {"saved_id": saved_id}},
                "sort": [{"at": "desc"}],
            },
        )
    except NotFoundError:  # nothing was ever delivered
        return []
    return [hit["_source"] for hit in raw["hits"]["hits"]]
