"""Whether a notice about time is true: when the clock calls for one, and whether a queued one still holds
when it is about to be delivered. Pure functions of the announcement as it is now.

A notice is queued ahead of its delivery (reminders days ahead, alerts a retry or a Slack outage later), and
the announcement may change in between: a reminder for a start that moved, a nudge for maintenance already
started, an alert for one already completed or extended would tell people something false. The scheduler
asks `called_for` (and `starts_itself`: start it, or nudge its managers) and acts on a moment it missed only
`within_catch_up`; the dispatcher asks `stale_reason` before sending, and drops what is stale.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from bot.domain.enums import PUBLIC_STATES, State
from bot.domain.notices import DUE, OVERRUN, REMINDER, iso_time
from bot.domain.updates import PROGRESS
from bot.domain.views import AnnouncementView

#: How long the scheduler catches up on a moment it missed (a start, an end, the weekly summary's time) while
#: it was down: a day. Past that, nudges, alerts and the summary would arrive too late to help anyone.
CATCH_UP = timedelta(hours=24)


def within_catch_up(moment: datetime, now: datetime) -> bool:
    """Whether a moment the scheduler may have missed is recent enough to act on now."""
    return now - CATCH_UP <= moment


def called_for(state: State, scheduled_start: datetime, scheduled_end: datetime, now: datetime) -> str | None:
    """The notice the clock calls for now: a nudge (`due`) for a Scheduled announcement at or past its
    start, an overrun alert for an In-progress one past its end, else None."""
    if state == State.SCHEDULED:
        return DUE if scheduled_start <= now else None
    if state == State.IN_PROGRESS and scheduled_end < now:
        return OVERRUN
    return None


def starts_itself(auto_start: bool, scheduled_end: datetime, now: datetime) -> bool:
    """Whether a Scheduled announcement the clock calls `due` is started by the scheduler instead of nudged:
    its provider has auto-start on and its window is still open (a start after the end would be a fiction)."""
    return auto_start and scheduled_end > now


def stale_reason(kind: str, payload: Mapping[str, Any], view: AnnouncementView | None, now: datetime) -> str | None:
    """Why a queued notice is no longer true (it is dropped, not sent), or None when it still is.

    `view` is the announcement as its audience sees it now, None once deleted.
    """
    if view is None:
        return None if kind == "deleted" else "the announcement was deleted"
    if kind == "published" and view.state is State.DRAFT:
        return "withdrawn before it was delivered"
    if kind == PROGRESS and view.state not in PUBLIC_STATES:
        return "withdrawn or cancelled before the update was delivered"
    if kind == REMINDER and not (
        view.state is State.SCHEDULED
        and payload.get("scheduled_start") == iso_time(view.scheduled_start)
        and view.scheduled_start > now
    ):
        return "the reminded start is no longer ahead"
    if kind == DUE and view.state is not State.SCHEDULED:
        return "no longer Scheduled"
    if kind == OVERRUN and not (
        view.state is State.IN_PROGRESS and payload.get("scheduled_end") == iso_time(view.scheduled_end)
    ):
        return "completed or given a new end"
    return None
