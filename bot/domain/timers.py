"""What the clock makes due: starting (or nudging) announcements at their start, overrun alerts past their end.

The scheduler's tick calls these with the current time; each looks only at announcements whose start or
end fell inside the last CATCH_UP (an index range on state and time), so a tick costs what is due, not
what is stored. Everything is safe to run from several processes at once: auto-start goes through the
compare-and-set transition (one wins), and nudges and alerts are notices with unique keys, queued while
holding the announcement rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL).

Real times are never faked: auto-start stamps `actual_start` with the moment the transition happens, and
an overrun is only ever reported, never completed on anyone's behalf.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import lazyload

from bot.domain import notices
from bot.domain.actors import Actor
from bot.domain.announcements import Announcements
from bot.domain.context import Context
from bot.domain.enums import Action, Interface, State
from bot.domain.errors import InvalidState, NotFound
from storage.models import Announcement, Notice, Provider

#: How far back a tick looks for starts and ends it has not handled (a scheduler down longer misses them).
CATCH_UP = timedelta(hours=24)
SCHEDULER = Actor.system(Interface.SCHEDULER)


class Timers:
    def __init__(self, context: Context, announcements: Announcements) -> None:
        self.context = context
        self.announcements = announcements

    def start_due(self, now: datetime) -> list[UUID]:
        """Start every Scheduled announcement whose start has come, where its provider has auto-start on.

        Only while its window is still open: one whose end has passed too gets the nudge instead.
        """
        with self.context.db.read() as session:
            due = session.scalars(
                select(Announcement.uuid)
                .join(Provider, Provider.id == Announcement.provider_id)
                .where(
                    Announcement.state == int(State.SCHEDULED),
                    Announcement.scheduled_start <= now,
                    Announcement.scheduled_start >= now - CATCH_UP,
                    Announcement.scheduled_end > now,
                    Provider.auto_start.is_(True),
                )
                .order_by(Announcement.scheduled_start)
            ).all()
        started = []
        for uuid in due:
            try:
                self.announcements.transition(SCHEDULER, uuid, Action.START)
            except (InvalidState, NotFound):
                continue  # someone (or another process) got there first
            started.append(uuid)
        return started

    def nudge_due(self, now: datetime) -> int:
        """Tell the provider's channel, once per start time, that a still-Scheduled announcement is due."""
        query = (
            select(Announcement)
            .join(Provider, Provider.id == Announcement.provider_id)
            .where(
                Announcement.state == int(State.SCHEDULED),
                Announcement.scheduled_start <= now,
                Announcement.scheduled_start >= now - CATCH_UP,
            )
            .order_by(Announcement.scheduled_start)
        )
        with self.context.db.write() as session:
            rows = [
                row
                for row in session.scalars(self._locking(query)).unique()
                if not (row.provider.auto_start and row.scheduled_end > now)  # start_due starts those
            ]
            starts = {row.uuid: notices.moment(row.scheduled_start) for row in rows}
            handled = self._handled(session, notices.DUE, starts)
            queued = 0
            for row in rows:
                if row.uuid in handled:
                    continue
                queued += notices.queue(
                    session,
                    row,
                    notices.DUE,
                    now,
                    refers_to=starts[row.uuid],
                    channels=[row.provider.channel_id],
                    details={"scheduled_start": starts[row.uuid]},
                )
            return queued

    def raise_overruns(self, now: datetime) -> int:
        """One alert per end time for In-progress announcements past their scheduled end.

        The provider's channel gets the Complete / Extend buttons; subscribed channels are told it runs over.
        """
        query = (
            select(Announcement)
            .where(
                Announcement.state == int(State.IN_PROGRESS),
                Announcement.scheduled_end < now,
                Announcement.scheduled_end >= now - CATCH_UP,
            )
            .order_by(Announcement.scheduled_end)
        )
        with self.context.db.write() as session:
            rows = list(session.scalars(self._locking(query)).unique())
            ends = {row.uuid: notices.moment(row.scheduled_end) for row in rows}
            handled = self._handled(session, notices.OVERRUN, ends)
            queued = 0
            for row in rows:
                if row.uuid in handled:
                    continue
                for channel in notices.audience(session, row, with_cards=True):
                    queued += notices.queue(
                        session,
                        row,
                        notices.OVERRUN,
                        now,
                        refers_to=ends[row.uuid],
                        channels=[channel],
                        details={"scheduled_end": ends[row.uuid], "buttons": channel == row.provider.channel_id},
                    )
            return queued

    @staticmethod
    def _handled(session, kind: str, refers_to: dict[UUID, str]) -> set[UUID]:
        """The announcements that already have a `kind` notice for the time given (one query for all)."""
        if not refers_to:
            return set()
        keys = session.execute(
            select(Notice.announcement_uuid, Notice.key).where(
                Notice.announcement_uuid.in_(list(refers_to)), Notice.kind == kind
            )
        )
        return {uuid for uuid, key in keys if f":{kind}:{refers_to[uuid]}:" in key}

    def _locking(self, query):
        """Hold the rows (other schedulers skip them); their affected offerings are not needed here."""
        query = query.options(lazyload(Announcement.affected))
        if self.context.db.dialect == "postgresql":
            return query.with_for_update(skip_locked=True, of=Announcement)
        return query
