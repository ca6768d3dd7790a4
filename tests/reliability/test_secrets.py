"""Secrets stay secret: the bot token, the signing secret and API tokens never appear in a log line (at DEBUG,
through a whole scenario with forged requests, refusals and Slack failing), in an HTTP response, in anything
posted to Slack, or in the database; API tokens are stored only as their SHA-256 hash.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from datetime import timedelta

import pytest
from sqlalchemy import text

from bot.config import Settings
from bot.console import simulator
from bot.domain.enums import State
from storage.models import Base
from tests.conftest import ADMIN_ID
from tests.factories import announce, starting_soon
from tests.reliability.helpers import fingerprint
from tests.slack.workspace import SECRET

pytestmark = pytest.mark.parametrize("db", ["sqlite"], indirect=True)

MANAGER, READER = "UCLOUDMGR1", "UREADER001"
CHANNEL = "CCLOUD0001"
BOT_TOKEN = "xoxb-1234567890-0987654321-SeCrEtBoTtOkEn42"
FORMATTER = logging.Formatter("%(name)s %(levelname)s %(message)s")


class Everything(logging.Handler):
    """Keeps every record, formatted with its traceback, whatever logger it came from."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        line = FORMATTER.format(record)
        if record.args:
            line += " " + repr(record.args)
        self.lines.append(line)


@pytest.fixture
def debug_logs():
    """Every logger at DEBUG, from before the app is built (Bolt's loggers copy the root level then)."""
    root = logging.getLogger()
    handler, level = Everything(), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def settings(standin) -> Settings:
    """The Slack fixtures' settings, with a bot token that looks like a real one."""
    return Settings(slack_bot_token=BOT_TOKEN, slack_signing_secret=SECRET, slack_api_url=standin.api_url,
                    admins=[ADMIN_ID], timezone="UTC", _env_file=None)


def forged(slack, body: str) -> list[int]:
    """The same request forged three ways; the answers' statuses."""
    now = int(time.time())
    variants = [simulator.sign(body, simulator.FORM, "not-the-secret").headers,
                simulator.sign(body, simulator.FORM, SECRET, now - 3600).headers,
                simulator.sign(body, simulator.FORM, SECRET).headers | {"X-Slack-Request-Timestamp": "soon"}]
    return [slack.http.post(slack.url, content=body.encode(), headers=headers).status_code for headers in variants]


