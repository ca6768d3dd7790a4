"""Forged requests to `POST /slack/events`: none is accepted (401), none changes anything.

Forgeries of real requests — a command, a press on a channel card, a modal submission, an App Home event —
with a wrong signature, a stale or future timestamp, a malformed one, a body altered after signing, or
headers left out. A correctly signed request sent again is refused too (`bot.slack.replays`); a replay
that reaches another replica, which has not seen it, meets the domain's compare-and-set and changes
nothing either.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest

from bot.console import simulator
from bot.domain.enums import State
from bot.slack.app import build_app
from bot.slack.http import standalone
from tests.factories import announce, starting_soon
from tests.reliability.helpers import fingerprint
from tests.slack.workspace import SECRET, Server

MANAGER, READER = "UCLOUDMGR1", "UREADER001"
CHANNEL = "CCLOUD0001"
SIGNATURE, TIMESTAMP = "X-Slack-Signature", "X-Slack-Request-Timestamp"


@dataclass(frozen=True)
class Request:
    what: str
    body: str | bytes
    headers: dict[str, str]


def signed(body: str | bytes, content_type: str, *, secret: str = SECRET, timestamp: int | str | None = None,
           signed_body: str | bytes | None = None) -> dict[str, str]:
    """Headers as Slack sends them, for `signed_body` (default: the body itself) at `timestamp`."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    content = body if signed_body is None else signed_body
    content = content.decode("latin-1") if isinstance(content, bytes) else content
    return {"Content-Type": content_type, TIMESTAMP: stamp, SIGNATURE: simulator.signature(secret, stamp, content)}


def without(headers: dict[str, str], *names: str) -> dict[str, str]:
    return {key: value for key, value in headers.items() if key not in names}


def forgeries(what: str, body: str, content_type: str, alter: Callable[[str], str]) -> list[Request]:
    """Every way of forging one genuine request."""
    now = int(time.time())
    good = signed(body, content_type)
    digest = good[SIGNATURE].removeprefix("v0=")
    altered = alter(body)
    assert altered != body
    cases = {
        "signed with another secret": (body, signed(body, content_type, secret="not-the-signing-secret")),
        "signed with an empty secret": (body, signed(body, content_type, secret="")),
        "signature of another body": (body, signed(body, content_type, signed_body=body + " ")),
        "signature of zeros": (body, good | {SIGNATURE: "v0=" + "0" * 64}),
        "signature in another version": (body, good | {SIGNATURE: "v1=" + digest}),
        "signature in capitals": (body, good | {SIGNATURE: "v0=" + digest.upper()}),
        "signature cut short": (body, good | {SIGNATURE: good[SIGNATURE][:-1]}),
        "signature empty": (body, good | {SIGNATURE: ""}),
        "stale by 5 min 1 s": (body, signed(body, content_type, timestamp=now - 301)),
        "stale by an hour": (body, signed(body, content_type, timestamp=now - 3600)),
        "timestamp zero": (body, signed(body, content_type, timestamp=0)),
        "future by 5 min 30 s": (body, signed(body, content_type, timestamp=now + 330)),  # margin: sent later
        "future by a day": (body, signed(body, content_type, timestamp=now + 86400)),
        "timestamp not the signed one": (body, good | {TIMESTAMP: str(now - 1)}),
        "timestamp in words": (body, signed(body, content_type, timestamp="soon")),
        "timestamp as a float": (body, signed(body, content_type, timestamp=f"{now}.5")),
        "timestamp in exponent form": (body, signed(body, content_type, timestamp="1.7e9")),
        "timestamp negative": (body, signed(body, content_type, timestamp=-now)),
        "timestamp with a plus sign": (body, signed(body, content_type, timestamp=f"+{now}")),
        "timestamp empty": (body, signed(body, content_type, timestamp="")),
        "timestamp of 40 digits": (body, signed(body, content_type, timestamp="9" * 40)),
        "timestamp of 5000 digits": (body, signed(body, content_type, timestamp="9" * 5000)),
        "body altered after signing": (altered, good),
        "body extended after signing": (body + ("&x=1" if content_type == simulator.FORM else " "), good),
        "body cut after signing": (body[:-1], good),
        "body emptied after signing": ("", good),
        "no signature header": (body, without(good, SIGNATURE)),
        "no timestamp header": (body, without(good, TIMESTAMP)),
        "no signature headers at all": (body, without(good, SIGNATURE, TIMESTAMP)),
    }
    form = content_type == simulator.FORM
    unreadable = {  # Bolt parses before it checks: even correctly signed, these must not reach it
        "body that is not JSON": "payload=%7B" if form else "{",
        "body of JSON in another shape": "payload=%5B1%5D" if form else "[1]",
        "body of JSON null": "payload=null" if form else "null",
        "body of a wrong field type": "payload=%7B%22user%22%3A5%7D" if form else '{"authorizations": 5}',
        "body not UTF-8": b"payload=\xff\xfe" if form else b"\xff\xfe",
    }
    for case, forged_body in unreadable.items():
        cases[case + ", forged"] = (forged_body, signed(forged_body, content_type, secret="not-the-signing-secret"))
        cases[case + ", correctly signed"] = (forged_body, signed(forged_body, content_type))
    return [Request(f"{what}: {case}", forged_body, headers) for case, (forged_body, headers) in cases.items()]


