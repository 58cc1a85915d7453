"""API keys, a per-client rate limit and the security headers every response carries."""

from __future__ import annotations

import asyncio
import hmac
import time
from collections import OrderedDict

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from search.api.errors import Problem, problem_response
from search.settings import Settings

API_KEY_HEADER = "X-API-Key"

#: Only the app's own assets: no inline script, no outside origin.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
# The OpenAPI pages load their own bundles; they get a policy of their own.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' cdn.jsdelivr.net; img-src 'self' data: fastapi.tiangolo.com"
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


class RateLimiter:
    """A token bucket per client address, with a bounded number of tracked clients."""

    def __init__(self, per_minute: int, *, max_clients: int = 10_000) -> None:
        self.capacity = float(max(per_minute, 1))
        self.rate = self.capacity / 60.0
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, client: str, now: float | None = None) -> tuple[bool, float]:
        """Whether this request may pass, and if not, seconds until it would."""
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.pop(client, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        allowed = tokens >= 1.0
        if allowed:
            tokens -= 1.0
        self._buckets[client] = (tokens, now)
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return allowed, 0.0 if allowed else (1.0 - tokens) / self.rate


def _security_headers(path: str) -> list[tuple[bytes, bytes]]:
    policy = DOCS_POLICY if path in ("/docs", "/redoc") else CONTENT_SECURITY_POLICY
    return [
        (b"content-security-policy", policy.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
    ]


class GuardMiddleware:
    """Rate limit first, a time limit on the answer, then security headers on whatever it is.

    Plain ASGI rather than BaseHTTPMiddleware: no extra task or body copy per request, which
    the benchmarks showed to be a large share of the API's own cost.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.limiter = RateLimiter(settings.rate_limit_per_minute)
        self.timeout_s = settings.request_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        headers = _security_headers(path)
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
            allowed, wait = self.limiter.allow(client)
            if not allowed:
                problem = Problem(
                    429,
                    "Too many requests",
                    f"Rate limit reached; retry in {wait:.0f}s.",
                    headers={"Retry-After": str(max(1, round(wait)))},
                )
                await problem_response(problem)(scope, receive, send_secured)
                return
        try:
            async with asyncio.timeout(self.timeout_s) as deadline:
                await self.app(scope, receive, send_secured)
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
