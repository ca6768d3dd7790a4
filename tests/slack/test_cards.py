"""The announcement card: what readers see, within Block Kit's limits, with user text kept literal."""

from __future__ import annotations

import json

from slack_sdk.models.blocks import ActionsBlock

from bot.domain.enums import State
from bot.slack.cards import card_blocks, card_text
from tests.factories import announce

TRICKY = "<!channel> <!here> <@U123> <#C123> *bold* _it_ ~s~ `code` &<> 🚀 " + "x" * 60


def rendered(view) -> str:
    return json.dumps([block.to_dict() for block in card_blocks(view)], ensure_ascii=False)


def buttons(view) -> list[str]:
    actions = [b for b in card_blocks(view) if isinstance(b, ActionsBlock)]
    return [element.text.text for block in actions for element in block.elements]


def test_a_card_shows_state_times_offerings_and_the_short_id(services, world, cloud_manager):
    view = announce(services, cloud_manager, State.SCHEDULED, affected=[{"offering": "VMs", "impact_level": 4}],
                    external_reference_url="https://tracker.example/CHG-1")

    text = rendered(view)

    assert "Kernel upgrade" in text and "Scheduled" in text
    assert f"<!date^{int(view.scheduled_start.timestamp())}^" in text
    assert "VMs — Full outage" in text and "(2 h)" in text
    assert "https://tracker.example/CHG-1" in text and view.uuid.hex[:8] in text
    assert "Runbook" not in text  # internal notes never reach a card


def test_buttons_follow_the_state(services, world, cloud_manager):
    assert buttons(announce(services, cloud_manager)) == ["Schedule", "Edit", "Cancel", "Delete"]
    assert buttons(announce(services, cloud_manager, State.SCHEDULED)) == [
        "Start", "Edit", "Post update", "Unschedule", "Cancel", "Delete"]
    assert buttons(announce(services, cloud_manager, State.IN_PROGRESS)) == ["Complete", "Edit", "Post update",
                                                                          "Delete"]
    assert buttons(announce(services, cloud_manager, State.COMPLETED)) == ["Delete"]


def test_destructive_buttons_are_red_and_ask_first(services, world, cloud_manager):
    view = announce(services, cloud_manager, State.SCHEDULED)
    elements = {e.text.text: e for b in card_blocks(view) if isinstance(b, ActionsBlock) for e in b.elements}

    for label in ("Cancel", "Delete", "Unschedule"):
        assert elements[label].style == "danger" and elements[label].confirm is not None
    assert elements["Start"].confirm is None


def test_user_text_with_mentions_and_markup_stays_literal(services, world, cloud_manager):
    view = announce(services, cloud_manager, State.SCHEDULED, name=TRICKY[:150], message=TRICKY)

    for block in card_blocks(view):
        for text in _text_objects(block.to_dict()):
            if TRICKY[:20] in text["text"]:
                assert text["type"] == "plain_text"
    assert "<!channel>" not in card_text(view) and "&lt;!channel&gt;" in card_text(view)


def test_the_largest_announcement_fits_block_kit_limits(services, world, cloud_manager, admin):
    names = [f"Offering {i:02d} " + "y" * 130 for i in range(50)]
    for name in names:
        services.catalog.add_offering(admin, name, "Cloud")
    view = announce(services, cloud_manager, State.SCHEDULED, name="N" * 150, message="M" * 2000,
                    affected=[{"offering": n, "impact_level": 3, "impact_description": "D" * 2000} for n in names])

    blocks = card_blocks(view)

    for block in blocks:
        block.validate_json()  # slack-sdk raises on any Block Kit limit
    assert len(blocks) <= 50
    assert "more offerings" in rendered(view)


def _text_objects(node):
    if isinstance(node, dict):
        if node.get("type") in ("plain_text", "mrkdwn") and "text" in node:
            yield node
        for value in node.values():
            yield from _text_objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from _text_objects(value)
