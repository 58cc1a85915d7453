"""The API's lean HTTP connection to OpenSearch, against a scripted server on loopback: keep-alive
reuse, the answers HTTP allows (chunked, gzip, HEAD, Connection: close), and every way an
exchange can fail leaving no broken link in the pool."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest
from opensearchpy import AsyncOpenSearch
from opensearchpy.exceptions import ConnectionError, ConnectionTimeout, NotFoundError

from search.index.client import async_client
from search.index.connection import LeanConnection, request_bytes
from search.settings import Settings
from tests.aio import run_apart

JSON = b"content-type: application/json; charset=UTF-8\r\n"
#: Where the scripted node stops writing a reply for a moment, to send it in two reads.
PAUSE = b"\0pause\0"


def answer(body: bytes, *, status: str = "200 OK", extra: bytes = b"") -> bytes:
    head = f"HTTP/1.1 {status}\r\ncontent-length: {len(body)}\r\n".encode()
    return head + JSON + extra + b"\r\n" + body


@dataclass
class Requests:
    """What the scripted node saw."""

    connections: int = 0
    closed: int = 0
    heads: list[bytes] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)


#: (request number, head) -> what to write back; None: never answer; b"": drop the connection.
Script = Callable[[int, bytes], bytes | None]


@asynccontextmanager
async def node(script: Script) -> AsyncIterator[tuple[int, Requests]]:
    """A loopback server answering each request with `script`; None leaves it unanswered."""
    seen = Requests()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.connections += 1
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                length = next(
                    (int(line.split(b":")[1]) for line in head.split(b"\r\n")
                     if line.lower().startswith(b"content-length:")),
                    0,
                )  # fmt: skip
                seen.heads.append(head)
                seen.bodies.append(await reader.readexactly(length))
                reply = script(len(seen.heads), head)
                if reply is None:
                    await asyncio.sleep(3600)
                if not reply:
                    break
                for n, part in enumerate(reply.split(PAUSE)):
                    if n:
                        await writer.drain()
                        await asyncio.sleep(0.05)
                    writer.write(part)
                await writer.drain()
                if b"connection: close" in (reply or b"").lower():
                    break
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            pass
        finally:
            writer.close()
            seen.closed += 1

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield port, seen
    finally:
        server.close()


def lean(port: int, **kwargs: object) -> LeanConnection:
    return LeanConnection(host="127.0.0.1", port=port, **kwargs)


@asynccontextmanager
async def connected(
    script: Script, **kwargs: object
) -> AsyncIterator[tuple[LeanConnection, Requests]]:
    """A lean connection to a scripted node, closed after."""
    async with node(script) as (port, seen):
        conn = lean(port, **kwargs)
        try:
            yield conn, seen
        finally:
            await conn.close()


def failed_then_answered(replies: list[bytes]) -> str:
    """A first request that must fail as a ConnectionError, then the second's answer."""

    async def go() -> str:
        async with connected(lambda n, _: replies[n - 1]) as (conn, _):
            with pytest.raises(ConnectionError):
                await conn.perform_request("GET", "/")
            return str((await conn.perform_request("GET", "/"))[2])

    return run_apart(go())


def test_requests_share_one_kept_alive_connection() -> None:
    async def go() -> tuple[list[str], Requests]:
        async with connected(lambda n, _: answer(f'{{"n": {n}}}'.encode())) as (conn, seen):
            got = [(await conn.perform_request("POST", "/i/_search", body=b"{}"))[2]]
            got.append((await conn.perform_request("GET", "/i/_doc/1", {"a": "b c"}))[2])
            return got, seen

    got, seen = run_apart(go())
    assert got == ['{"n": 1}', '{"n": 2}']
    assert seen.connections == 1
    assert seen.heads[0].startswith(b"POST /i/_search HTTP/1.1\r\n")
    assert b"content-length: 2\r\n" in seen.heads[0]
    assert seen.bodies[0] == b"{}"
    assert seen.heads[1].startswith(b"GET /i/_doc/1?a=b+c HTTP/1.1\r\n")
    assert b"host: 127.0.0.1:" in seen.heads[1]


