"""API keys, a per-client rate limit, request ids and the headers every response carries."""

from __future__ import annotations

import asyncio
import hmac
import math
import re
import time
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from search.http.errors import Problem, problem_response
from search.settings import Settings

API_KEY_HEADER = "X-API-Key"
REQUEST_ID_HEADER = "X-Request-ID"
#: A client's request id is echoed only when it is this: printable ASCII without spaces, at most
#: 128 characters; anything else (log injection, a megabyte of header) gets an id of ours.
_SANE_REQUEST_ID = re.compile(r"[\x21-\x7e]{1,128}")
#: Headers a browser script on a CORS origin may read from an answer.
EXPOSED_HEADERS = (
    REQUEST_ID_HEADER,
    "ETag",
    "Retry-After",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
)

#: Only the app's own assets: no inline script, no outside origin.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def key_matches(given: str | None, settings: Settings) -> bool:
    """Constant-time comparison against every configured key."""
    if not given:
        return False
    found = False
    for key in settings.api_keys:
        found |= hmac.compare_digest(given.encode(), key.get_secret_value().encode())
    return found


def require_key(given: str | None, settings: Settings, *, action: str) -> None:
    if not settings.api_keys:
        raise Problem(
            403,
            "Writes disabled",
            f"{action} needs an API key, and this service has none configured "
            "(set NEWSROOM_API_KEYS).",
        )
    if not key_matches(given, settings):
        raise Problem(
            401,
            "Unauthorized",
            f"{action} needs a valid key in the {API_KEY_HEADER} header.",
            headers={"WWW-Authenticate": API_KEY_HEADER},
        )


@dataclass(frozen=True)
class Quota:
    """One client's standing after a request, as the RateLimit-* and Retry-After headers say it."""

    allowed: bool
    limit: int
    remaining: int
    #: Seconds until one more request would pass (0 while some remain).
    retry_after_s: float
    #: Seconds until the bucket is full again: the whole limit is available then.
    reset_s: float

    def headers(self) -> list[tuple[bytes, bytes]]:
        found = [
            (b"ratelimit-limit", str(self.limit).encode()),
            (b"ratelimit-remaining", str(self.remaining).encode()),
            (b"ratelimit-reset", str(math.ceil(self.reset_s)).encode()),
        ]
        if not self.allowed:
            found.append((b"retry-after", str(max(1, math.ceil(self.retry_after_s))).encode()))
        return found


