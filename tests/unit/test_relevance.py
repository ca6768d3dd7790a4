"""Whether a notice about time is true: when the clock calls for one, whether a queued one still holds at
delivery, and how long the scheduler catches up on what it missed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.enums import State
from bot.domain.notices import DUE, OVERRUN, REMINDER, iso_time
from bot.domain.relevance import CATCH_UP, called_for, stale_reason, starts_itself, within_catch_up
from tests.unit.views import END, NOW, START, view

SECOND = timedelta(seconds=1)


def test_a_scheduled_announcement_is_due_from_its_start():
    assert called_for(State.SCHEDULED, START, END, START - SECOND) is None
    assert called_for(State.SCHEDULED, START, END, START) == DUE


def test_running_maintenance_overruns_strictly_after_its_end():
    assert called_for(State.IN_PROGRESS, START, END, END) is None
    assert called_for(State.IN_PROGRESS, START, END, END + SECOND) == OVERRUN


@pytest.mark.parametrize("state", [State.DRAFT, State.COMPLETED, State.CANCELLED])
def test_nothing_else_calls_for_a_notice(state):
    assert called_for(state, START, END, END + timedelta(days=1)) is None


def test_auto_start_starts_only_while_the_window_is_open():
    assert starts_itself(True, END, START)
    assert not starts_itself(True, END, END)
    assert not starts_itself(False, END, START)


def reminder(start=START):
    return {"scheduled_start": iso_time(start)}


def test_a_reminder_holds_while_its_start_is_still_ahead_and_unmoved():
    assert stale_reason(REMINDER, reminder(), view(State.SCHEDULED), NOW) is None


@pytest.mark.parametrize(
    ("payload", "shown", "now"),
    [
        (reminder(START - timedelta(hours=1)), view(State.SCHEDULED), NOW),  # the start moved
        (reminder(), view(State.IN_PROGRESS), NOW),  # started early
        (reminder(), view(State.DRAFT), NOW),  # withdrawn
        (reminder(), view(State.SCHEDULED), START),  # the start has come
    ],
)
def test_a_reminder_for_a_start_that_moved_passed_or_began_is_stale(payload, shown, now):
    assert stale_reason(REMINDER, payload, shown, now) == "the reminded start is no longer ahead"


def test_a_nudge_holds_only_while_still_scheduled():
    assert stale_reason(DUE, {}, view(State.SCHEDULED), START) is None
    assert stale_reason(DUE, {}, view(State.IN_PROGRESS), START) == "no longer Scheduled"


def test_an_overrun_alert_is_stale_once_completed_or_given_a_new_end():
    alert = {"scheduled_end": iso_time(END)}

    assert stale_reason(OVERRUN, alert, view(State.IN_PROGRESS), END + SECOND) is None
    assert stale_reason(OVERRUN, alert, view(State.COMPLETED), END + SECOND) == "completed or given a new end"
    extended = view(State.IN_PROGRESS, scheduled_end=END + timedelta(minutes=30))
    assert stale_reason(OVERRUN, alert, extended, END + SECOND) == "completed or given a new end"


def test_news_of_a_deleted_announcement_is_stale_except_the_deletion():
    assert stale_reason("started", {}, None, NOW) == "the announcement was deleted"
    assert stale_reason("deleted", {}, None, NOW) is None


def test_a_publication_withdrawn_before_delivery_is_stale():
    assert stale_reason("published", {}, view(State.DRAFT), NOW) == "withdrawn before it was delivered"
    assert stale_reason("published", {}, view(State.SCHEDULED), NOW) is None


def test_a_missed_moment_is_caught_up_for_a_day_and_not_after():
    assert timedelta(hours=24) == CATCH_UP
    assert within_catch_up(NOW - CATCH_UP, NOW)
    assert not within_catch_up(NOW - CATCH_UP - SECOND, NOW)
