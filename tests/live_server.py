"""Serve an app with uvicorn on a free loopback port, for tests that need real HTTP."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import uvicorn
from fastapi import FastAPI


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve(app: FastAPI, *, wait_s: float = 30.0) -> Iterator[str]:
    """Yield the base URL while the app runs in a background thread; stop it afterwards.

    The socket is bound here and handed to uvicorn, so no other process can take the port
    between choosing it and listening on it.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = uvicorn.Config(app, log_level="warning", ws="none", http="h11", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + wait_s
    try:
        while not _answers(server, base):
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError(f"the app did not answer on {base} within {wait_s:.0f}s")
            time.sleep(0.1)
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _answers(server: uvicorn.Server, base: str) -> bool:
    try:
        return server.started and httpx.get(f"{base}/v1/health", timeout=2).status_code < 500
    except httpx.HTTPError:
        return False


@contextmanager
def serve_handler(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Yield the base URL of a plain HTTP server on a free loopback port (a feed, a webhook
    receiver) while it answers with `handler` in a background thread; stop it afterwards."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
