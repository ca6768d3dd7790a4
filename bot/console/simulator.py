"""Slack's side of the conversation, for the console, the tests and the benchmark.

Builds requests exactly as Slack sends them to an app — slash commands form-encoded, interactions as a
form field `payload=<json>`, events as JSON — signed with the v0 HMAC scheme (`X-Slack-Signature`,
`X-Slack-Request-Timestamp`), and fills a modal's `state.values` the way Slack clients do.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

TEAM = {"id": "TSTANDIN", "domain": "standin"}
APP_ID = "AMAINTBOT"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
_ids = itertools.count(1)


@dataclass(frozen=True)
class SignedRequest:
    body: str
    headers: dict[str, str]


def signature(secret: str, timestamp: str, body: str) -> str:
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


def sign(body: str, content_type: str, secret: str, timestamp: int | None = None) -> SignedRequest:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return SignedRequest(body, {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature(secret, stamp, body),
    })


def trigger_id() -> str:
    return f"{next(_ids)}.{int(time.time())}.{hashlib.sha1(str(time.time_ns()).encode()).hexdigest()[:16]}"


def slash_command(user: str, channel: str, text: str, response_url: str, command: str = "/maint") -> str:
    return urlencode({
        "token": "verification-token-unused",
        "team_id": TEAM["id"],
        "team_domain": TEAM["domain"],
        "channel_id": channel,
        "channel_name": channel.lower(),
        "user_id": user,
        "user_name": user.lower(),
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id(),
    })


def _interaction(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def block_actions(
    user: str,
    button: dict[str, Any],
    *,
    block_id: str,
    channel: str | None = None,
    message: dict[str, Any] | None = None,
    message_ts: str | None = None,
    ephemeral: bool = False,
    response_url: str | None = None,
    view: dict[str, Any] | None = None,
) -> str:
    """A button press on a message (channel or ephemeral) or in a view (the App Home)."""
    action = {
        "type": "button",
        "action_id": button["action_id"],
        "block_id": block_id,
        "text": button.get("text"),
        "value": button.get("value"),
        "action_ts": f"{time.time():.6f}",
    }
    if button.get("style"):
        action["style"] = button["style"]
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM["id"]},
        "api_app_id": APP_ID,
        "token": "verification-token-unused",
        "trigger_id": trigger_id(),
        "team": TEAM,
        "enterprise": None,
        "is_enterprise_install": False,
        "actions": [action],
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id")}
        payload["view"] = view
        return _interaction(payload)
    payload["container"] = {"type": "message", "message_ts": message_ts, "channel_id": channel,
                            "is_ephemeral": ephemeral}
    payload["channel"] = {"id": channel, "name": (channel or "").lower()}
    if message is not None and not ephemeral:
        payload["message"] = message
    payload["state"] = {"values": {}}
    payload["response_url"] = response_url
    return _interaction(payload)


def global_shortcut(user: str, callback_id: str) -> str:
    """A shortcut chosen from Slack's shortcuts menu: no channel, no response_url."""
    return _interaction({
        "type": "shortcut",
        "token": "verification-token-unused",
        "action_ts": f"{time.time():.6f}",
        "team": TEAM,
        "user": {"id": user, "username": user.lower(), "team_id": TEAM["id"]},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": trigger_id(),
    })


def message_shortcut(user: str, callback_id: str, *, channel: str, message: dict[str, Any], response_url: str) -> str:
    """A shortcut chosen from a message's menu, carrying the message (`text`, `ts`, `user`…) as Slack sends it."""
    return _interaction({
        "type": "message_action",
        "token": "verification-token-unused",
        "action_ts": f"{time.time():.6f}",
        "team": TEAM,
        "user": {"id": user, "name": user.lower(), "team_id": TEAM["id"]},
        "channel": {"id": channel, "name": channel.lower()},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": trigger_id(),
        "response_url": response_url,
        "message_ts": message.get("ts"),
        "message": {"type": "message", **message},
    })


def view_submission(user: str, view: dict[str, Any], values: dict[str, dict[str, Any]]) -> str:
    submitted = {**view, "state": {"values": values}, "team_id": TEAM["id"], "app_id": APP_ID,
                 "hash": f"{int(time.time())}.hash"}
    return _interaction({
        "type": "view_submission",
        "team": TEAM,
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM["id"]},
        "api_app_id": APP_ID,
        "token": "verification-token-unused",
        "trigger_id": trigger_id(),
        "view": submitted,
        "response_urls": [],
        "is_enterprise_install": False,
    })


