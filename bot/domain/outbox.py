"""The outbox: claiming due notices for delivery, recording how each went, and the admins' view of it.

The dispatcher (bot/slack/delivery.py) is the only caller of the delivery half. Claims are arbitrated
by the database, so any number of dispatcher processes may share one PostgreSQL:

- A claim takes due rows with `FOR UPDATE SKIP LOCKED` (PostgreSQL; SQLite serialises writers), gives
  them a fresh claim token and moves `next_attempt` to the end of a lease. A process that dies leaves
  its rows to be claimed again when the lease runs out; the token lets only the current claimer finish.
- Each channel's notices go out in the order they were queued: a notice is claimable only while no
  earlier notice of its channel is due, claimed or waiting to be retried. That keeps the thread of a
  card in order and gives one channel to one worker at a time (its pace is then that worker's pace).

Admins see failed notices and can send one again (`/maint admin outbox` in Slack).
"""

from __future__ import annotations

import threading
import uuid as uuid_module
from collections.abc import Collection, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import and_, exists, func, literal_column, select, text, true, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from bot.domain.actors import Actor
from bot.domain.context import NOTICES_QUEUED, Context
from bot.domain.errors import Invalid, NotAllowed, NotFound
from bot.domain.notices import DROPPED, FAILED, PENDING, SENT
from storage.models import Announcement, Notice, PostedCard

ADMINS_ONLY = "Only maintbot admins can see and retry the outbox."
ERROR_MAX = 500
ID_LIMIT = 2**31  # notice ids are 32-bit integers in the database


@dataclass(frozen=True)
class Claimed:
    """A notice claimed for one delivery attempt."""

    id: int
    key: str
    kind: str
    channel_id: str
    announcement_uuid: UUID | None
    payload: dict[str, Any]
    attempts: int  # including this one
    due: datetime
    token: str

    @property
    def retrying(self) -> bool:
        """An earlier attempt may have reached Slack: look before posting again."""
        return self.attempts > 1


@dataclass(frozen=True)
class NoticeView:
    id: int
    kind: str
    channel_id: str
    announcement_uuid: UUID | None
    name: str
    status: str
    attempts: int
    last_error: str
    due: datetime
    next_attempt: datetime
    sent: datetime | None


def notice_view(row: Notice) -> NoticeView:
    return NoticeView(
        row.id,
        row.kind,
        row.channel_id,
        row.announcement_uuid,
        str((row.payload or {}).get("name", "")),
        row.status,
        row.attempts,
        row.last_error,
        row.due,
        row.next_attempt,
        row.sent,
    )