def test_reads_chunked_and_gzip_answers() -> None:
    packed = gzip.compress(b'{"gz": true}')
    chunked = (
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n" + JSON + b"\r\n"
        b'5\r\n{"a":\r\n3\r\n 1}\r\n0\r\n\r\n'
    )
    replies = [chunked, answer(packed, extra=b"content-encoding: gzip\r\n")]

    async def go() -> list[str]:
        async with connected(lambda n, _: replies[n - 1]) as (conn, _):
            return [(await conn.perform_request("GET", "/"))[2] for _ in replies]

    assert run_apart(go()) == ['{"a": 1}', '{"gz": true}']


def test_head_answer_has_no_body_and_the_link_goes_on() -> None:
    # The answer to HEAD gives the length of the body it does not send.
    replies = [
        b"HTTP/1.1 200 OK\r\ncontent-length: 40\r\n" + JSON + b"\r\n",
        answer(b'{"after": 1}'),
    ]

    async def go() -> tuple[int, str, int]:
        async with connected(lambda n, _: replies[n - 1]) as (conn, seen):
            status, _, data = await conn.perform_request("HEAD", "/i")
            assert data == ""
            after = (await conn.perform_request("GET", "/"))[2]
            return status, after, seen.connections

    assert run_apart(go()) == (200, '{"after": 1}', 1)


def test_a_connection_the_node_closes_is_not_reused() -> None:
    replies = [answer(b"{}", extra=b"connection: close\r\n"), answer(b'{"second": 1}')]

    async def go() -> tuple[str, int]:
        async with connected(lambda n, _: replies[n - 1]) as (conn, seen):
            await conn.perform_request("GET", "/")
            return (await conn.perform_request("GET", "/"))[2], seen.connections

    assert run_apart(go()) == ('{"second": 1}', 2)


def test_an_answer_cut_short_is_a_connection_error_and_the_next_request_works() -> None:
    cut = b'HTTP/1.1 200 OK\r\ncontent-length: 100\r\nconnection: close\r\n\r\n{"partial'
    replies = [cut, answer(b'{"whole": 1}')]

    assert failed_then_answered(replies) == '{"whole": 1}'


def test_a_silent_node_times_out_and_frees_its_place() -> None:
    async def go() -> tuple[str, int]:
        async with connected(lambda n, _: None if n == 1 else answer(b"{}"), maxsize=1) as (
            conn,
            seen,
        ):
            with pytest.raises(ConnectionTimeout):
                await conn.perform_request("GET", "/", timeout=0.2)
            return (await conn.perform_request("GET", "/", timeout=5))[2], seen.connections

    assert run_apart(go()) == ("{}", 2)


def test_a_cancelled_request_does_not_leave_its_link_in_the_pool() -> None:
    async def go() -> tuple[str, int]:
        async with connected(lambda n, _: None if n == 1 else answer(b'{"ok": 1}')) as (conn, seen):
            task = asyncio.create_task(conn.perform_request("GET", "/"))
            await asyncio.sleep(0.1)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return (await conn.perform_request("GET", "/"))[2], seen.connections

    assert run_apart(go()) == ('{"ok": 1}', 2)


def test_no_node_listening_is_a_connection_error() -> None:
    async def go() -> None:
        async with node(lambda n, _: answer(b"{}")) as (port, _):
            pass  # closed: nothing listens on the port now
        conn = lean(port)
        try:
            await conn.perform_request("GET", "/")
        finally:
            await conn.close()

    with pytest.raises(ConnectionError):
        run_apart(go())


def test_the_api_client_answers_through_it_with_opensearch_py_errors() -> None:
    """`async_client` uses the lean connection: a search decodes, a 404 is NotFoundError."""
    missing = b'{"error": {"type": "index_not_found_exception", "reason": "no such index"}}'
    replies = [
        answer(b'{"hits": {"total": {"value": 3}}}'),
        answer(missing, status="404 Not Found"),
    ]

    async def go() -> object:
        async with node(lambda n, _: replies[n - 1]) as (port, _):
            client: AsyncOpenSearch = async_client(
                Settings(opensearch_url=f"http://127.0.0.1:{port}")
            )
            try:
                found = await client.search(index="articles", body={"query": {"match_all": {}}})
                # The transport makes its connections at the first request.
                assert isinstance(client.transport.get_connection(), LeanConnection)
                with pytest.raises(NotFoundError):
                    await client.search(index="gone", body={})
                return found
            finally:
                await client.close()

    assert run_apart(go()) == {"hits": {"total": {"value": 3}}}


