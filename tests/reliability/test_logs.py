"""Logs a machine can read: JSON lines (or text) naming the request each record belongs to — its id, the
interface, the actor, the announcement — and never a token, the signing secret, a response_url or internal
notes, even with every logger at DEBUG (Bolt dumps ack bodies there, slack_sdk the bodies and URLs it sends).

The whole process logs through the handler `maintbot run` installs (`bot.logs.handler_for`), at DEBUG, from
before the app is built, while people act through the real Slack app and the HTTP API.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from urllib.parse import parse_qs

import pytest
from slack_sdk.socket_mode.request import SocketModeRequest

from bot import logs
from bot.config import Settings
from bot.console import simulator
from bot.domain.enums import State
from bot.runner import socket_mode_handler
from tests.conftest import ADMIN_ID
from tests.factories import announce
from tests.slack.workspace import SECRET

MANAGER, READER, CHANNEL = "UCLOUDMGR1", "UREADER001", "CCLOUD0001"
BOT_TOKEN = "xoxb-1234567890-0987654321-SeCrEtBoTtOkEn42"
APP_TOKEN = "xapp-1-A0123456789-1234567890-SeCrEtApPtOkEn"
NOTES = "Call Bob on +372 5555 0101 first"
#: The test's own HTTP client (it plays Slack and the API's caller): its lines belong to no request of maintbot.
CLIENT_SIDE = ("httpx", "httpcore")
REQUEST_ID = re.compile(r"^[0-9a-f]{16}$")


class Lines:
    """What the process logged through maintbot's handler."""

    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def mark(self) -> int:
        return len(self.text)

    def records(self, since: int = 0) -> list[dict]:
        return [json.loads(line) for line in self.text[since:].splitlines()]


def attach(settings: Settings, level: int = logging.DEBUG) -> Iterator[Lines]:
    """maintbot's handler on the root logger, every logger at `level` (Bolt's loggers copy the root level when
    the app is built, so this comes first)."""
    stream = io.StringIO()
    root = logging.getLogger()
    handler, before = logs.handler_for(settings, stream), root.level
    handler.setLevel(logging.DEBUG)
    root.addHandler(handler)
    root.setLevel(level)
    try:
        yield Lines(stream)
    finally:
        root.removeHandler(handler)
        root.setLevel(before)


@pytest.fixture
def settings(standin) -> Settings:
    """The Slack fixtures' settings with tokens that look real, logging JSON lines."""
    return Settings(slack_bot_token=BOT_TOKEN, slack_signing_secret=SECRET, slack_app_token=APP_TOKEN,
                    slack_api_url=standin.api_url, admins=[ADMIN_ID], timezone="UTC", log_format="json",
                    _env_file=None)


@pytest.fixture
def json_logs(settings) -> Iterator[Lines]:
    yield from attach(settings)


@pytest.fixture
def text_logs(standin) -> Iterator[Lines]:
    yield from attach(Settings(slack_bot_token=BOT_TOKEN, slack_signing_secret=SECRET, slack_api_url=standin.api_url,
                               log_format="text", _env_file=None), logging.INFO)


def test_json_lines_name_each_request_and_carry_no_secret(json_logs, slack, api, services, world, cloud_manager,
                                                           standin, figures):
    shown = announce(services, cloud_manager, State.SCHEDULED)  # its internal notes: "Runbook: wiki/kernel"
    start = json_logs.mark()  # what came before (building the database and the world) is no request
    slack.command(f"show {shown.short_id}", user=MANAGER)  # the ack's body holds the rendered notes
    slack.command("new", user=MANAGER)
    saved = slack.submit(slack.modal(), user=MANAGER, name="Router firmware", message="Short blips.",
                         offerings=["VMs"], internal_notes=NOTES)
    [draft] = [v for v in services.announcements.list(cloud_manager).items if v.name == "Router firmware"]
    slack.press(saved.last, "Edit", user=MANAGER)  # views.open carries the notes and a response_url
    slack.press(saved.last, "Schedule", user=MANAGER)  # the card is replaced through its response_url
    answer = api.http("admin").get(f"/api/maintenance-announcements/{draft.uuid.hex}/",
                                   headers={"X-Request-Id": "req-from-the-caller"})
    assert answer.status_code == 200 and answer.json()["internal_notes"] == NOTES

    records = json_logs.records()  # every line is one JSON object
    ours = [r for r in json_logs.records(start) if not r["logger"].startswith(CLIENT_SIDE)]
    figures["JSON log lines checked for their request and for secrets"] += len(records)
    assert len(ours) > 50
    assert [r for r in ours if not (r.get("request_id") and r.get("interface"))] == []
    slack_lines = [r for r in ours if r["interface"] == "slack"]
    assert {r["actor"] for r in slack_lines} == {MANAGER}
    pressed = [r for r in slack_lines if r.get("announcement")]
    assert {r["announcement"] for r in pressed} == {draft.uuid.hex}
    assert any(r["logger"].startswith("slack_sdk.webhook") for r in pressed)  # the lazy work carries its request
    assert all(REQUEST_ID.match(r["request_id"]) for r in slack_lines)
    assert len({r["request_id"] for r in slack_lines}) == 5  # two commands, a form, two presses
    acks = [r for r in slack_lines if " acked " in r["message"]]
    assert [(r["message"].split()[0], r["outcome"]) for r in acks] == [
        ("command", "ok"), ("command", "ok"), ("modal", "ok"), ("button", "ok"), ("button", "ok")]
    api_lines = [r for r in ours if r["interface"] == "api"]
    assert {(r["request_id"], r.get("actor"), r.get("announcement")) for r in api_lines} == {
        ("req-from-the-caller", "token:admin-ci", draft.uuid.hex)}
    assert any(r["outcome"] == "ok" and "200" in r["message"] for r in api_lines)

    # What DEBUG dumped, without what it must never show.
    logged = json_logs.text
    response_urls = list(slack._owners)  # every response_url Slack handed out in this test
    secrets = {"bot token": BOT_TOKEN, "app token": APP_TOKEN, "signing secret": SECRET, "typed notes": NOTES,
               "stored notes": "Runbook: wiki/kernel", "admin API token": api.tokens["admin"],
               **{f"response_url {i}": url for i, url in enumerate(response_urls)}}
    assert response_urls
    assert {name for name, secret in secrets.items() if secret in logged} == set()
    for expected in ("Responding with status: 200", "Sending a request - url:", "(body not logged)", "[redacted]"):
        assert expected in logged, expected


