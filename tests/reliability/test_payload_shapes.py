"""Payloads of any shape on `POST /slack/events`: a polite refusal, never a 500, a traceback or a change.

Slack sends well-formed payloads, but anyone can post to the endpoint, and a payload signed with the
secret is read by our own code. Here real requests (a press on a channel card, in the App Home, on a list
pager, a modal submission, an App Home event, a command) have one part swapped for arbitrary JSON, dropped,
or nested far deeper than Python's recursion limit, and are sent over HTTP signed and unsigned. Every answer
is a 2xx/4xx with nothing changed and no error logged.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.console import simulator
from bot.domain.enums import State
from tests.factories import announce
from tests.reliability.helpers import fingerprint

BOTH = pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)
READER, MANAGER = "UREADER001", "UCLOUDMGR1"
CHANNEL = "CCLOUD0001"
SHAPES = settings(deadline=None, derandomize=True, database=None, max_examples=300,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                         HealthCheck.data_too_large])
DEEP = 100_000
ANSWERS = {200, 400, 401, 404}
UNEXPECTED = ("Traceback", "💥", "Something went wrong", "Internal Server Error")
DROP = object()

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(10**30, 10**60) | st.floats() | st.text(max_size=20)
    | st.sampled_from(["", "maint.start", "maint.extend30", "home", "message", "view_submission", "U", "C"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@pytest.fixture
def errors_logged(caplog):
    caplog.set_level(logging.ERROR)
    return lambda: [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]


@pytest.fixture
def requests(slack, services, world, cloud_manager) -> dict[str, tuple[dict[str, Any], str]]:
    """Real payloads, by what they are: (payload, content type). A reader sends the ones that would act."""
    running = announce(services, cloud_manager, State.IN_PROGRESS)
    slack.deliver()
    card = slack.card_in(CHANNEL)
    home = slack.open_home(MANAGER)
    slack.command("new", user=MANAGER)
    modal = slack.modal()
    extend = {"action_id": "maint.extend30", "value": f"{running.uuid.hex}:{running.scheduled_end.isoformat()}",
              "text": {"type": "plain_text", "text": "Extend 30 min"}}
    pager = {"action_id": "maint.page.2", "value": json.dumps({"q": "", "p": 2}),
             "text": {"type": "plain_text", "text": "Next"}}

    def form(body: str) -> dict[str, Any]:
        return json.loads(parse_qs(body)["payload"][0])

    button = simulator.buttons(card.blocks)[0]
    return {
        "card press": (form(simulator.block_actions(
            READER, button.element, block_id=button.block_id, channel=CHANNEL, message_ts=card.ts,
            message={"ts": card.ts, "text": card.text, "blocks": card.blocks},
            response_url=slack.standin.response_url())), simulator.FORM),
        "extend press": (form(simulator.block_actions(
            READER, extend, block_id="overrun", channel=CHANNEL, message_ts=card.ts,
            response_url=slack.standin.response_url())), simulator.FORM),
        "home press": (form(simulator.block_actions(
            READER, simulator.buttons(home.blocks)[0].element, block_id="home", view=home.view)), simulator.FORM),
        "pager press": (form(simulator.block_actions(
            READER, pager, block_id="pager", channel=CHANNEL, ephemeral=True,
            response_url=slack.standin.response_url())), simulator.FORM),
        "modal submission": (form(simulator.view_submission(
            READER, modal, simulator.fill(modal, {"name": "Shaped"}))), simulator.FORM),
        "home opened": (json.loads(simulator.app_home_opened(READER)), simulator.JSON),
    }


def paths(node: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """Every place in a JSON tree, the root first."""
    yield prefix
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield from paths(value, (*prefix, key))


def replaced(payload: Any, path: tuple, value: Any) -> Any:
    """`payload` with the value at `path` swapped for `value` (or dropped, for DROP)."""
    if not path:
        return value
    changed = copy.deepcopy(payload)
    parent = changed
    for key in path[:-1]:
        parent = parent[key]
    if value is DROP:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return changed


def body_of(payload: Any, content_type: str) -> str:
    text = json.dumps(payload)
    return urlencode({"payload": text}) if content_type == simulator.FORM else text


def deeply_nested(payload: Any, path: tuple, content_type: str) -> str:
    """The payload with `[[[…]]]` nested DEEP levels at `path`: text no JSON parser reads by recursion."""
    marker = "\x01DEEP\x01"
    text = json.dumps(replaced(payload, path, marker)).replace(json.dumps(marker), "[" * DEEP + "]" * DEEP)
    return urlencode({"payload": text}) if content_type == simulator.FORM else text


def check(slack, services, body: str, content_type: str, before: dict, *, signed: bool = True) -> int:
    if signed:
        reply = slack.send(body, content_type)
        status, answered = reply.status, reply.body
    else:
        response = slack.http.post(slack.url, content=body.encode(), headers={"Content-Type": content_type})
        status, answered = response.status_code, response.text
    assert status in ANSWERS, (status, answered[:300])
    assert not any(word in answered for word in UNEXPECTED), answered[:300]
    assert fingerprint(services.context.db) == before
    return status


@BOTH
def test_signed_payloads_of_any_shape_are_refused_politely(slack, services, requests, errors_logged, figures, db):
    named = sorted(requests)
    tried = []

    @settings(SHAPES, max_examples=300 if db.dialect == "sqlite" else 150)
    @given(data=st.data())
    def send(data):
        what = data.draw(st.sampled_from(named))
        payload, content_type = requests[what]
        path = data.draw(st.sampled_from(list(paths(payload))))
        value = data.draw(st.one_of(JSON, st.just(DROP)) if path else JSON)
        before = fingerprint(services.context.db)
        tried.append(check(slack, services, body_of(replaced(payload, path, value), content_type), content_type,
                           before))

    send()
    figures["signed Slack payloads of other shapes"] += len(tried)
    assert errors_logged() == []
    shown = [json.dumps(r, ensure_ascii=False) for r in slack.standin.responses]
    shown += [json.dumps(call.args, ensure_ascii=False) for call in slack.standin.calls]
    assert not any(word in item for item in shown for word in UNEXPECTED)


@BOTH
@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
def test_json_nested_past_the_recursion_limit_is_refused(slack, services, requests, errors_logged, signed, figures):
    """The finding: `[[[…]]]` 100,000 deep, as JSON or as a form's `payload=`, answered 500 unauthenticated."""
    before = fingerprint(services.context.db)
    bare = "[" * DEEP + "]" * DEEP
    bodies = [(bare, simulator.JSON), (urlencode({"payload": bare}), simulator.FORM)]
    for payload, content_type in requests.values():
        for path in [(), *(p for p in paths(payload) if len(p) in (1, 2))][:12]:
            bodies.append((deeply_nested(payload, path, content_type), content_type))
    for body, content_type in bodies:
        assert check(slack, services, body, content_type, before, signed=signed) in (400, 401)
    figures["Slack requests nested past the recursion limit"] += len(bodies)
    assert errors_logged() == []


