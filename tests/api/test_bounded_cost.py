"""Bounded cost over HTTP: ordering keys, body size, the anonymous rate, and statements that run too long.

Each test attacks the class the way the security review did (and in other ways), and checks what the
caller sees: a clear 400, 413, 429 or 503 that says why, never a 500, and never "the database is down".
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import text

from bot.config import Settings
from bot.domain.enums import State
from bot.domain.service import build_services
from bot.web import create_app
from storage.db import Database
from tests.conftest import ADMIN_ID, postgres_database
from tests.factories import announce

PUBLIC = "/api/public-maintenance-announcements/"
LIST = "/api/maintenance-announcements/"


@pytest.fixture
def board(api, admin, clock):
    """Six published announcements with distinct names, created a minute apart."""
    for name in ("delta", "alpha", "foxtrot", "charlie", "echo", "bravo"):
        clock.advance(timedelta(minutes=1))
        announce(api.services, admin, State.SCHEDULED, name=name)
    return api


def names(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()]


@contextmanager
def plugged(live_server, app) -> Iterator[str]:
    """`app` served on the tests' loopback server for the block; its base URL."""
    plug, base_url = live_server
    previous, plug.app = plug.app, app
    try:
        yield base_url
    finally:
        plug.app = previous


# -- ordering ---------------------------------------------------------------------------------------


def test_o_is_read_repeated_and_comma_separated_alike(board):
    http = board.http()
    repeated = names(http.get(LIST, params=[("o", "-created"), ("o", "name")]))

    assert repeated == ["bravo", "echo", "charlie", "foxtrot", "alpha", "delta"]
    assert names(http.get(LIST, params={"o": "-created,name"})) == repeated
    assert names(board.http(None).get(PUBLIC, params={"o": "name,-created"})) == sorted(repeated)


def test_two_thousand_repeats_of_one_key_are_one_key(board):
    """The review's 2,000 `o=name` made SQLite refuse the statement, reported as the database being down."""
    params = [("o", "name")] * 2000

    assert names(board.http(None).get(PUBLIC, params=params)) == sorted(names(board.http().get(LIST)))
    assert names(board.http().get(LIST, params=[("o", "-name"), ("o", "name,-name")] * 300)) == sorted(
        names(board.http().get(LIST)), reverse=True)


@pytest.mark.parametrize("params", [
    {"o": "name,created,scheduled_start,scheduled_end"},
    [("o", "name"), ("o", "-created"), ("o", "scheduled_end"), ("o", "overrun_minutes")],
    [("o", key) for key in ["name", "created", "scheduled_start", "scheduled_end", "overrun_minutes"] * 8],
])
@pytest.mark.parametrize("path, role", [(PUBLIC, None), (LIST, "admin"), (LIST, "read_only")])
def test_more_than_three_ordering_keys_are_400_with_a_field_message(board, params, path, role):
    response = board.http(role).get(path, params=params)

    assert response.status_code == 400
    assert response.json() == {"o": ["Order by at most 3 different keys (e.g. o=name,-created)."]}
    assert board.http(role).head(path, params=params).status_code == 400


def test_an_unknown_key_in_a_comma_list_is_named(board):
    response = board.http().get(LIST, params={"o": "name,secret"})

    assert response.status_code == 400
    assert response.json()["o"][0].startswith("Select a valid choice. secret is not one of the available choices")


# -- request bodies ---------------------------------------------------------------------------------