def test_a_header_with_a_line_break_is_refused() -> None:
    with pytest.raises(ValueError, match="line break"):
        request_bytes("GET", "/", "h", {"x-opaque-id": "a\r\nx-admin: yes"}, None)
    assert b"content-length: 0\r\n" in request_bytes("POST", "/_refresh", "h", {}, None)


def test_an_idempotent_request_goes_again_when_the_node_dropped_the_kept_link() -> None:
    """A node (or a proxy's idle timeout) closing a kept-alive link as the next request
    arrives: a GET goes again on a new link; a POST, which may have been acted on, does not."""

    def drop_the_second(n: int, _: bytes) -> bytes:
        return b"" if n == 2 else answer(f'{{"n": {n}}}'.encode())

    async def go(method: str) -> tuple[object, int]:
        async with connected(drop_the_second) as (conn, seen):
            await conn.perform_request(method, "/", body=b"{}")
            try:
                got: object = (await conn.perform_request(method, "/", body=b"{}"))[2]
            except ConnectionError as exc:
                got = type(exc)
            return got, seen.connections

    assert run_apart(go("GET")) == ('{"n": 3}', 2)
    assert run_apart(go("POST")) == (ConnectionError, 1)


def test_an_interim_answer_is_not_taken_for_the_answer() -> None:
    replies = [b"HTTP/1.1 100 Continue\r\n\r\n" + PAUSE + answer(b'{"n": 1}'), answer(b'{"n": 2}')]

    async def go() -> list[str]:
        async with connected(lambda n, _: replies[n - 1]) as (conn, _):
            return [(await conn.perform_request("GET", "/"))[2] for _ in replies]

    assert run_apart(go()) == ['{"n": 1}', '{"n": 2}']


def test_an_answer_without_a_length_ends_with_its_connection() -> None:
    to_the_end = b"HTTP/1.1 200 OK\r\nconnection: close\r\n" + JSON + b"\r\n" + b'{"eof": 1}'

    async def go() -> str:
        async with connected(lambda n, _: to_the_end) as (conn, _):
            return str((await conn.perform_request("GET", "/"))[2])

    assert run_apart(go()) == '{"eof": 1}'


def test_an_unreadable_answer_is_a_connection_error_and_deflate_is_read() -> None:
    """A proxy's error page in another encoding must become the API's 503, not a crash."""
    latin = answer("Passerelle défaillante".encode("latin-1"), status="502 Bad Gateway")
    deflated = answer(zlib.compress(b'{"d": 1}'), extra=b"content-encoding: Deflate\r\n")
    replies = [latin, deflated]

    assert failed_then_answered(replies) == '{"d": 1}'


def test_closing_with_a_request_in_flight_leaves_no_link_open() -> None:
    async def go() -> tuple[int, int]:
        async with node(lambda n, _: answer(b"{}")) as (port, seen):
            conn = lean(port)
            request = asyncio.create_task(conn.perform_request("GET", "/"))
            await asyncio.sleep(0)  # the request is on its way
            await conn.close()
            status = (await request)[0]
            await asyncio.sleep(0.2)
            return status, seen.closed

    assert run_apart(go()) == (200, 1)


def test_a_header_given_in_another_case_is_sent_once() -> None:
    async def go() -> bytes:
        async with connected(lambda n, _: answer(b"{}")) as (conn, seen):
            ndjson = {"Content-Type": "application/x-ndjson"}
            await conn.perform_request("POST", "/_bulk", body=b"{}\n", headers=ndjson)
            return seen.heads[0].lower()

    head = run_apart(go())
    assert head.count(b"content-type:") == 1
    assert b"content-type: application/x-ndjson\r\n" in head
