"""One bounded HTTP GET of a URL a user gave: checked against the service's own network at
every hop, conditional when the last answer's validators are known, cut off past a size or a
time, with a User-Agent that says who is asking."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Final
from urllib.parse import urljoin

import httpx

from search.alerts.targets import UrlRefused, check_url

USER_AGENT: Final = "NewsroomSearch-watch/1 (a newsroom's feed reader)"
MAX_REDIRECTS: Final = 3
_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})


class FetchFailed(Exception):
    """The URL could not be fetched; the message says why (kept as the feed's last error)."""


@dataclass(frozen=True)
class Fetched:
    """An answer: 200 with its body and validators, or 304 (nothing new)."""

    status: int
    body: bytes
    etag: str | None
    last_modified: str | None
    url: str


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    allow_private: bool = False,
    timeout_s: float = 10.0,
    max_bytes: int = 5_000_000,
) -> Fetched:
    """GET `url`, following at most three redirects; raises FetchFailed."""
    headers = {"User-Agent": USER_AGENT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        for _ in range(MAX_REDIRECTS + 1):
            check_url(url, allow_private=allow_private)
            with httpx.stream(
                "GET", url, headers=headers, timeout=timeout_s, follow_redirects=False
            ) as answer:
                if answer.status_code in _REDIRECTS and "location" in answer.headers:
                    url = urljoin(url, answer.headers["location"])
                    continue
                if answer.status_code == 304:
                    return Fetched(304, b"", etag, last_modified, url)
                if not answer.is_success:
                    raise FetchFailed(f"{url} answered {answer.status_code}.")
                body = _bounded(answer, max_bytes, time.monotonic() + timeout_s)
                validators = answer.headers.get("etag"), answer.headers.get("last-modified")
                return Fetched(200, body, validators[0], validators[1], url)
    except UrlRefused as exc:
        raise FetchFailed(str(exc)) from None
    except httpx.HTTPError as exc:
        raise FetchFailed(
            f"{url} could not be fetched: {type(exc).__name__} {exc}".strip()
        ) from None
    raise FetchFailed(f"{url} redirects more than {MAX_REDIRECTS} times.")


def _bounded(answer: httpx.Response, max_bytes: int, deadline: float) -> bytes:
    body = bytearray()
    for chunk in answer.iter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise FetchFailed(f"{answer.url} sent more than {max_bytes:,} bytes.")
        if time.monotonic() > deadline:
            raise FetchFailed(f"{answer.url} took too long to send its answer.")
    return bytes(body)
