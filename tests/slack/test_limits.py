"""Every message and view stays within Block Kit's limits, for the largest announcement and long lists.

slack-sdk's block models check each object's own limits when serialised (section text 3,000, header
150, button text 75 and value 2,000, select options 100, context elements 10, view title 24,
private_metadata 3,000, …); the counts per message (50 blocks) and per view (100 blocks) and the
message text (40,000 characters) are checked here explicitly.
"""

from __future__ import annotations

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.domain.enums import State
from tests.factories import announce

MANAGER, READER = "UCLOUDMGR1", "UREADER001"
MESSAGE_BLOCKS, VIEW_BLOCKS, TEXT_MAX = 50, 100, 40_000


def assert_message_fits(text: str, blocks: list[dict]) -> None:
    assert len(text) <= TEXT_MAX
    assert 0 < len(blocks) <= MESSAGE_BLOCKS, len(blocks)
    for block in Block.parse_all(blocks):
        block.to_dict()  # validates this block and everything in it


def assert_view_fits(view: dict) -> None:
    shown = {key: value for key, value in view.items() if key not in ("id", "state", "hash")}
    assert 0 < len(shown["blocks"]) <= VIEW_BLOCKS, len(shown["blocks"])
    View(**shown).to_dict()


def largest(services, admin, manager):
    names = [f"Offering {i:02d} " + "y" * 130 for i in range(50)]
    for name in names:
        services.catalog.add_offering(admin, name, "Cloud")
    return announce(services, manager, State.SCHEDULED, name="N" * 150, message="M" * 2000,
                    internal_notes="I" * 2000, external_reference_url="https://example.org/" + "p" * 400,
                    affected=[{"offering": n, "impact_level": 3, "impact_description": "D" * 2000} for n in names])


def test_the_largest_announcement_fits_everywhere_it_is_shown(slack, services, world, admin, cloud_manager):
    view = largest(services, admin, cloud_manager)

    shown = slack.command(f"show {view.short_id}", user=MANAGER)
    assert_message_fits(shown.ack["text"], shown.ack["blocks"])
    assert "Internal notes" in shown.text and "more offerings" in shown.text

    started = slack.command(f"start {view.short_id}", user=MANAGER)
    assert_message_fits(started.ack["text"], started.ack["blocks"])

    slack.command(f"edit {view.short_id}", user=MANAGER)
    modal = slack.modal()
    assert_view_fits(modal)
    saved = slack.submit(modal, user=MANAGER)
    assert saved.ack is None, saved.ack
    assert_message_fits(saved.last.text, saved.last.blocks)

    assert_view_fits(slack.open_home(MANAGER).view)
    listed = slack.command("list", user=READER)
    assert_message_fits(listed.ack["text"], listed.ack["blocks"])


def test_a_list_of_300_announcements_is_paginated_with_a_hint(slack, services, world, cloud_manager):
    for number in range(300):
        announce(services, cloud_manager, State.SCHEDULED, name=f"Maintenance number {number:03d} " + "z" * 100)

    first = slack.command("list upcoming", user=READER)
    assert_message_fits(first.ack["text"], first.ack["blocks"])
    assert "Showing 1–20 of 300 · page 1 of 15" in first.text
    assert "`/maint list upcoming page=2`" in first.text
    assert first.last.buttons == ["Next ›"]

    second = slack.press(first.last, "Next ›", user=READER)
    assert "Showing 21–40 of 300 · page 2 of 15" in second.last.content
    assert second.last.buttons == ["‹ Previous", "Next ›"]
    assert_message_fits(second.last.text, second.last.blocks)

    last = slack.command("list upcoming page=15", user=READER)
    assert "Showing 281–300 of 300" in last.text and last.last.buttons == ["‹ Previous"]

    assert_view_fits(slack.open_home(MANAGER).view)


def test_long_catalogs_are_cut_with_a_hint(slack, services, world, admin):
    for number in range(700):
        services.catalog.add_offering(admin, f"Service {number:03d} " + "w" * 60, "Storage")

    reply = slack.command("offerings", user=READER)

    assert_message_fits(reply.ack["text"], reply.ack["blocks"])
    slack.command("new", user="UADMIN0001")
    assert_view_fits(slack.modal())


def test_a_page_past_the_end_is_refused_politely(slack, services, world, cloud_manager):
    announce(services, cloud_manager, State.SCHEDULED)

    reply = slack.command("list page=9", user=READER)

    assert "Invalid page" in reply.ack["text"]
