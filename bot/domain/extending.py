"""How far an extension may move an end, by a length or to a moment: the rules of `Announcements.extend_to`.

The overrun alert's buttons offer fixed lengths (`lifecycle.EXTENSIONS`); a typed extension may be any length
from a minute to LONGEST, or a moment after both the current end and now. Like the buttons, a length counts
from the current end, or from now when that end has passed. Further than LONGEST is a reschedule: an edit.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.enums import State
from bot.domain.errors import Invalid
from bot.domain.validation import extended_end

#: The states an extension applies to: announced and not over yet.
EXTENDABLE = (State.SCHEDULED, State.IN_PROGRESS)
#: The most one extension may add past the current end (or now, when that has passed).
LONGEST = timedelta(days=7)
SHORTEST = timedelta(minutes=1)

TOO_SHORT = "Extend by at least 1 minute."
TOO_LONG = "Extend by at most 7 days at a time; to move it further, edit its times."


def _utc(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def end_after(end: datetime, now: datetime, by: timedelta) -> datetime:
    """The end an extension by `by` gives: `by` after the end, or after now when the end has passed."""
    if by < SHORTEST:
        raise Invalid.one("scheduled_end", TOO_SHORT)
    if by > LONGEST:
        raise Invalid.one("scheduled_end", TOO_LONG)
    return extended_end(end, now, by)


def end_until(end: datetime, now: datetime, until: datetime) -> datetime:
    """`until`, when it is a later end: after the current end and after now, and at most LONGEST past both."""
    if until <= end:
        raise Invalid.one("scheduled_end", f"{_utc(until)} is not after its current end, {_utc(end)}.")
    if until <= now:
        raise Invalid.one("scheduled_end", f"{_utc(until)} has already passed.")
    if until - max(end, now) > LONGEST:
        raise Invalid.one("scheduled_end", TOO_LONG)
    return end_after(end, now, until - max(end, now))
