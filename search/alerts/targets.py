"""Which URLs the service may call for a user: http or https, and never into its own network
(private, loopback, link-local or reserved addresses) unless a setting allows it."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit


class UrlRefused(ValueError):
    """A URL the service will not call (a webhook, a feed); the message says why."""


def check_url(
    url: str, *, allow_private: bool, resolve: Callable[[str], list[str]] | None = None
) -> str:
    """The URL if the service may call it; raises UrlRefused. `resolve` maps a host name
    to its addresses (the system resolver by default)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UrlRefused("Only an http or https URL with a host can be used.")
    if allow_private:
        return url
    try:
        addresses = (
            [parts.hostname]
            if _is_address(parts.hostname)
            else (resolve or _resolve)(parts.hostname)
        )
    except OSError as exc:
        raise UrlRefused(f"The host '{parts.hostname}' does not resolve: {exc}.") from exc
    for address in addresses:
        ip = ipaddress.ip_address(address)
        if not ip.is_global or ip.is_multicast:
            raise UrlRefused(
                f"The host '{parts.hostname}' is a private, loopback, link-local or "
                "reserved address; the service does not call into its own network "
                "(NEWSROOM_ALLOW_PRIVATE_URLS allows it)."
            )
    return url


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _resolve(host: str) -> list[str]:
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None)})