class Outbox:
    def __init__(self, context: Context) -> None:
        self.context = context
        # SQLite has one writer at a time; the dispatcher's threads queue here instead of in SQLite's busy
        # handler, which sleeps in steps of milliseconds.
        self._writing = threading.Lock() if context.db.dialect == "sqlite" else nullcontext()

    @contextmanager
    def _write(self, *, durable: bool = True) -> Iterator[Session]:
        """A write transaction. Not `durable`: PostgreSQL may acknowledge the commit before it reaches the disk.

        Used for what happens after a message went out (sent, a card's ts, a retry time): if the server
        crashed and lost such a commit, the notice would be claimed again with its attempts raised by the
        durable claim, and that second attempt looks in Slack before posting. The claim itself stays durable.
        """
        with self._writing, self.context.db.write() as session:
            if not durable and self.context.db.dialect == "postgresql":
                session.execute(text("SET LOCAL synchronous_commit = off"))
            yield session

    # -- admins ------------------------------------------------------------------------------------

    def failed(self, actor: Actor, limit: int = 50) -> list[NoticeView]:
        """Notices that gave up, newest first, with the reason."""
        with self.context.db.read() as session:
            self._require_admin(session, actor)
            rows = session.scalars(
                select(Notice).where(Notice.status == FAILED).order_by(Notice.id.desc()).limit(limit)
            )
            return [notice_view(row) for row in rows]

    def counts(self, actor: Actor) -> dict[str, int]:
        """How many notices are pending, sent, failed and dropped."""
        with self.context.db.read() as session:
            self._require_admin(session, actor)
            rows = session.execute(select(Notice.status, func.count()).group_by(Notice.status))
            return {PENDING: 0, SENT: 0, FAILED: 0, DROPPED: 0} | {status: n for status, n in rows}

    def retry(self, actor: Actor, notice_id: int) -> NoticeView:
        """Send a failed notice again, now, as if new (its age counts from now)."""
        now = self.context.clock.now()
        with self.context.db.write() as session:
            self._require_admin(session, actor)
            row = session.get(Notice, notice_id, with_for_update=True) if 0 < notice_id < ID_LIMIT else None
            if row is None:
                raise NotFound(f"No notice {notice_id} in the outbox.")
            if row.status != FAILED:
                raise Invalid.one("notice", f"Notice {notice_id} is {row.status}: only failed notices can be retried.")
            row.status, row.attempts, row.due, row.next_attempt = PENDING, 0, now, now
            row.claim_token, row.last_error = None, ""
            session.info[NOTICES_QUEUED] = True
            session.flush()
            return notice_view(row)

    def _require_admin(self, session, actor: Actor) -> None:
        if not self.context.reach(session, actor).is_admin:
            raise NotAllowed(ADMINS_ONLY)

    # -- the dispatcher ----------------------------------------------------------------------------

    def claim(self, now: datetime, limit: int, lease: timedelta, skip: Collection[str] = ()) -> list[Claimed]:
        """Claim up to `limit` due notices, at most one per channel, oldest first; none for channels in `skip`."""
        if limit <= 0:
            return []
        # Two index ranges rather than one OR, so that a channel's many future reminders are never scanned.
        due_earlier, tried_earlier = aliased(Notice), aliased(Notice)
        earlier_due = exists().where(
            due_earlier.channel_id == Notice.channel_id,
            due_earlier.status == PENDING,
            due_earlier.next_attempt <= now,
            due_earlier.id < Notice.id,
        )
        earlier_tried = exists().where(  # constants, not parameters: they must match ix_notices_tried's predicate
            tried_earlier.channel_id == Notice.channel_id,
            tried_earlier.status == literal_column(f"'{PENDING}'"),
            tried_earlier.attempts > literal_column("0"),
            tried_earlier.id < Notice.id,
        )
        query = (
            select(Notice)
            .where(Notice.status == PENDING, Notice.next_attempt <= now, ~earlier_due, ~earlier_tried)
            .where(Notice.channel_id.not_in(list(skip)) if skip else true())
            .order_by(Notice.next_attempt, Notice.id)
            .limit(limit)
        )
        if self.context.db.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True, of=Notice)
        token = uuid_module.uuid4().hex
        with self._write() as session:
            rows = session.scalars(query).all()
            for row in rows:
                row.claim_token, row.attempts, row.next_attempt = token, row.attempts + 1, now + lease
            session.flush()
            return [
                Claimed(r.id, r.key, r.kind, r.channel_id, r.announcement_uuid, dict(r.payload or {}), r.attempts,
                        r.due, token)
                for r in rows
            ]

    def due_in(self, now: datetime, channels: Collection[str]) -> list[str]:
        """Which of `channels` have a notice due."""
        with self.context.db.read() as session:
            return list(
                session.scalars(
                    select(Notice.channel_id)
                    .where(Notice.channel_id.in_(list(channels)), Notice.status == PENDING, Notice.next_attempt <= now)
                    .distinct()
                )
            )

    def next_due(self) -> datetime | None:
        """When the earliest pending notice is due (or its lease ends)."""
        with self.context.db.read() as session:
            return session.scalar(select(func.min(Notice.next_attempt)).where(Notice.status == PENDING))

    def release_waiting(self, now: datetime) -> int:
        """Slack answers again: notices waiting out a backoff after failed attempts are due now, instead of up to
        the backoff's cap later. Returns how many; never-tried notices (reminders due later) are not touched."""
        with self._write() as session:
            released = session.execute(
                update(Notice)
                .where(
                    Notice.status == literal_column(f"'{PENDING}'"),
                    Notice.attempts > literal_column("0"),
                    Notice.claim_token.is_(None),
                    Notice.next_attempt > now,
                )
                .values(next_attempt=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            if released:
                session.info[NOTICES_QUEUED] = True
            return released

    def sent(self, notice: Claimed, ts: str | None, now: datetime, card: tuple[UUID, str] | None = None) -> bool:
        """Mark the notice sent; `card` (announcement uuid, channel): its message is that channel's card."""
        with self._write(durable=False) as session:
            done = self._finish_in(session, notice, status=SENT, ts=ts, sent=now, last_error="")
            if done and card is not None:
                session.execute(self._insert_card(card[0], card[1], ts, now))
            return done

    def retry_at(self, notice: Claimed, when: datetime, error: str) -> bool:
        return self._finish(notice, status=PENDING, next_attempt=when, last_error=error[:ERROR_MAX])

    def fail(self, notice: Claimed, reason: str) -> bool:
        return self._finish(notice, status=FAILED, last_error=reason[:ERROR_MAX])

    def drop(self, notice: Claimed, reason: str) -> bool:
        return self._finish(notice, status=DROPPED, last_error=reason[:ERROR_MAX])

    def _finish(self, notice: Claimed, **values: Any) -> bool:
        with self._write(durable=False) as session:
            return self._finish_in(session, notice, **values)

    @staticmethod
    def _finish_in(session, notice: Claimed, **values: Any) -> bool:
        """Record the outcome, if this claim still holds (False: the lease ran out and someone else has it)."""
        done = session.execute(
            update(Notice)
            .where(Notice.id == notice.id, Notice.claim_token == notice.token, Notice.status == PENDING)
            .values(claim_token=None, **values)
            .execution_options(synchronize_session=False)
        ).rowcount
        return bool(done)

    # -- where cards are -----------------------------------------------------------------------------

    def card(self, announcement_uuid: UUID, channel_id: str) -> str | None:
        """The ts of the announcement's card in the channel, if it has one."""
        with self.context.db.read() as session:
            return self._card_in(session, announcement_uuid, channel_id)

    def state_of(self, announcement_uuid: UUID, channel_id: str) -> tuple[int | None, str | None]:
        """In one query: the announcement's version (`sequence`; None once deleted) and its card's ts there."""
        version = select(Announcement.sequence).where(Announcement.uuid == announcement_uuid).scalar_subquery()
        card = (
            select(PostedCard.ts)
            .where(PostedCard.announcement_uuid == announcement_uuid, PostedCard.channel_id == channel_id)
            .scalar_subquery()
        )
        # One statement: no transaction around it (one round trip to PostgreSQL instead of three).
        with self.context.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            return tuple(connection.execute(select(version, card)).one())

    @staticmethod
    def _card_in(session, announcement_uuid: UUID, channel_id: str) -> str | None:
        return session.scalar(
            select(PostedCard.ts).where(
                PostedCard.announcement_uuid == announcement_uuid, PostedCard.channel_id == channel_id
            )
        )

    def record_card(self, announcement_uuid: UUID, channel_id: str, ts: str, now: datetime) -> str:
        """Remember a posted card; returns the ts on record (an earlier card wins a race)."""
        with self._write(durable=False) as session:
            session.execute(self._insert_card(announcement_uuid, channel_id, ts, now))
            return self._card_in(session, announcement_uuid, channel_id) or ts

    def _insert_card(self, announcement_uuid: UUID, channel_id: str, ts: str, now: datetime):
        """INSERT … ON CONFLICT DO NOTHING: a card already on record for the channel stays."""
        insert = postgresql_insert if self.context.db.dialect == "postgresql" else sqlite_insert
        values = {"announcement_uuid": announcement_uuid, "channel_id": channel_id, "ts": ts, "created": now}
        return insert(PostedCard).values(**values).on_conflict_do_nothing()

    def forget_card(self, announcement_uuid: UUID, channel_id: str, ts: str) -> None:
        """The card was deleted in Slack: the next notice posts a new one."""
        with self._write(durable=False) as session:
            session.execute(
                PostedCard.__table__.delete().where(
                    and_(
                        PostedCard.announcement_uuid == announcement_uuid,
                        PostedCard.channel_id == channel_id,
                        PostedCard.ts == ts,
                    )
                )
            )