def test_text_lines_stay_readable_and_name_their_request(text_logs, slack, world):
    slack.command("help", user=MANAGER)

    [ack] = [line for line in text_logs.text.splitlines() if " acked " in line]
    assert re.fullmatch(r"\S+ \S+ INFO bot\.slack\.listening: command acked 200 in \d+ ms "
                        r"\[request_id=[0-9a-f]{16} interface=slack actor=UCLOUDMGR1 outcome=ok\]", ack), ack


def test_a_refusal_is_the_outcome_in_the_ack_and_after_it(json_logs, slack, services, world, cloud_manager):
    start = json_logs.mark()
    slack.command("show nothing", user=READER)  # refused in the ack
    card = slack.command(f"show {announce(services, cloud_manager, State.SCHEDULED).short_id}", user=MANAGER).last
    slack.press(card, "Start", user=READER)  # refused after the ack

    records = [r for r in json_logs.records(start) if r["logger"].startswith(("bot.", "slack_bolt"))]
    acks = [(r["message"].split()[0], r["outcome"]) for r in records if " acked " in r["message"]]
    assert acks == [("command", "refused"), ("command", "ok"), ("button", "ok")]
    [after] = [r for r in records if r["message"].startswith("refused after the ack")]
    assert after["outcome"] == "refused" and after["actor"] == READER and after["announcement"]


def test_a_socket_mode_envelope_is_one_request_named_by_its_envelope_id(json_logs, slack_app, world):
    handler = socket_mode_handler(slack_app.bolt, APP_TOKEN)
    sent: list = []
    client = type("Client", (), {"send_socket_mode_response": lambda self, response: sent.append(response),
                                 "logger": logging.getLogger("slack_sdk.socket_mode")})()
    body = simulator.slash_command(MANAGER, CHANNEL, "help", "https://hooks.slack.com/commands/T1/1/SeCrEt")
    payload = {key: value[0] for key, value in parse_qs(body).items()}
    try:
        handler.handle(client, SocketModeRequest(type="slash_commands", envelope_id="env-1234", payload=payload))
        slack_app.drain()
    finally:
        handler.client.close()

    assert [response.envelope_id for response in sent] == ["env-1234"]
    ours = [r for r in json_logs.records() if r["logger"].startswith(("bot.", "slack_bolt"))]
    assert ours and {(r["request_id"], r["interface"], r.get("actor")) for r in ours} == {
        ("env-1234", "slack", MANAGER)}
    assert "hooks.slack.com" not in json_logs.text and APP_TOKEN not in json_logs.text


def test_redaction_reaches_every_logger_and_every_part_of_a_record(settings):
    stream = io.StringIO()
    handler = logs.handler_for(settings, stream)
    logger = logging.getLogger("slack_sdk.web.base_client")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        logger.debug("Sending a request - url: https://slack.com/api/chat.postMessage, query_params: {}, "
                     "json_body: {'text': 'notes'}, headers: {'Authorization': '(redacted)'}")
        logger.warning("token %s and secret %s", "xoxp-9-9-abcdef", SECRET)
        try:
            raise ValueError(f"posting to https://hooks.slack.com/actions/T1/2/abc failed with {BOT_TOKEN}")
        except ValueError:
            logger.exception("failed")
        with logs.request("r1", "slack", hidden=("private words",)):
            logging.getLogger("slack_sdk.webhook.client").addHandler(handler)
            logging.getLogger("slack_sdk.webhook.client").setLevel(logging.DEBUG)
            logging.getLogger("slack_sdk.webhook.client").debug(
                "Sending a request - url: http://127.0.0.1:1/response/r-9, body: {\"text\": \"private words\"}")
            logger.info("said %s", "private words")
    finally:
        logger.removeHandler(handler)
        logging.getLogger("slack_sdk.webhook.client").removeHandler(handler)
        logging.getLogger("slack_sdk.webhook.client").setLevel(logging.NOTSET)
        logger.propagate = True
        logger.setLevel(logging.NOTSET)

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["message"] for line in lines] == [
        "Sending a request - url: https://slack.com/api/chat.postMessage (body not logged)",
        "token [redacted] and secret [redacted]",
        "failed",
        "Sending a request - url: [redacted] (body not logged)",
        "said [redacted]",
    ]
    assert "hooks.slack.com" not in lines[2]["exception"] and BOT_TOKEN not in lines[2]["exception"]
    assert "[redacted]" in lines[2]["exception"]
    assert [line.get("request_id") for line in lines] == [None, None, None, "r1", "r1"]
