"""Editor sessions: the cookie and the CSRF token behind the pages' correction forms.

The cookie holds no key: only an expiry and an HMAC of it under the key that signed in
(HttpOnly, SameSite=Strict, Secure over HTTPS). Every form carries a CSRF token derived from
the session. Without a valid session the pages stay read-only.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Final

from fastapi import Request

from search.alerts.saved import owner_of
from search.settings import Settings

COOKIE: Final = "newsroom_editor"
SESSION_SECONDS: Final = 12 * 3600


def _sign(key: str, message: str) -> str:
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def session_token(key: str, now: float | None = None) -> str:
    expires = int((now or time.time()) + SESSION_SECONDS)
    return f"{expires}.{_sign(key, f'editor:{expires}')}"


def signing_key(token: str | None, settings: Settings, now: float | None = None) -> str | None:
    """The configured key that signed the token, if one did and it has not expired."""
    if not token or "." not in token:
        return None
    expires, _, mac = token.partition(".")
    if not expires.isdigit() or int(expires) < (now or time.time()):
        return None
    for key in settings.api_keys:
        if hmac.compare_digest(mac, _sign(key.get_secret_value(), f"editor:{expires}")):
            return key.get_secret_value()
    return None


def valid_session(token: str | None, settings: Settings, now: float | None = None) -> bool:
    """A token some configured key signed, not yet expired."""
    return signing_key(token, settings, now) is not None


def csrf_token(session: str) -> str:
    return _sign(session, "csrf")


@dataclass(frozen=True)
class EditorSession:
    csrf: str
    #: Whose saved searches the pages show: the digest of the key that signed in.
    owner: str


def editor_session(request: Request, settings: Settings) -> EditorSession | None:
    token = request.cookies.get(COOKIE)
    key = signing_key(token, settings)
    if token is None or key is None:
        return None
    return EditorSession(csrf=csrf_token(token), owner=owner_of(key))