def raw_request(base_url: str, head: str) -> bytes:
    """Send only a request head (its declared body never follows) and read the answer."""
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(head.encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
        return answer


def test_a_declared_huge_body_is_413_before_a_byte_is_read_or_the_token_checked(api):
    head = (f"POST {LIST} HTTP/1.1\r\nHost: test\r\nAuthorization: Token {'0' * 40}\r\n"
            "Content-Type: application/json\r\nContent-Length: 200000000\r\n\r\n")

    answer = raw_request(api.base_url, head)

    assert answer.startswith(b"HTTP/1.1 413 ")


def test_a_streamed_body_past_the_limit_is_413_while_it_is_read(api):
    def chunks():
        for _ in range(48):  # 3 MiB, no Content-Length: chunked
            yield b"[" * 65536

    response = httpx.post(api.base_url + LIST, content=chunks(), timeout=30,
                          headers={"Authorization": "Token " + "0" * 40, "Content-Type": "application/json"})

    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is larger than the limit of 1,048,576 bytes."}


def test_a_body_over_a_configured_limit_is_413_and_one_under_it_is_read(api, live_server):
    app = create_app(api.services, Settings(base_url=api.base_url, max_body_bytes=4096))
    with plugged(live_server, app) as base_url, httpx.Client(base_url=base_url, timeout=30) as http:
        big = http.post(LIST, content=b"{" + b" " * 5000 + b"}", headers={"Content-Type": "application/json"})
        small = http.post(LIST, json={"name": "x"})

    assert big.status_code == 413
    assert small.status_code == 401  # read, parsed, then refused for having no token


# -- the anonymous rate ------------------------------------------------------------------------------


def test_one_client_past_its_burst_gets_429_with_retry_after_on_the_anonymous_endpoints(api, live_server):
    app = create_app(api.services, Settings(base_url=api.base_url, public_rate=1, public_burst=3))
    with plugged(live_server, app) as base_url, httpx.Client(base_url=base_url, timeout=30) as http:
        allowed = [http.get(PUBLIC).status_code for _ in range(2)] + [http.get("/api/maintenance-calendar.ics")]
        refused = [http.get(PUBLIC), http.get("/api/maintenance-calendar.ics"), http.head(PUBLIC)]
        authenticated = [http.get(LIST, headers={"Authorization": f"Token {api.tokens['admin']}"}).status_code
                         for _ in range(5)]

    assert allowed[:2] == [200, 200] and allowed[2].status_code == 200
    assert [response.status_code for response in refused] == [429, 429, 429]
    assert 1 <= int(refused[0].headers["Retry-After"]) <= 60
    assert refused[0].json()["detail"].startswith("Too many requests; try again in")
    assert authenticated == [200] * 5  # a token's requests are not the anonymous endpoints' share


# -- statements that run too long --------------------------------------------------------------------


@contextmanager
def a_statement_timeout(db: Database, request) -> Iterator[Database]:
    """The same database opened with a query timeout, and something that makes a list outlive it: on
    PostgreSQL the table is locked by another transaction (waiting counts), on SQLite the timeout is so
    short that any statement of more than a thousand steps is past it."""
    if db.dialect == "sqlite":
        timed = Database(db.engine.url.render_as_string(hide_password=False), query_timeout=1e-6)
        yield timed
        timed.dispose()
        return
    timed = postgres_database(request.getfixturevalue("postgres_schema"), query_timeout=0.2)
    with db.engine.connect() as holder:
        holder.execute(text("LOCK TABLE announcements IN ACCESS EXCLUSIVE MODE"))
        yield timed
        holder.rollback()
    timed.dispose()


def test_a_list_that_runs_past_the_query_timeout_is_503_took_too_long_not_database_down(board, db, request, clock,
                                                                                          live_server):
    api = board
    with a_statement_timeout(db, request) as timed:
        app = create_app(build_services(timed, clock, admins={ADMIN_ID}), Settings(base_url=api.base_url))
        with plugged(live_server, app) as base_url, httpx.Client(base_url=base_url, timeout=30) as http:
            answer = http.get(PUBLIC, params={"o": "overrun_minutes,-start_delta_minutes,name", "page_size": 300})

    assert answer.status_code == 503
    assert answer.json()["detail"].startswith("The request took too long and was stopped")
    assert "not answering" not in answer.text
    assert answer.headers["Retry-After"]
    assert api.http(None).get(PUBLIC).status_code == 200  # the same database, without the lock or the timeout
