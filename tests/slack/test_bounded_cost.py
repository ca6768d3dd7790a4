"""Bounded cost as Slack users meet it: sorting, the body limit on /slack/events, a list stopped at the
query timeout, and acks that do not wait behind API work."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import text

from bot.console import simulator
from bot.domain.enums import State
from bot.domain.service import build_services
from bot.slack.app import build_app
from bot.slack.http import routes
from bot.web import create_app
from storage.db import Database
from tests.api.test_bounded_cost import a_statement_timeout, raw_request
from tests.conftest import ADMIN_ID
from tests.factories import announce
from tests.jobs.helpers import eventually
from tests.slack.workspace import Server, Workspace

READER = "UREADER001"
#: Slack tests run on SQLite; these depend on how the database waits and stops, so they run on both.
BOTH_BACKENDS = pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)


def test_list_sort_takes_repeated_and_comma_keys(slack, services, world, cloud_manager):
    for name in ("bravo", "alpha", "charlie"):
        announce(services, cloud_manager, State.SCHEDULED, name=name)

    comma = slack.command("list sort=-name,created", user=READER).text
    repeated = slack.command("list sort=-name sort=created sort=-name", user=READER).text

    assert comma.index("charlie") < comma.index("bravo") < comma.index("alpha")
    assert repeated.index("charlie") < repeated.index("bravo") < repeated.index("alpha")


def test_list_sort_with_more_than_three_keys_is_refused_politely(slack, world):
    reply = slack.command("list sort=name,created sort=scheduled_start o=scheduled_end", user=READER)

    assert reply.status == 200 and reply.ack["response_type"] == "ephemeral"
    assert "Sort by at most 3 keys" in reply.ack["text"] and "Nothing changed" not in reply.ack["text"]


def test_an_oversized_body_to_slack_events_is_413_before_the_signature_is_checked(services, settings, slack_app):
    server = Server(create_app(services, settings, slack=routes(slack_app.bolt)))
    url = server.start()
    try:
        declared = raw_request(url, "POST /slack/events HTTP/1.1\r\nHost: test\r\nContent-Length: 100000000\r\n"
                                    "Content-Type: application/x-www-form-urlencoded\r\n\r\n")
        streamed = httpx.post(url + "/slack/events", content=(b"payload=" + b"%5B" * 20000 for _ in range(30)),
                              headers={"Content-Type": simulator.FORM}, timeout=30)
        unsigned_small = httpx.post(url + "/slack/events", content=b"payload=%7B%7D",
                                    headers={"Content-Type": simulator.FORM}, timeout=30)
    finally:
        server.stop()

    assert declared.startswith(b"HTTP/1.1 413 ")
    assert streamed.status_code == 413
    assert unsigned_small.status_code == 401  # below the limit, the signature decides as before


@BOTH_BACKENDS
def test_a_list_stopped_at_the_query_timeout_is_told_as_took_too_long(db, request, clock, settings, standin, world,
                                                                      services, cloud_manager):
    for number in range(10):  # enough rows that the list is more than a thousand of SQLite's steps
        announce(services, cloud_manager, State.SCHEDULED, name=f"Window {number}")
    with a_statement_timeout(db, request) as timed:
        app = build_app(build_services(timed, clock, admins={ADMIN_ID}), settings)
        server = Server(create_app(app.services, settings, slack=routes(app.bolt)))
        url = server.start()
        try:
            workspace = Workspace(url, app, standin)
            reply = workspace.command("list sort=overrun_minutes,-start_delta_minutes,name", user=READER)
            workspace.close()
        finally:
            server.stop()
            app.close()

    assert reply.status == 200 and reply.ack["response_type"] == "ephemeral"
    assert reply.ack["text"].startswith("⏱️ That took too long and was stopped")
    assert "cannot reach its database" not in reply.ack["text"]


@BOTH_BACKENDS
def test_slack_answers_at_once_while_api_requests_wait_for_the_database(db, services, settings, slack_app, standin,
                                                                        world, admin):
    """24 API writes wait for a lock another transaction holds: more than the database pool's 15
    connections. Only the API's turns (8) reach the database; Slack's command still finds a thread and a
    connection, and is answered while all of them still wait."""
    token = services.tokens.create(admin, "provider", provider="Cloud").secret
    app = create_app(services, settings, slack=routes(slack_app.bolt))
    server = Server(app)
    url = server.start()
    workspace = Workspace(url, slack_app, standin)
    provider = f"{url}/api/marketplace-service-providers/{world['cloud'].uuid.hex}/"
    body = {"name": "Held", "service_provider": provider, "scheduled_start": "2026-12-01T10:00:00Z",
            "scheduled_end": "2026-12-01T11:00:00Z"}

    def create() -> int:
        response = httpx.post(url + "/api/maintenance-announcements/", json=body, timeout=60,
                              headers={"Authorization": f"Token {token}"})
        return response.status_code

    try:
        with ThreadPoolExecutor(24) as pool:
            with holding_writes(db):
                held = [pool.submit(create) for _ in range(24)]
                turns = app.state.turns
                assert eventually(lambda: turns.in_flight == turns.limit and turns.waiting == 24 - turns.limit, 20)
                reply = workspace.command("providers", user=READER)
                finished = [request.result() for request in held if request.done()]
            statuses = [request.result() for request in held]
    finally:
        workspace.close()
        server.stop()

    # Answered with the providers (not "took too long") while every API write still waits on the held lock: the
    # command never queued behind them. No stopwatch: on a busy 2-core machine "at once" is not a figure.
    assert reply.status == 200 and "Cloud" in reply.text and "took too long" not in reply.text
    assert finished == []
    assert set(statuses) <= {201, 503} and 201 in statuses  # after the lock: created, or told the server was busy


class holding_writes:
    """Another transaction holds what writing an announcement needs, reads still go through."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.session_context = self.db.write()
        session = self.session_context.__enter__()
        if self.db.dialect == "postgresql":
            session.execute(text("LOCK TABLE announcements IN EXCLUSIVE MODE"))
        else:
            session.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the one writer's lock

    def __exit__(self, *exc) -> None:
        self.session_context.__exit__(None, None, None)
