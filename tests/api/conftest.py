"""The real server on loopback: uvicorn in a background thread, serving `create_app` over the `db` fixture.

One uvicorn server runs for the whole session on a free port; each test plugs its own app (over its
own freshly migrated database, on SQLite and on PostgreSQL) into it, so every request really crosses
HTTP on 127.0.0.1. Tests drive it with the published Waldur client, or with httpx for raw wire checks.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
import uvicorn
from waldur_api_client.client import AuthenticatedClient, Client
from waldur_api_client.errors import UnexpectedStatus

from bot.config import Settings
from bot.domain.service import Services
from bot.web import create_app

BAD_TOKEN = "0" * 40


class Plug:
    """An ASGI app that forwards to whichever app the current test plugged in."""

    def __init__(self) -> None:
        self.app = None

    async def __call__(self, scope, receive, send) -> None:
        if self.app is None:
            await send({"type": "http.response.start", "status": 503, "headers": []})
            await send({"type": "http.response.body", "body": b"no app plugged in"})
            return
        await self.app(scope, receive, send)


@pytest.fixture(scope="session")
def live_server() -> Iterator[tuple[Plug, str]]:
    plug = Plug()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this: without it, Nagle and delayed ACKs add ~40 ms to every response.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
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
    yield plug, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(5)
    sock.close()


#: Token roles of the tests: (role, provider).
TOKEN_KINDS = {
    "admin": ("admin", None),
    "cloud": ("provider", "Cloud"),  # manages the provider the tests' announcements belong to
    "storage": ("provider", "Storage"),  # the other provider's manager
    "read_only": ("read_only", None),
}


class Tokens(dict):
    """Tokens by role, issued (by an admin, as `maintbot token create` does) the first time a test asks."""

    def __init__(self, services: Services, admin) -> None:
        super().__init__()
        self.services, self.admin = services, admin

    def __missing__(self, role: str) -> str:
        kind, provider = TOKEN_KINDS[role]
        self[role] = self.services.tokens.create(self.admin, kind, provider=provider, name=f"{role}-ci").secret
        return self[role]


@dataclass
class Api:
    """The served API for one test: its base URL, tokens by role, and clients made from them."""

    base_url: str
    services: Services
    tokens: Tokens
    _opened: dict = field(default_factory=dict)

    def client(self, role: str = "admin") -> AuthenticatedClient:
        """The published Waldur client with the token of `role` ('bad' is a token nobody issued)."""
        token = self._token(role)
        return self._reuse(("client", role), lambda: AuthenticatedClient(base_url=self.base_url, token=token))

    def anonymous(self) -> Client:
        return self._reuse(("anonymous",), lambda: Client(base_url=self.base_url))

    def http(self, role: str | None = "admin") -> httpx.Client:
        """A raw HTTP client; `role=None` sends no Authorization header."""
        headers = {} if role is None else {"Authorization": f"Token {self._token(role)}"}
        return self._reuse(("http", role), lambda: httpx.Client(base_url=self.base_url, headers=headers, timeout=30))

    def _token(self, role: str) -> str:
        return BAD_TOKEN if role == "bad" else self.tokens[role]

    def _reuse(self, key, make):
        """Clients are kept for the test: making an httpx client costs tens of milliseconds."""
        if key not in self._opened:
            self._opened[key] = make()
        return self._opened[key]

    def close(self) -> None:
        for client in self._opened.values():
            (client.get_httpx_client() if isinstance(client, Client | AuthenticatedClient) else client).close()


@pytest.fixture
def api(live_server, services, world, admin) -> Iterator[Api]:
    """The API over this test's database; tokens for every role of the permission matrix on demand."""
    plug, base_url = live_server
    # One test client makes many anonymous requests; the rate limit has tests of its own (test_bounded_cost.py).
    plug.app = create_app(services, Settings(base_url=base_url, public_rate=0))
    served = Api(base_url, services, Tokens(services, admin))
    yield served
    served.close()
    plug.app = None


def refusal(call) -> tuple[int, object]:
    """(status, JSON body) of a client call that the server refuses."""
    with pytest.raises(UnexpectedStatus) as raised:
        call()
    return raised.value.status_code, json.loads(raised.value.content or b"null")
