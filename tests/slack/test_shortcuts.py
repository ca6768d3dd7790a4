"""Shortcuts: "New maintenance" from anywhere in Slack and "Announce maintenance" on a message open the form of
`/maint new`; the message's text starts the announcement's message, read as its reader saw it and clipped."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import yaml

from bot.console import simulator
from bot.domain.enums import State
from bot.slack.shortcuts import FROM_MESSAGE, NEW, SHORTCUTS

READER, MANAGER = "UREADER001", "UCLOUDMGR1"
ROOT = Path(__file__).resolve().parents[2]


def field(modal: dict, block_id: str) -> dict:
    return next(b for b in modal["blocks"] if b.get("block_id") == block_id)["element"]


def choose_new(slack, user: str):
    return slack.send(simulator.global_shortcut(user, NEW.callback_id), simulator.FORM)


def choose_on_message(slack, user: str, text, channel: str = "CTEAM00001"):
    message = {"ts": "1700000000.000100", "user": "UWRITER001", "text": text}
    body = simulator.message_shortcut(user, FROM_MESSAGE.callback_id, channel=channel, message=message,
                                      response_url=slack.standin.response_url("shortcut"))
    return slack.send(body, simulator.FORM)


def test_the_global_shortcut_opens_the_new_announcement_form_and_the_draft_shows_in_the_home(
    slack, services, world, cloud_manager
):
    reply = choose_new(slack, MANAGER)
    modal = slack.modal()

    assert reply.status == 200 and reply.body == ""
    assert modal["title"]["text"] == "New announcement" and modal["callback_id"] == "maint.announcement"
    assert "initial_value" not in field(modal, "message")

    saved = slack.submit(modal, user=MANAGER, name="Router firmware", offerings=["VMs"])

    assert saved.status == 200 and saved.body == ""
    [draft] = services.announcements.list(cloud_manager).items
    assert (draft.state, draft.name) == (State.DRAFT, "Router firmware")
    assert "Saved a draft of *Router firmware*" in slack.home(MANAGER).content


def test_the_message_shortcut_starts_the_message_with_what_the_reader_saw(slack, services, world, cloud_manager):
    text = ("Heads up <!here>: <@U0ANN0001|ann> will reboot &lt;all&gt; hosts in <#C0OPS0001|ops> &amp; more, "
            "see <https://wiki.example/kernel|the runbook> or <https://tracker.example/CHG-1>\x1b[31m\u202e")

    reply = choose_on_message(slack, MANAGER, text)
    modal = slack.modal()

    assert reply.status == 200
    prefilled = field(modal, "message")["initial_value"]
    assert prefilled == ("Heads up @here: @ann will reboot <all> hosts in #ops & more, see the runbook "
                         "(https://wiki.example/kernel) or https://tracker.example/CHG-1[31m")
    slack.submit(modal, user=MANAGER, name="Kernel upgrade")
    [draft] = services.announcements.list(cloud_manager).items
    assert draft.message == prefilled


def test_a_huge_message_is_clipped_to_the_fields_limit_and_still_saves(slack, services, world, cloud_manager):
    choose_on_message(slack, MANAGER, "x" * 40_000)
    modal = slack.modal()

    prefilled = field(modal, "message")["initial_value"]
    assert len(prefilled) == 2000 and prefilled.endswith("…")
    assert field(modal, "message")["max_length"] == 2000
    saved = slack.submit(modal, user=MANAGER, name="Long one")
    assert saved.body == ""
    assert len(services.announcements.list(cloud_manager).items[0].message) == 2000


def test_a_message_without_text_opens_an_empty_form(slack, world):
    sent = simulator.message_shortcut(MANAGER, FROM_MESSAGE.callback_id, channel="CTEAM00001",
                                      message={"ts": "1.2"}, response_url=slack.standin.response_url("s"))
    body = json.loads(dict(parse_qsl(sent))["payload"])
    assert "text" not in body["message"]  # a message of blocks or attachments alone

    reply = slack.send(urlencode({"payload": json.dumps(body)}), simulator.FORM)

    assert reply.status == 200
    assert "initial_value" not in field(slack.modal(), "message")


def test_someone_who_manages_nothing_gets_a_modal_saying_why_and_no_form(slack, world, standin):
    choose_new(slack, READER)
    choose_on_message(slack, READER, "reboot tonight")

    opened = [call.args["view"] for call in standin.calls_to("views.open")]
    opened = [json.loads(view) if isinstance(view, str) else view for view in opened]
    assert len(opened) == 2
    for modal in opened:
        assert modal.get("callback_id") != "maint.announcement"
        assert "You do not manage any service provider" in modal["blocks"][0]["text"]["text"]


def test_a_message_of_another_shape_is_refused_and_opens_nothing(slack, world, standin):
    reply = choose_on_message(slack, MANAGER, {"not": "text"})

    assert reply.status == 400
    assert standin.calls_to("views.open") == []


def test_the_manifest_declares_exactly_the_shortcuts_the_app_listens_to():
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())

    declared = {(s["callback_id"], s["type"], s["name"], s["description"]) for s in manifest["features"]["shortcuts"]}

    assert declared == {tuple(shortcut) for shortcut in SHORTCUTS}
    assert all(len(shortcut.name) <= 24 for shortcut in SHORTCUTS)  # Slack refuses longer shortcut names
