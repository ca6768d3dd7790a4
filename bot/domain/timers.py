"""What the clock makes due: starting (or nudging) announcements at their start, overrun alerts past their end.

`Timers.run(now)` is the scheduler tick's domain half. One read finds the announcements whose start or end
fell inside the last CATCH_UP (two index ranges on state and time) and which of them were handled already,
so a tick costs what is due, not what is stored; a tick with nothing new writes nothing. Then:
- a Scheduled one at its start is started when its provider has auto-start on (and its window is still
  open), through the same compare-and-set transition a person uses, by the scheduler's system actor;
- otherwise its provider's channel is nudged, once per start time (a `due` notice);
- an In-progress one past its end raises an `overrun` notice, once per end time, to its whole audience.

Safe from several processes at once: of racing transitions one wins; notices are queued while holding the
announcement rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL, a write lock on SQLite) after checking again that
no one queued them, and their unique keys settle anything left.

Real times are never faked: auto-start stamps `actual_start` with the moment the transition happens, and an
overrun is only ever reported, never completed on anyone's behalf.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from sqlalchemy import Connection, and_, or_, select
from sqlalchemy.orm import Session

from bot.domain import notices
from bot.domain.actors import Actor
from bot.domain.announcements import Announcements
from bot.domain.context import Context
from bot.domain.enums import Action, Interface, State
from bot.domain.errors import InvalidState, NotFound
from bot.domain.relevance import CATCH_UP, called_for, starts_itself
from storage.models import Announcement, Notice, Provider
from storage.transaction import locked_skipping

SCHEDULER = Actor.system(Interface.SCHEDULER)


@dataclass
class TimersReport:
    started: list[UUID] = field(default_factory=list)
    nudged: int = 0  # due notices queued
    overruns: int = 0  # overrun notices queued (one per channel)


class Timers:
    def __init__(self, context: Context, announcements: Announcements) -> None:
        self.context = context
        self.announcements = announcements

    def run(self, now: datetime, *, reads: Connection | None = None) -> TimersReport:
        """`reads`: a connection outside any transaction to read on (the tick's, shared with its other reads)."""
        report = TimersReport()
        # Two plain reads, outside any transaction: one round trip each on PostgreSQL.
        with nullcontext(reads) if reads is not None else self.context.db.single_statements() as connection:
            rows = connection.execute(self._candidates(now)).all()
            handled = self._handled(connection, {row.uuid: self._refers_to(row) for row in rows})
        to_start, to_tell = [], []
        for row in rows:
            if row.uuid in handled:
                continue
            if row.state == State.SCHEDULED and starts_itself(row.auto_start, row.scheduled_end, now):
                to_start.append(row.uuid)
            else:
                to_tell.append(row.id)
        for uuid in to_start:
            try:
                self.announcements.transition(SCHEDULER, uuid, Action.START, view=False)
            except (InvalidState, NotFound):
                continue  # someone (or another process) got there first
            report.started.append(uuid)
        if to_tell:
            report.nudged, report.overruns = self._tell(to_tell, now)
        return report

    @staticmethod
    def _candidates(now: datetime):
        window = now - CATCH_UP
        return (
            select(
                Announcement.id,
                Announcement.uuid,
                Announcement.state,
                Announcement.scheduled_start,
                Announcement.scheduled_end,
                Provider.auto_start,
            )
            .join(Provider, Provider.id == Announcement.provider_id)
            .where(
                or_(
                    and_(
                        Announcement.state == int(State.SCHEDULED),
                        Announcement.scheduled_start <= now,
                        Announcement.scheduled_start >= window,
                    ),
                    and_(
                        Announcement.state == int(State.IN_PROGRESS),
                        Announcement.scheduled_end < now,
                        Announcement.scheduled_end >= window,
                    ),
                )
            )
            .order_by(Announcement.scheduled_start, Announcement.id)
        )

    @staticmethod
    def _refers_to(row) -> tuple[str, str]:
        """(kind, the time it refers to) of the notice a candidate calls for."""
        if row.state == State.SCHEDULED:
            return notices.DUE, notices.iso_time(row.scheduled_start)
        return notices.OVERRUN, notices.iso_time(row.scheduled_end)

    @staticmethod
    def _handled(session: Session | Connection, wanted: dict[UUID, tuple[str, str]]) -> set[UUID]:
        """The announcements that have their due or overrun notice for that time already (one query)."""
        if not wanted:
            return set()
        keys = session.execute(
            select(Notice.announcement_uuid, Notice.key).where(
                Notice.announcement_uuid.in_(list(wanted)), Notice.kind.in_([notices.DUE, notices.OVERRUN])
            )
        )
        return {uuid for uuid, key in keys if ":{}:{}:".format(*wanted[uuid]) in key}

    def _tell(self, ids: list[int], now: datetime) -> tuple[int, int]:
        """Queue the nudges and overrun alerts of these announcements, holding their rows.

        Plain columns, not ORM objects; every audience in one query; every notice in one INSERT."""
        query = (
            select(
                Announcement.id,
                Announcement.uuid,
                Announcement.name,
                Announcement.state,
                Announcement.scheduled_start,
                Announcement.scheduled_end,
                Provider.channel_id,
            )
            .join(Provider, Provider.id == Announcement.provider_id)
            .where(Announcement.id.in_(ids))
            .order_by(Announcement.scheduled_start, Announcement.id)
        )
        nudged = overruns = 0
        # Not durable: losing this commit in a server crash loses nothing, the next tick finds the same work again.
        with self.context.unit_of_work(durable=False) as uow:
            session = uow.session
            # Re-checked under the lock: a row started or extended since the first read is not due any more.
            rows = [row for row in session.execute(locked_skipping(session, query, Announcement))
                    if called_for(State(row.state), row.scheduled_start, row.scheduled_end, now)]
            wanted = {row.uuid: self._refers_to(row) for row in rows}
            handled = self._handled(session, wanted)
            rows = [row for row in rows if row.uuid not in handled]
            audiences = notices.audiences(
                session, [row.id for row in rows if wanted[row.uuid][0] == notices.OVERRUN], with_cards=True
            )
            queued = []
            for row in rows:
                kind, moment = wanted[row.uuid]
                managers = row.channel_id  # nudged; on an alert, the one channel with the buttons
                if kind == notices.DUE:
                    queued += self._notices(row, kind, moment, [managers], {"scheduled_start": moment}, now)
                    nudged += 1
                    continue
                others = [channel for channel in audiences.get(row.id, []) if channel != managers]
                for group, buttons in (([managers], True), (others, False)):
                    made = self._notices(row, kind, moment, group, {"scheduled_end": moment, "buttons": buttons}, now)
                    queued += made
                    overruns += len(made)
            notices.insert_all(session, queued)
            uow.commit()
        return nudged, overruns

    @staticmethod
    def _notices(row, kind: str, moment: str, channels: list[str], details: dict, now: datetime) -> list[dict]:
        """The rows of one notice to these channels (checked under the lock: none of them is queued yet)."""
        payload = {"name": row.name, **details}
        return [
            notices.notice_row(notices.key_of(row.uuid.hex, kind, moment, channel), row.uuid, kind, channel,
                               payload, now, now)
            for channel in channels
        ]
