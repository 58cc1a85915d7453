"""API keys, a per-client rate limit and the security headers every response carries."""

from __future__ import annotations

import asyncio
import hmac
import time
from collections import OrderedDict

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

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


class GuardMiddleware(BaseHTTPMiddleware):
    """Rate limit first, a time limit on the answer, then security headers on whatever it is."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        super().__init__(app)
        self.limiter = RateLimiter(settings.rate_limit_per_minute)
        self.timeout_s = settings.request_timeout_s

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        client = request.client.host if request.client else "unknown"
        if request.url.path not in ("/v1/health",):
            allowed, wait = self.limiter.allow(client)
            if not allowed:
                problem = Problem(
                    429,
                    "Too many requests",
                    f"Rate limit reached; retry in {wait:.0f}s.",
                    headers={"Retry-After": str(max(1, round(wait)))},
                )
                response: Response = problem_response(problem, request)
                return _secure(response, request)
        try:
            # Bounds the time to the first byte; a streaming export may run on after that.
            response = await asyncio.wait_for(call_next(request), self.timeout_s)
        except TimeoutError:
            problem = Problem(
                504,
                "Request timed out",
                f"The request took longer than {self.timeout_s:.0f}s; narrow the "
                "search or export in smaller parts.",
            )
            response = problem_response(problem, request)
        return _secure(response, request)


def _secure(response: Response, request: Request) -> Response:
    docs = request.url.path in ("/docs", "/redoc")
    response.headers["Content-Security-Policy"] = DOCS_POLICY if docs else CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    return response
