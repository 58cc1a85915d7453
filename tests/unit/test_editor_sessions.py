"""Editor sessions: a signed expiry, never the key; a CSRF token bound to the session."""

from __future__ import annotations

from pydantic import SecretStr

from search.settings import Settings
from search.web.sessions import SESSION_SECONDS, csrf_token, session_token, valid_session

SETTINGS = Settings(api_keys=[SecretStr("first-key"), SecretStr("second-key")])


def test_a_session_signed_by_a_configured_key_is_valid_until_it_expires() -> None:
    token = session_token("second-key", now=1_000)
    assert "second-key" not in token
    assert valid_session(token, SETTINGS, now=1_000 + SESSION_SECONDS - 1)
    assert not valid_session(token, SETTINGS, now=1_000 + SESSION_SECONDS + 1)


def test_forged_or_foreign_sessions_are_refused() -> None:
    stranger = session_token("not-a-key", now=1_000)
    assert not valid_session(stranger, SETTINGS, now=1_000)
    expires, _, mac = session_token("first-key", now=1_000).partition(".")
    stretched = f"{int(expires) + 10_000}.{mac}"
    assert not valid_session(stretched, SETTINGS, now=1_000)
    for junk in (None, "", "abc", "12.", ".abc", "x.y"):
        assert not valid_session(junk, SETTINGS, now=1_000)
    assert not valid_session(session_token("first-key"), Settings(api_keys=[]))


def test_the_csrf_token_belongs_to_one_session() -> None:
    one, other = session_token("first-key", now=1_000), session_token("first-key", now=2_000)
    assert csrf_token(one) == csrf_token(one)
    assert csrf_token(one) != csrf_token(other)
