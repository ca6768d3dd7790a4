"""The rules of warnings before publishing: which windows overlap, and which transitions deserve a question."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.confirmations import EARLY, ENDED, doubt
from bot.domain.conflicts import CONFLICTING_STATES, overlaps
from bot.domain.enums import Action, State

T = datetime(2026, 12, 1, 10, tzinfo=UTC)
H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("other", "expected"),
    [
        ((T + H, T + 3 * H), True),  # starts inside
        ((T - H, T + H), True),  # ends inside
        ((T - H, T + 5 * H), True),  # contains
        ((T + 2 * H, T + 2 * H), True),  # a window of no length inside
        ((T + 4 * H, T + 5 * H), False),  # touches the end: one may start the minute the other ends
        ((T - 2 * H, T), False),  # touches the start
        ((T + 5 * H, T + 6 * H), False),  # after
    ],
)
def test_windows_overlap_only_when_they_share_a_moment(other, expected):
    assert overlaps(T, T + 4 * H, *other) is expected
    assert overlaps(*other, T, T + 4 * H) is expected


def test_only_published_running_or_upcoming_maintenance_is_a_conflict():
    assert {State.SCHEDULED, State.IN_PROGRESS} == CONFLICTING_STATES


def test_publishing_a_window_that_has_ended_is_doubted():
    asked = doubt(Action.SCHEDULE, State.DRAFT, T - 3 * H, T - H, T)
    assert asked is not None and asked.kind == ENDED and asked.moment == T - H


def test_publishing_a_window_still_running_or_ahead_is_not_doubted():
    assert doubt(Action.SCHEDULE, State.DRAFT, T - H, T + H, T) is None
    assert doubt(Action.SCHEDULE, State.DRAFT, T + H, T + 2 * H, T) is None


def test_starting_more_than_an_hour_early_is_doubted_an_hour_or_less_is_not():
    early = doubt(Action.START, State.SCHEDULED, T + H + timedelta(minutes=1), T + 3 * H, T)
    assert early is not None and early.kind == EARLY
    assert doubt(Action.START, State.SCHEDULED, T + H, T + 3 * H, T) is None
    assert doubt(Action.START, State.SCHEDULED, T - H, T + 3 * H, T) is None


def test_no_question_where_the_transition_would_be_refused_anyway():
    assert doubt(Action.SCHEDULE, State.SCHEDULED, T - 3 * H, T - H, T) is None
    assert doubt(Action.START, State.DRAFT, T + 5 * H, T + 6 * H, T) is None
    assert doubt(Action.COMPLETE, State.IN_PROGRESS, T + 5 * H, T + 6 * H, T) is None
