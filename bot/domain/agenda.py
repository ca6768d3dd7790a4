"""When the clock next calls for something: the moment a clock moved by hand (the console's `/clock`) must stop
at, so that every reminder, nudge and overrun alert happens at its own time and in its order.

Three kinds of moment, each the first one at which the rule that acts on it turns true:
- a pending notice's `next_attempt` (reminders wait in the outbox until then; `outbox.claim` takes it at that
  moment),
- a Scheduled announcement's start (`relevance.called_for`: due at `scheduled_start <= now`),
- the first moment past an In-progress announcement's end (`called_for`: overrun at `scheduled_end < now`).
The weekly summary's moments are the scheduler's (bot/jobs/tick.py `SummarySchedule`), not the database's.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot.domain.context import Context
from bot.domain.enums import State
from bot.domain.notices import PENDING
from storage.models import Announcement, Notice

#: How far past an end the overrun becomes true, for a clock that stops at moments (cron has whole seconds).
PAST = timedelta(seconds=1)


def next_moment(context: Context, after: datetime) -> datetime | None:
    """The earliest moment strictly after `after` at which a notice comes due, a start arrives or an end has
    passed; None when nothing is ahead. Three indexed minimums, one read."""
    with context.reading() as uow:
        session = uow.session
        notice = session.scalar(
            select(func.min(Notice.next_attempt)).where(Notice.status == PENDING, Notice.next_attempt > after))
        start = session.scalar(select(func.min(Announcement.scheduled_start)).where(
            Announcement.state == int(State.SCHEDULED), Announcement.scheduled_start > after))
        end = session.scalar(select(func.min(Announcement.scheduled_end)).where(
            Announcement.state == int(State.IN_PROGRESS), Announcement.scheduled_end > after - PAST))
    moments = (notice, start, end + PAST if end is not None else None)
    return min((moment for moment in moments if moment is not None), default=None)
