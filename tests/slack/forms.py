"""Filling a form the way Slack does while it is open: choosing offerings in a multi-select that dispatches
its changes (a `block_actions` carrying the view and its state), and reading the form as the app redrew it."""

from __future__ import annotations

import json
import time
from typing import Any

from bot.console import simulator
from tests.slack.workspace import Workspace

OPENED = "views.open"


def choose(slack: Workspace, modal: dict, *, user: str, offerings: list[str], **answers: Any) -> dict:
    """Choose `offerings` (and fill `answers`) in an open form: Slack tells the app, which redraws the form;
    the redrawn form, with the same view id. Fails if the app did not redraw it."""
    values = simulator.fill(modal, {"offerings": offerings} | answers)
    before = len(slack.standin.calls_to("views.update"))
    reply = slack.send(changed(user, modal, values), simulator.FORM)
    assert reply.status == 200, reply.body
    updates = slack.standin.calls_to("views.update")
    assert len(updates) == before + 1, "the form was not redrawn"
    assert updates[-1].args.get("view_id") == modal["id"]
    return {**view_of(updates[-1].args["view"]), "id": modal["id"]}


def changed(user: str, modal: dict, values: dict, selected: Any = None) -> str:
    """The `block_actions` Slack sends when the offerings of an open form change."""
    chosen = values.get("offerings", {}).get("value", {}).get("selected_options", []) if selected is None \
        else selected
    return simulator._interaction({
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": simulator.TEAM["id"]},
        "api_app_id": simulator.APP_ID,
        "token": "verification-token-unused",
        "trigger_id": simulator.trigger_id(),
        "team": simulator.TEAM,
        "container": {"type": "view", "view_id": modal["id"]},
        "view": {**modal, "state": {"values": values}, "hash": f"{int(time.time())}.hash"},
        "actions": [{"type": "multi_static_select", "action_id": "value", "block_id": "offerings",
                     "selected_options": chosen, "action_ts": f"{time.time():.6f}"}],
    })


def view_of(view: Any) -> dict:
    return json.loads(view) if isinstance(view, str) else view


def blocks(modal: dict, prefix: str) -> list[dict]:
    return [block for block in modal["blocks"] if str(block.get("block_id", "")).startswith(prefix)]


def row_of(modal: dict, offering: str) -> str:
    """The uuid (hex) of the impact row labelled for `offering`."""
    for block in blocks(modal, "impact:"):
        if block["label"]["text"] == f"Impact on {offering}":
            return block["block_id"].split(":", 1)[1]
    raise AssertionError(f"no impact row for {offering}: {[b['label']['text'] for b in blocks(modal, 'impact:')]}")


def row(modal: dict, offering: str, level: str, description: str | None = None) -> dict[str, str]:
    """Answers setting `offering`'s own impact row."""
    key = row_of(modal, offering)
    answers = {f"impact:{key}": level}
    if description is not None:
        answers[f"what:{key}"] = description
    return answers


def initial(modal: dict, block_id: str) -> Any:
    element = next(b for b in modal["blocks"] if b.get("block_id") == block_id)["element"]
    for key in ("initial_value", "initial_option", "initial_options", "initial_date_time"):
        if key in element:
            value = element[key]
            return value["text"]["text"] if isinstance(value, dict) else value
    return None