class RateLimiter:
    """A token bucket per client address, with a bounded number of tracked clients."""

    def __init__(self, per_minute: int, *, max_clients: int = 10_000) -> None:
        self.capacity = float(max(per_minute, 1))
        self.rate = self.capacity / 60.0
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, client: str, now: float | None = None) -> tuple[bool, float]:
        """Whether this request may pass, and if not, seconds until it would."""
        quota = self.take(client, now)
        return quota.allowed, quota.retry_after_s

    def take(self, client: str, now: float | None = None) -> Quota:
        """Spend a token if there is one; the client's quota afterwards."""
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.pop(client, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        allowed = tokens >= 1.0
        if allowed:
            tokens -= 1.0
        self._buckets[client] = (tokens, now)
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return Quota(
            allowed=allowed,
            limit=int(self.capacity),
            remaining=int(tokens),
            retry_after_s=0.0 if allowed else (1.0 - tokens) / self.rate,
            reset_s=(self.capacity - tokens) / self.rate,
        )


def request_id(scope: Scope) -> str:
    """The client's X-Request-ID when it is sane, else a fresh one."""
    given = Headers(scope=scope).get(REQUEST_ID_HEADER)
    if given is not None and _SANE_REQUEST_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


@dataclass(frozen=True)
class KeyedOperation:
    """A route that needs a write key: its path pattern (with the /v1 prefix) and methods."""

    pattern: re.Pattern[str]
    methods: frozenset[str]


class RequestIdMiddleware:
    """The outermost layer: every answer, a CORS preflight or an error included, carries the
    request's id, which is also in `scope["state"]["request_id"]` for the log."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        found = request_id(scope)
        scope.setdefault("state", {})["request_id"] = found

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"x-request-id"]
                message["headers"] = [*headers, (b"x-request-id", found.encode())]
            await send(message)

        await self.app(scope, receive, send_with_id)


def _security_headers() -> list[tuple[bytes, bytes]]:
    return [
        (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
    ]


class _BoundedBody:
    """A request body read no further than `limit` bytes: a larger Content-Length is refused
    before reading, a longer stream is cut (the app sees the client gone) and answered 413."""

    def __init__(self, receive: Receive, limit: int) -> None:
        self._receive = receive
        self.limit = limit
        self.read = 0
        self.too_large = False

    def declared_too_large(self, scope: Scope) -> bool:
        declared = Headers(scope=scope).get("content-length", "")
        return declared.isdigit() and int(declared) > self.limit

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self.read += len(message.get("body", b""))
            if self.read > self.limit:
                self.too_large = True
                return {"type": "http.disconnect"}
        return message

    def problem(self) -> Problem:
        return Problem(
            413,
            "Request too large",
            f"The request body is over {self.limit:,} bytes: send the articles in several "
            "requests (the limit is NEWSROOM_MAX_REQUEST_BYTES).",
        )


class GuardMiddleware:
    """Rate limit first, then the key of a write (before its body is read, so a malformed body
    without a key is refused for the key), a time limit on the answer, and security and
    rate-limit headers on whatever it is.

    Plain ASGI rather than BaseHTTPMiddleware: no extra task or body copy per request, which
    the benchmarks showed to be a large share of the API's own cost.
    """

    def __init__(
        self, app: ASGIApp, settings: Settings, keyed: Sequence[KeyedOperation] = ()
    ) -> None:
        self.app = app
        self.settings = settings
        self.limiter = RateLimiter(settings.rate_limit_per_minute)
        self.timeout_s = settings.request_timeout_s
        self.keyed = tuple(keyed)

    def _needs_key(self, scope: Scope) -> bool:
        method, path = scope["method"], scope["path"]
        # The method first: most requests are reads, and no regex need run for them.
        return any(method in op.methods and op.pattern.fullmatch(path) for op in self.keyed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        headers = _security_headers()
        started = False
        deadline: asyncio.Timeout | None = None

        async def send_secured(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if deadline is not None:  # a streaming export may run on after its first byte
                    deadline.reschedule(None)
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        if path != "/v1/health":
            client = scope["client"][0] if scope.get("client") else "unknown"
            quota = self.limiter.take(client)
            headers += quota.headers()
            if not quota.allowed:
                wait = max(1, math.ceil(quota.retry_after_s))
                detail = f"Rate limit reached; retry in {wait}s."
                problem = Problem(429, "Too many requests", detail)
                await problem_response(problem)(scope, receive, send_secured)
                return
        if self._needs_key(scope):
            given = Headers(scope=scope).get(API_KEY_HEADER)
            try:
                require_key(given, self.settings, action="Writing")
            except Problem as refused:
                await problem_response(refused)(scope, receive, send_secured)
                return
        body = _BoundedBody(receive, self.settings.max_request_bytes)
        if body.declared_too_large(scope):
            await problem_response(body.problem())(scope, receive, send_secured)
            return

        async def send_unless_too_large(message: Message) -> None:
            if not body.too_large:  # the app's answer to a cut body is replaced by a 413
                await send_secured(message)

        try:
            async with asyncio.timeout(self.timeout_s) as deadline:
                await self.app(scope, body.receive, send_unless_too_large)
            deadline = None  # ended: the answer below must not touch it
            if body.too_large and not started:
                await problem_response(body.problem())(scope, receive, send_secured)
        except TimeoutError:
            if started:
                raise
            deadline = None  # expired: the answer below must not touch it
            problem = Problem(
                504,
                "Request timed out",
                f"The request took longer than {self.timeout_s:.0f}s; narrow the "
                "search or export in smaller parts.",
            )
            await problem_response(problem)(scope, receive, send_secured)