def test_no_secret_in_logs_responses_messages_or_the_database(debug_logs, slack, api, services, world, admin,
                                                                cloud_manager, standin, clock, figures):
    tokens = {role: api.tokens[role] for role in ("admin", "cloud", "storage", "read_only")}
    revoked = services.tokens.create(admin, "read_only", name="old")
    services.tokens.revoke(admin, revoked.token.uuid)
    secrets = {"bot token": BOT_TOKEN, "signing secret": SECRET, "revoked token": revoked.secret,
               **{f"{role} token": secret for role, secret in tokens.items()}}
    answers: list[str] = []

    # Slack: real work, forged requests, refusals, and the Web API failing under it.
    draft = announce(services, cloud_manager, name="Kernel upgrade", **starting_soon(services))
    answers += [slack.command(f"schedule {draft.short_id}", user=MANAGER).body]
    standin.fail(method="chat.postMessage", status=503, times=2)
    for _ in range(3):  # the dispatcher backs off after each failure: let the test clock catch up
        slack.deliver()
        clock.advance(timedelta(minutes=15))
    card = slack.card_in(CHANNEL)
    answers += [slack.press(card, "Start", user=READER).body, slack.press(card, "Start", user=MANAGER).body]
    standin.fail(method="chat.update", error="invalid_auth", times=1)
    slack.deliver()  # updating the card fails for good
    standin.fail(method="views.publish", error="token_revoked", times=1)
    slack.send(simulator.app_home_opened(READER), simulator.JSON)  # publishing it fails
    slack.open_home(READER)
    standin.fail(method="views.open", status=500, times=5)
    answers += [slack.command("new", user=MANAGER).body, slack.command("show nothing", user=READER).body]
    body = simulator.slash_command(MANAGER, CHANNEL, "delete " + draft.short_id, standin.response_url())
    statuses = forged(slack, body)
    slack.deliver()

    # HTTP: every role, refusals, bad and revoked tokens, other schemes.
    http = {role: api.http(role) for role in (*tokens, None)}
    calls = [
        (http["admin"], "GET", "/api/maintenance-announcements/"),
        (http["read_only"], "POST", f"/api/maintenance-announcements/{draft.uuid.hex}/complete_maintenance/"),
        (http["storage"], "POST", f"/api/maintenance-announcements/{draft.uuid.hex}/complete_maintenance/"),
        (http["cloud"], "POST", f"/api/maintenance-announcements/{draft.uuid.hex}/schedule/"),
        (http["cloud"], "GET", "/api/maintenance-announcements/?o=secret"),
        (http[None], "GET", "/api/maintenance-announcements/"),
        (http[None], "GET", "/api/public-maintenance-announcements/"),
    ]
    responses = [client.request(method, path) for client, method, path in calls]
    for header in (f"Token {revoked.secret}", f"Token {tokens['admin']}x", f"Bearer {tokens['admin']}",
                   f"token  {tokens['admin']} {tokens['admin']}", f"Token {BOT_TOKEN}", f"Token {SECRET}"):
        responses.append(http[None].get("/api/maintenance-announcements/", headers={"Authorization": header}))
    answers += [r.text + json.dumps(dict(r.headers)) for r in responses]

    # Everything anyone could read.
    posted = [json.dumps(call.args, ensure_ascii=False) for call in standin.calls]
    posted += [json.dumps(response) for response in standin.responses]
    stored = database_text(services.context.db)
    figures["log lines scanned for secrets"] += len(debug_logs.lines)
    figures["responses and Slack calls scanned for secrets"] += len(answers) + len(posted)
    found = {name: [where for where, texts in (("logs", debug_logs.lines), ("responses", answers),
                                                ("sent to Slack", posted), ("database", [stored]))
                    if any(secret in line for line in texts)]
             for name, secret in secrets.items()}
    figures["secrets found in logs, responses or the database"] += sum(map(len, found.values()))
    assert {name: where for name, where in found.items() if where} == {}

    # The scenario really went through the paths that log: failures, refusals, forgeries, debug output.
    assert statuses == [401, 401, 401]
    assert [r.status_code for r in responses] == [200, 403, 403, 409, 400, 401, 200, 401, 401, 401, 401, 401, 401]
    logged = "\n".join(debug_logs.lines)
    for expected in ("Invalid request signature", "invalid_auth", "token_revoked", "Sending a request", "503",
                     "(redacted)"):  # where the bot token would be: slack-sdk redacts the header it logs
        assert expected in logged, expected
    assert len(debug_logs.lines) > 100
    assert services.announcements.get(cloud_manager, draft.uuid).state is State.IN_PROGRESS


def test_api_tokens_are_stored_only_as_their_sha256(api, services, world):
    secrets = [api.tokens[role] for role in ("admin", "cloud", "storage", "read_only")]

    with services.context.db.engine.connect() as connection:
        hashes = set(connection.scalars(text("SELECT token_hash FROM api_tokens")))
    stored = database_text(services.context.db)

    assert hashes == {hashlib.sha256(secret.encode()).hexdigest() for secret in secrets}
    assert not any(secret in stored for secret in secrets)
    assert fingerprint(services.context.db)["api_tokens"] == len(secrets)


def database_text(db) -> str:
    """Every row of every table, as text."""
    rows = []
    with db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows += [repr(tuple(row)) for row in connection.execute(table.select())]
    return "\n".join(rows)

