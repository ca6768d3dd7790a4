"""One uvicorn server per test process on a free loopback port, into which each test plugs its own ASGI app.

Starting and stopping uvicorn costs a quarter of a second (its loop looks for a stop request every 0.1 s),
so the API and the Slack workspace fixtures keep one server each for the whole run and swap the app
behind it: every request still crosses HTTP on 127.0.0.1, to the app over the test's own database.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

#: One TLS context for the tests' HTTP clients. The servers are plain HTTP on loopback, but httpx loads the CA
#: bundle again for every client made without one: tens of milliseconds per client, in every test.
TLS = ssl.create_default_context()


class Plug:
    """An ASGI app that forwards to whichever app the current test plugged in (503 while none is)."""

    def __init__(self) -> None:
        self.app = None

    async def __call__(self, scope, receive, send) -> None:
        if self.app is None:
            await send({"type": "http.response.start", "status": 503, "headers": []})
            await send({"type": "http.response.body", "body": b"no app plugged in"})
            return
        await self.app(scope, receive, send)


@contextmanager
def loopback(plug, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve `plug` (any ASGI app) on a free port of `host` (loopback unless said) until the block ends; yields
    the base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this: without it, Nagle and delayed ACKs add ~40 ms to every response.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(plug, lifespan="off", log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(5)
        sock.close()