def app_home_opened(user: str) -> str:
    return json.dumps({
        "token": "verification-token-unused",
        "team_id": TEAM["id"],
        "api_app_id": APP_ID,
        "event": {"type": "app_home_opened", "user": user, "channel": f"D{user[1:]}", "tab": "home",
                  "event_ts": f"{time.time():.6f}"},
        "type": "event_callback",
        "event_id": f"Ev{next(_ids):08d}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM["id"], "user_id": "UMAINTBOT", "is_bot": True}],
    })


# -- modals ---------------------------------------------------------------------------------------


def input_blocks(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [block for block in view.get("blocks", []) if block.get("type") == "input"]


def _options(element: dict[str, Any]) -> list[dict[str, Any]]:
    if "options" in element:
        return element["options"]
    return [option for group in element.get("option_groups", []) for option in group["options"]]


def _find_option(element: dict[str, Any], wanted: str) -> dict[str, Any]:
    for option in _options(element):
        if wanted.strip().lower() in (option["value"].lower(), option["text"]["text"].lower()):
            return option
    choices = ", ".join(option["text"]["text"] for option in _options(element))
    raise ValueError(f"{wanted!r} is not one of: {choices}")


#: The simple inputs of the series modal: (the key of the value in `state.values`, the key of its initial value).
PICKED = {"number_input": ("value", "initial_value"), "datepicker": ("selected_date", "initial_date"),
          "timepicker": ("selected_time", "initial_time")}


def element_state(element: dict[str, Any], answer: Any, zone: ZoneInfo = UTC) -> dict[str, Any]:
    """What Slack puts in `state.values` for one element, given the user's answer (None: its initial value)."""
    kind = element["type"]
    if kind == "plain_text_input":
        value = element.get("initial_value") if answer is None else str(answer)
        return {"type": kind, "value": value or None}
    if kind == "static_select":
        option = element.get("initial_option") if answer is None else _find_option(element, str(answer))
        return {"type": kind, "selected_option": option}
    if kind == "multi_static_select":
        if answer is None:
            options = element.get("initial_options") or []
        else:
            answers = [answer] if isinstance(answer, str) else list(answer)
            options = [_find_option(element, item) for item in answers if item.strip()]
        return {"type": kind, "selected_options": options}
    if kind == "datetimepicker":
        return {"type": kind, "selected_date_time": epoch_of(answer, zone) if answer is not None
                else element.get("initial_date_time")}
    if kind in PICKED:  # number_input, datepicker, timepicker: the text typed, as Slack sends it
        key, initial = PICKED[kind]
        value = element.get(initial) if answer is None else str(answer)
        return {"type": kind, key: value or None}
    raise ValueError(f"element {kind} is not supported")


def epoch_of(answer: Any, zone: ZoneInfo) -> int:
    if isinstance(answer, int):
        return answer
    if isinstance(answer, datetime):
        return int(answer.timestamp())
    text = str(answer).strip().replace("T", " ")
    moment = datetime.strptime(text, "%Y-%m-%d %H:%M")
    return int(moment.replace(tzinfo=zone).timestamp())


def fill(view: dict[str, Any], answers: dict[str, Any] | None = None, zone: ZoneInfo = UTC) -> dict[str, Any]:
    """`state.values` for a modal: `answers` by block id, every other field left as it was shown."""
    answers = answers or {}
    values = {}
    for block in input_blocks(view):
        element = block["element"]
        values[block["block_id"]] = {element["action_id"]: element_state(element, answers.get(block["block_id"]),
                                                                         zone)}
    return values


def missing(view: dict[str, Any], values: dict[str, Any]) -> list[str]:
    """Labels of required fields left empty (Slack clients refuse to submit those)."""
    empty = []
    for block in input_blocks(view):
        if block.get("optional"):
            continue
        state = next(iter(values.get(block["block_id"], {}).values()), {})
        content = [value for key, value in state.items() if key != "type"]
        if not any(content):
            empty.append(block["label"]["text"])
    return empty


# -- buttons --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Button:
    label: str
    block_id: str
    element: dict[str, Any]


def buttons(blocks: Iterable[dict[str, Any]]) -> list[Button]:
    """Every button in `blocks`, in reading order (actions blocks and section accessories)."""
    found = []
    for block in blocks:
        elements = block.get("elements", []) if block.get("type") == "actions" else [block.get("accessory") or {}]
        for element in elements:
            if element.get("type") == "button":
                found.append(Button(element["text"]["text"], block.get("block_id", ""), element))
    return found

