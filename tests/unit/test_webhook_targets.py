"""Which webhook URLs the service calls, and how a delivery is signed, without a network."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from search.alerts.targets import UrlRefused, check_url
from search.alerts.webhooks import payload, signature


def _resolves_to(*addresses: str) -> object:
    return lambda host: list(addresses)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/hook",
        "file:///etc/passwd",
        "http:///no-host",
        "http://127.0.0.1:8080/hook",
        "http://[::1]/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[fe80::1]/hook",
    ],
)
def test_non_http_and_own_network_targets_are_refused(url: str) -> None:
    with pytest.raises(UrlRefused):
        check_url(url, allow_private=False, resolve=_resolves_to("93.184.216.34"))  # type: ignore[arg-type]


def test_a_name_is_judged_by_every_address_it_resolves_to() -> None:
    public = _resolves_to("93.184.216.34")
    assert check_url("https://hooks.example.org/x", allow_private=False, resolve=public)  # type: ignore[arg-type]
    sneaky = _resolves_to("93.184.216.34", "127.0.0.1")
    with pytest.raises(UrlRefused, match="own network"):
        check_url("https://hooks.example.org/x", allow_private=False, resolve=sneaky)  # type: ignore[arg-type]
    assert check_url("http://127.0.0.1:9/x", allow_private=True)
    with pytest.raises(UrlRefused):
        check_url("gopher://127.0.0.1/", allow_private=True)


def test_the_signature_covers_the_timestamp_and_the_body() -> None:
    body = payload({"saved_id": "s1", "name": "N"}, [{"article_id": "a", "title": "T"}])
    signed = signature("secret", "1700000000", body)
    expected = hmac.new(b"secret", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert signed == f"sha256={expected}"
    assert signature("secret", "1700000001", body) != signed
    assert signature("other", "1700000000", body) != signed
