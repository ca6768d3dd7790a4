"""Buttons on announcement cards: one domain call per press, refusals to the presser only, no double moves."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.domain.enums import Action, State
from bot.slack.cards import extend_value
from tests.factories import announce, starting_soon

MANAGER, GROUPIE, READER = "UCLOUDMGR1", "UGROUPIE01", "UREADER001"
CHANNEL = "CCLOUD0001"


def published_card(slack, services, manager, **fields):
    view = announce(services, manager, State.SCHEDULED, **fields)
    slack.deliver()
    return view, slack.card_in(CHANNEL)


def test_start_on_a_channel_card_updates_it_in_place_with_a_thread_reply(slack, services, world, cloud_manager):
    view, card = published_card(slack, services, cloud_manager, **starting_soon(services))
    assert card.buttons == ["Start", "Edit", "Post update", "Unschedule", "Cancel", "Delete"]

    reply = slack.press(card, "Start", user=MANAGER)
    slack.deliver()

    assert reply.status == 200 and reply.seen == []  # nothing ephemeral: the card itself is the answer
    assert services.announcements.get(cloud_manager, view.uuid).state is State.IN_PROGRESS
    [updated] = slack.posts(CHANNEL)
    assert updated.ts == card.ts and "In progress" in updated.content
    assert updated.buttons == ["Complete", "Edit", "Post update", "Delete"]
    assert any("<@UCLOUDMGR1>" in reply.content and "started" in reply.content.lower()
               for reply in slack.thread(updated))


@pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)
def test_two_presses_of_the_same_start_start_it_once(slack, services, world, cloud_manager):
    view, card = published_card(slack, services, cloud_manager, **starting_soon(services))

    first, second = slack.press_together(card, "Start", users=[MANAGER, GROUPIE])
    slack.deliver()

    assert services.announcements.get(cloud_manager, view.uuid).state is State.IN_PROGRESS
    events = [e.action for e in services.announcements.history(cloud_manager, view.uuid)]
    assert events.count("started") == 1
    notes = [r for r in (first, second) if r.seen]
    assert len(notes) == 1, [r.text for r in (first, second)]
    assert "already *In progress*" in notes[0].text and notes[0].seen[0].ephemeral
    started = [m for m in slack.thread(slack.card_in(CHANNEL)) if "started" in m.content.lower()]
    assert len(started) == 1


def test_a_press_on_a_stale_card_explains_and_refreshes_it(slack, services, world, cloud_manager):
    view, card = published_card(slack, services, cloud_manager, **starting_soon(services))
    slack.command(f"start {view.short_id}", user=MANAGER)  # the card in the channel is not updated yet

    reply = slack.press(card, "Start", user=GROUPIE)

    assert "Nothing changed" in reply.text and "already *In progress*" in reply.text
    assert reply.seen[0].ephemeral and reply.seen[0].user == GROUPIE
    assert "In progress" in slack.card_in(CHANNEL).content
    events = [e.action for e in services.announcements.history(cloud_manager, view.uuid)]
    assert events.count("started") == 1


def test_a_non_manager_pressing_a_managers_button_is_refused_and_nothing_changes(slack, services, world,
                                                                               cloud_manager):
    view, card = published_card(slack, services, cloud_manager)
    calls_before = len(slack.standin.calls)

    reply = slack.press(card, "Cancel", user=READER)
    slack.deliver()

    assert "🚫" in reply.text and reply.seen[0].ephemeral and reply.seen[0].user == READER
    assert services.announcements.get(cloud_manager, view.uuid).state is State.SCHEDULED
    assert slack.card_in(CHANNEL).content == card.content
    assert [c.method for c in slack.standin.calls[calls_before:] if c.method.startswith("chat.")] == []


def test_unschedule_withdraws_the_channel_card(slack, services, world, cloud_manager):
    view, card = published_card(slack, services, cloud_manager)

    slack.press(card, "Unschedule", user=MANAGER)
    slack.deliver()

    assert services.announcements.get(cloud_manager, view.uuid).state is State.DRAFT
    assert "Withdrawn" in slack.card_in(CHANNEL).content
    assert "Runbook" not in slack.card_in(CHANNEL).content


def test_extend_buttons_move_the_scheduled_end(slack, services, world, cloud_manager, clock):
    view, card = published_card(slack, services, cloud_manager, **starting_soon(services))
    slack.press(card, "Start", user=MANAGER)
    extend = {"type": "button", "action_id": "maint.extend30", "value": extend_value(view),
              "text": {"type": "plain_text", "text": "Extend 30 min"}}
    alert = type(card)("Overrun", [{"type": "actions", "block_id": "alert", "elements": [extend]}],
                       channel=CHANNEL, ts=card.ts)

    slack.press(alert, "Extend 30 min", user=MANAGER)
    slack.deliver()

    after = services.announcements.get(cloud_manager, view.uuid)
    assert after.scheduled_end == view.scheduled_end + timedelta(minutes=30)
    assert any("extended" in m.content.lower() for m in slack.thread(slack.card_in(CHANNEL)))


def test_delete_on_an_ephemeral_card_replaces_it(slack, services, world, cloud_manager):
    view = announce(services, cloud_manager)
    card = slack.command(f"show {view.short_id}", user=MANAGER).last

    slack.press(card, "Delete", user=MANAGER)

    assert "Deleted *Kernel upgrade*" in card.content and card.buttons == []
    assert services.announcements.count(cloud_manager) == 0


@pytest.mark.parametrize("label", ["Start", "Unschedule", "Cancel"])
def test_a_stale_press_on_a_channel_card_after_draft_edits_shows_the_channel_only_published_wording(
    slack, services, world, cloud_manager, label
):
    view, card = published_card(slack, services, cloud_manager, name="Kernel upgrade")
    services.announcements.transition(cloud_manager, view.uuid, Action.UNSCHEDULE)
    services.announcements.update(cloud_manager, view.uuid, {"name": "Project Nightjar", "message": "Acme first."})
    slack.deliver()

    slack.press(card, label, user=MANAGER)  # the card in the channel still showed the old buttons
    slack.deliver()

    seen = [version for post in slack.standin.posts_in(CHANNEL)
            for version in [*post.history, {"text": post.text, "blocks": post.blocks}]]
    assert "Nightjar" not in json.dumps(seen) and "Acme" not in json.dumps(seen)
    assert slack.card_in(CHANNEL).content.count("Kernel upgrade") >= 1
