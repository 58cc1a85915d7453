"""The API's HTTP connection to OpenSearch: opensearch-py's transport over a lean keep-alive
client (asyncio and httptools, the parser uvicorn serves with) instead of aiohttp.

Why: at one client on 100k articles aiohttp's client took about 0.95 ms of CPU per search and
the lean one 0.35 ms, and a search came back about 1 ms sooner (`bench/README.md`). That is a
third of what the API adds to a search. Everything above the wire stays opensearch-py's:
serialisation, retries, the errors the API turns into 503s. TLS uses the context the library
builds from the same arguments; pinning a certificate by fingerprint is aiohttp's feature, so
a connection asked for one hands its requests to aiohttp.
"""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import urlencode

import httptools
from opensearchpy import AIOHttpConnection
from opensearchpy.compat import reraise_exceptions
from opensearchpy.exceptions import ConnectionError, ConnectionTimeout

#: Bytes a header line may not carry: they would end it and start another.
_LINE_BREAKS = frozenset("\r\n")
#: Requests that may go again when a kept-alive link turns out closed before any answer.
_IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


@dataclass
class Answer:
    """One HTTP response as read off the wire."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    body: bytes = b""


class Link(asyncio.Protocol):
    """One keep-alive connection to the node, carrying one request at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        #: Whether any of the current answer has arrived (a request no byte answered may be
        #: sent again on another link).
        self.heard = False
        self._parser = httptools.HttpResponseParser(self)
        self._waiter: asyncio.Future[Answer] | None = None
        self._answer = Answer(0)
        self._chunks: list[bytes] = []
        self._head_only = False
        self._headers_done = False

    def send(self, request: bytes, *, head_only: bool) -> asyncio.Future[Answer]:
        assert self.transport is not None
        assert self._waiter is None, "one request at a time"
        self._begin()
        self._head_only, self.heard = head_only, False
        self._waiter = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return self._waiter

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.heard = True
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(ConnectionResetError(f"unreadable answer from the node: {exc}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        headers = self._answer.headers
        if (  # an answer without a length ends where the connection does
            exc is None
            and self._headers_done
            and "content-length" not in headers
            and "transfer-encoding" not in headers
        ):
            self._finish()
        self._fail(exc or ConnectionResetError("the node closed the connection"))

    # httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        key, text = name.decode("latin-1").lower(), value.decode("latin-1")
        if key == "warning":
            self._answer.warnings.append(text)
        self._answer.headers[key] = text

    def on_headers_complete(self) -> None:
        self._headers_done = not self._interim()
        if self._head_only and self._headers_done:  # a length, but no body
            self._finish()
            self._parser = httptools.HttpResponseParser(self)

    def on_body(self, body: bytes) -> None:
        self._chunks.append(body)

    def on_message_complete(self) -> None:
        if self._interim():  # "100 Continue" and the like: the answer is still to come
            self._begin()
        elif not self._head_only:
            self._finish()

    def _interim(self) -> bool:
        return 100 <= self._parser.get_status_code() < 200

    def _begin(self) -> None:
        self._answer, self._chunks, self._headers_done = Answer(0), [], False

    def _finish(self) -> None:
        answer, waiter, self._waiter = self._answer, self._waiter, None
        answer.status = self._parser.get_status_code()
        answer.body = b"".join(self._chunks)
        self._begin()
        if not self._parser.should_keep_alive():
            self.close()
        if waiter is not None and not waiter.done():
            waiter.set_result(answer)

    def _fail(self, exc: BaseException) -> None:
        self.close()
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)


class LinkPool:
    """Up to `size` links to one node; a link goes back only after a whole answer."""

    def __init__(self, host: str, port: int, *, size: int, ssl: Any = None) -> None:
        self._host, self._port, self._ssl = host, port, ssl
        self._idle: list[Link] = []
        self._slots = asyncio.Semaphore(size)
        self._closed = False

    async def exchange(self, request: bytes, *, head_only: bool, resend: bool) -> Answer:
        """The answer to `request`. With `resend` (an idempotent request), one a kept-alive
        link lost before any byte of answer (the node had closed it meanwhile) goes again on a
        new link, as a browser or aiohttp does."""
        async with self._slots:
            reused = self._take()
            try:
                return await self._over(reused or await self._open(), request, head_only)
            except OSError:
                if reused is None or reused.heard or not resend:
                    raise
            return await self._over(await self._open(), request, head_only)

    async def _over(self, link: Link, request: bytes, head_only: bool) -> Answer:
        answered = False
        try:
            answer = await link.send(request, head_only=head_only)
            answered = True
        finally:  # timed out, cancelled or broken mid-answer: the link cannot be reused
            if answered and not link.closed and not self._closed:
                self._idle.append(link)
            else:
                link.close()
        return answer

    def close(self) -> None:
        self._closed = True
        while self._idle:
            self._idle.pop().close()

    def _take(self) -> Link | None:
        while self._idle:
            link = self._idle.pop()
            if not link.closed:
                return link
        return None

    async def _open(self) -> Link:
        loop = asyncio.get_running_loop()
        hostname = self._host if self._ssl is not None else None
        _, link = await loop.create_connection(
            Link, self._host, self._port, ssl=self._ssl, server_hostname=hostname
        )
        return link


def request_bytes(
    method: str, target: str, host: str, headers: Mapping[str, str], body: bytes | None
) -> bytes:
    """An HTTP/1.1 request; refuses a header that would break its line."""
    lines = [f"{method} {target} HTTP/1.1", f"host: {host}"]
    for name, value in headers.items():
        if _LINE_BREAKS.intersection(name) or _LINE_BREAKS.intersection(value):
            raise ValueError(f"header {name!r} holds a line break")
        lines.append(f"{name}: {value}")
    if body is not None or method in ("POST", "PUT"):
        lines.append(f"content-length: {len(body or b'')}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


def _text(answer: Answer) -> str:
    """The body as text, inflated if it came compressed; raises ValueError (or zlib.error)
    for one that cannot be read, which the caller reports as a failed connection."""
    raw, coding = answer.body, answer.headers.get("content-encoding", "").strip().lower()
    if coding in ("gzip", "x-gzip"):
        raw = gzip.decompress(raw)
    elif coding == "deflate":  # zlib-wrapped as the standard says, or raw as some servers send
        try:
            raw = zlib.decompress(raw)
        except zlib.error:
            raw = zlib.decompress(raw, -zlib.MAX_WBITS)
    return raw.decode("utf-8", "surrogatepass")


class LeanConnection(AIOHttpConnection):
    """opensearch-py's async connection, answering over `LinkPool` rather than aiohttp."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        port = self.port or (443 if self.use_ssl else 80)
        host = f"[{self.hostname}]" if ":" in self.hostname else self.hostname  # IPv6
        self._authority = host if self.port is None else f"{host}:{port}"
        ssl = self._ssl_context if self.use_ssl else None
        self._pool = LinkPool(self.hostname, port, size=self._limit or 10, ssl=ssl)

    async def perform_request(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None = None,
        body: bytes | None = None,
        timeout: int | float | None = None,
        ignore: Collection[int] = (),
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        if self.ssl_assert_fingerprint:
            return await super().perform_request(
                method, url, params, body, timeout, ignore, headers
            )
        url_path = self.url_prefix + url
        target = f"{url_path}?{urlencode(params)}" if params else url_path
        sent_headers = self.headers
        if headers:  # one of each header, whatever the case it was given in
            sent_headers = {**sent_headers, **{k.lower(): v for k, v in headers.items()}}
        payload = body
        if self.http_compress and body:
            payload = self._gzip_compress(body)
            sent_headers = {**sent_headers, "content-encoding": "gzip"}
        request = request_bytes(method, target, self._authority, sent_headers, payload)
        loop = asyncio.get_running_loop()
        start = loop.time()
        try:
            async with asyncio.timeout(timeout if timeout is not None else self.timeout):
                answer = await self._pool.exchange(
                    request, head_only=method == "HEAD", resend=method in _IDEMPOTENT
                )
            raw_data = _text(answer)
        except reraise_exceptions:
            raise
        except Exception as exc:
            self.log_request_fail(method, url, url_path, body, loop.time() - start, exception=exc)
            if isinstance(exc, TimeoutError):
                raise ConnectionTimeout("TIMEOUT", str(exc), exc) from exc
            raise ConnectionError("N/A", str(exc), exc) from exc
        duration = loop.time() - start
        self._raise_warnings(answer.warnings)
        if not 200 <= answer.status < 300 and answer.status not in ignore:
            self.log_request_fail(
                method, url, url_path, body, duration, answer.status, response=raw_data
            )
            self._raise_error(answer.status, raw_data, answer.headers.get("content-type"))
        self.log_request_success(method, url, url_path, body, answer.status, raw_data, duration)
        return answer.status, answer.headers, raw_data

    async def close(self) -> None:
        self._pool.close()
        await super().close()
