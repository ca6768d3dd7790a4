"""Progress updates in the calendar feeds (both backends): a subscriber's calendar app shows the latest published
updates in the event's description, and never those of an announcement withdrawn to Draft."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest

from bot.api.calendar import FEED_UPDATES
from bot.domain.announcements import AffectedInput
from bot.domain.enums import Action, State
from tests.factories import NOW, announce

FEEDS = ("/api/maintenance-calendar.ics",)


def description(api, uuid, path="/api/maintenance-calendar.ics") -> str | None:
    answer = api.http(None).get(path)
    assert answer.status_code == 200
    for event in icalendar.Calendar.from_ical(answer.text).walk("VEVENT"):
        if str(event["UID"]).startswith(uuid.hex):
            return str(event["DESCRIPTION"])
    return None


def post(api, uuid, message: str) -> None:
    answer = api.http("cloud").post(f"/api/maintenance-announcements/{uuid.hex}/updates/", json={"message": message})
    assert answer.status_code == 201, answer.text


@pytest.fixture
def running(api, admin):
    return announce(api.services, admin, State.IN_PROGRESS, affected=[AffectedInput("VMs")])


def test_the_feed_shows_the_latest_updates_with_their_times(api, running, clock):
    for minutes in range(FEED_UPDATES + 2):
        clock.set(NOW + timedelta(minutes=minutes))
        post(api, running.uuid, f"Step {minutes} done\u2028and checked")

    text = description(api, running.uuid)

    assert "Step 0 done" not in text and "Step 1 done" not in text  # older ones give way: the feed stays bounded
    shown = [line for line in text.splitlines() if line.startswith("Update ")]
    assert len(shown) == FEED_UPDATES
    assert shown[0].startswith("Update 2026-11-02 09:02 UTC: Step 2 done")
    assert f"Step {FEED_UPDATES + 1} done" in text and "\u2028" not in text


def test_a_withdrawn_announcements_updates_leave_the_feed(api, running, admin):
    scheduled = announce(api.services, admin, State.SCHEDULED, affected=[AffectedInput("VMs")])
    post(api, scheduled.uuid, "Secret plan B")
    assert "Secret plan B" in description(api, scheduled.uuid)

    api.services.announcements.transition(admin, scheduled.uuid, Action.UNSCHEDULE)

    assert "Secret plan B" not in api.http(None).get("/api/maintenance-calendar.ics").text
