"""The announcement modal takes the domain's limits, and suggests times in the user's zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.validation import NAME_MAX, TEXT_MAX, URL_MAX
from bot.slack.modals import announcement_modal, suggested_times


def test_the_modal_holds_what_the_domain_accepts_and_no_more():
    tallinn = ZoneInfo("Europe/Tallinn")
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    modal = announcement_modal(providers=[], offerings=[], zone=tallinn, now=now, private_metadata="")
    limits = {block["block_id"]: block["element"].get("max_length") for block in modal.to_dict()["blocks"]
              if block["type"] == "input"}

    assert limits["name"] == NAME_MAX
    assert limits["message"] == limits["internal_notes"] == limits["impact_description"] == TEXT_MAX
    assert limits["url"] == URL_MAX


def test_a_new_announcement_is_suggested_for_tomorrow_night_in_the_users_zone():
    tallinn = ZoneInfo("Europe/Tallinn")
    start, end = suggested_times(datetime(2026, 11, 30, 12, tzinfo=UTC), tallinn)

    assert start == datetime(2026, 12, 1, 22, tzinfo=tallinn)
    assert end - start == timedelta(hours=2)