@BOTH
def test_a_deeply_nested_private_metadata_is_refused_beside_the_form(slack, services, requests, errors_logged):
    payload, content_type = requests["modal submission"]
    before = fingerprint(services.context.db)
    for meta in ("[" * DEEP + "]" * DEEP, '{"mode": "edit", "uuid": ' + "[" * 5000 + "]" * 5000 + "}",
                 '{"mode": "edit", "uuid": ' + "9" * 5000 + "}", '{"mode": "new", "channel": ' + "9" * 5000 + "}"):
        reply = slack.send(body_of(replaced(payload, ("view", "private_metadata"), meta), content_type), content_type)
        assert reply.status == 200 and reply.ack["response_action"] == "errors", reply.body[:300]
        assert fingerprint(services.context.db) == before
    assert errors_logged() == []


@BOTH
@pytest.mark.parametrize("part, value", [
    (("container",), "x"), (("container",), ["message"]), (("container", "is_ephemeral"), {"a": 1}),
    (("user",), "UCLOUDMGR1"), (("user",), {"id": 5}), (("user",), None), (("channel",), "CCLOUD0001"),
    (("actions", 0, "value"), 5), (("actions", 0, "value"), {"uuid": "x"}), (("actions", 0, "action_id"), 7),
    (("actions",), "maint.start"), (("actions",), []), (("response_url",), 5), (("response_urls",), "x"),
    (("view",), "home"), (("view", "type"), ["home"]),
])
def test_wrongly_typed_fields_of_a_signed_press_are_refused(slack, services, requests, errors_logged, part, value):
    """The finding: wrongly typed `container`, `user`, action `value` → 500 from our own parsing code."""
    payload, content_type = requests["extend press" if part[0] != "view" else "home press"]
    before = fingerprint(services.context.db)
    check(slack, services, body_of(replaced(payload, part, value), content_type), content_type, before)
    assert errors_logged() == []