@pytest.fixture
def genuine(slack, services, world, cloud_manager):
    """Real requests of every kind, built as Slack builds them, not yet sent."""
    draft = announce(services, cloud_manager, name="Quiet draft")
    published = announce(services, cloud_manager, State.SCHEDULED, name="Router swap", **starting_soon(services))
    slack.deliver()
    card = slack.card_in(CHANNEL)
    slack.command("new", user=MANAGER)
    modal = slack.modal()
    url = slack.standin.response_url()
    start = next(b for b in simulator.buttons(card.blocks) if b.label == "Start")
    requests = {
        "command": (simulator.slash_command(MANAGER, CHANNEL, f"schedule {draft.short_id}", url), simulator.FORM,
                    lambda body: body.replace("schedule", "delete")),
        "button": (simulator.block_actions(MANAGER, start.element, block_id=start.block_id, channel=CHANNEL,
                                           message={"ts": card.ts, "text": card.text, "blocks": card.blocks},
                                           message_ts=card.ts, response_url=url), simulator.FORM,
                   lambda body: body.replace(MANAGER, "UADMIN0001")),
        "modal": (simulator.view_submission(MANAGER, modal, simulator.fill(modal, {"name": "Forged draft"})),
                  simulator.FORM, lambda body: body.replace("Forged", "Forget")),
        "event": (simulator.app_home_opened(READER), simulator.JSON, lambda body: body.replace(READER, MANAGER)),
    }
    return {"draft": draft, "published": published, "requests": requests}


def post(client: httpx.Client, url: str, request: Request) -> httpx.Response:
    body = request.body if isinstance(request.body, bytes) else request.body.encode()
    return client.post(url, content=body, headers=request.headers)


def test_no_forged_request_is_accepted_or_changes_anything(slack, services, genuine, figures):
    before, calls_before = fingerprint(services.context.db), len(slack.standin.calls)
    forged = [forgery for what, (body, kind, alter) in genuine["requests"].items()
              for forgery in forgeries(what, body, kind, alter)]

    answers = {request.what: post(slack.http, slack.url, request) for request in forged}
    slack.app.drain()

    accepted = {what: (r.status_code, r.text[:80]) for what, r in answers.items() if r.status_code != 401}
    figures["forged requests tried"] += len(forged)
    figures["forged requests accepted"] += len(accepted)
    assert accepted == {}
    assert all(r.json() == {"error": "invalid request"} for r in answers.values())
    assert fingerprint(services.context.db) == before
    assert [call.method for call in slack.standin.calls[calls_before:]] == []  # nothing posted, opened or published
    assert slack.standin.responses == []


def test_a_signed_request_sent_again_is_refused_and_changes_nothing(slack, services, genuine, cloud_manager,
                                                                    figures):
    sent = {what: Request(what, body, signed(body, kind)) for what, (body, kind, _) in genuine["requests"].items()}
    first = {what: post(slack.http, slack.url, request).status_code for what, request in sent.items()}
    slack.app.drain()
    after_first = fingerprint(services.context.db)

    again = {what: post(slack.http, slack.url, request).status_code for what, request in sent.items()}
    slack.app.drain()

    figures["replays tried on the same replica"] += len(again)
    figures["replays accepted on the same replica"] += sum(status != 401 for status in again.values())
    assert first == dict.fromkeys(sent, 200)
    assert again == dict.fromkeys(sent, 401)
    assert fingerprint(services.context.db) == after_first
    assert services.announcements.get(cloud_manager, genuine["draft"].uuid).state is State.SCHEDULED
    assert services.announcements.get(cloud_manager, genuine["published"].uuid).state is State.IN_PROGRESS
    drafts = [view.name for view in services.announcements.list(cloud_manager).items]
    assert drafts.count("Forged draft") == 1


@pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)
def test_a_replay_reaching_another_replica_makes_no_second_transition(slack, services, settings, genuine,
                                                                      cloud_manager, figures):
    """Replicas do not share what they have seen; the domain's compare-and-set refuses the second start."""
    body, kind, _ = genuine["requests"]["button"]
    press = Request("button", body, signed(body, kind))
    assert post(slack.http, slack.url, press).status_code == 200
    slack.app.drain()
    slack.deliver()
    after_first = fingerprint(services.context.db)
    replica = build_app(services, settings)
    server = Server(standalone(replica.bolt))
    try:
        replayed = post(slack.http, server.start() + "/slack/events", press)
        replica.drain()
        slack.deliver()
    finally:
        server.stop()
        replica.close()

    unchanged = fingerprint(services.context.db) == after_first
    figures["replays sent to another replica"] += 1
    figures["replays that changed something"] += not unchanged
    assert replayed.status_code == 200  # this replica had not seen it …
    assert unchanged  # … and it changed nothing
    uuid = genuine["published"].uuid
    assert services.announcements.get(cloud_manager, uuid).state is State.IN_PROGRESS
    assert [event.action for event in services.announcements.history(cloud_manager, uuid)].count("started") == 1
    started = [m for m in slack.thread(slack.card_in(CHANNEL)) if "started" in m.content]
    assert len(started) == 1
