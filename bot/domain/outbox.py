"""The outbox: claiming due notices for delivery, recording how each went, and the admins' view of it.

The dispatcher (bot/slack/delivery.py) is the only caller of the delivery half. This module states the
rules; how processes share the queue (leases under row locks, outcomes settled by the claim token) is
storage's (storage/queue.py), and so is the card registry (storage/cards.py):

- Due: a pending notice whose next attempt has come. Each channel's notices go out in the order they
  were queued: a notice is claimable only while no earlier notice of its channel is due, claimed or
  waiting to be retried. That keeps the thread of a card in order and gives one channel to one worker
  at a time (its pace is then that worker's pace).
- Each attempt is leased for `lease`; an outcome counts only while the claim still holds. A notice is
  then sent, retried at a time the dispatcher chooses, failed (given up) or dropped (no longer true); one
  claimed but never attempted (its dispatcher stopping) is released, due at once for any dispatcher.
- A duplicate never exists: every notice has a unique key (bot/domain/notices.py), and a channel has at
  most one card per announcement, the first one recorded.

Admins see failed notices and can send one again (`/maint admin outbox` in Slack).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import exists, func, literal_column, select, true, update
from sqlalchemy.orm import aliased

from bot.domain.actors import Actor
from bot.domain.context import NOTICES_QUEUED, Context
from bot.domain.errors import Invalid, NotFound
from bot.domain.notices import DROPPED, FAILED, PENDING, SENT
from bot.domain.silences import WORK as SILENCE_WORK
from bot.domain.unit_of_work import UnitOfWork
from storage import cards, queue
from storage.models import Notice
from storage.transaction import locked

ADMINS_ONLY = "Only maintbot admins can see and retry the outbox."
ERROR_MAX = 500
ID_LIMIT = 2**31  # notice ids are 32-bit integers in the database
#: Outbox rows that are work for another worker, not messages for Slack: the silence worker's
#: (bot/domain/silences.py). The Slack dispatcher never claims them, and they never delay its sleep.
WORK_KINDS = (SILENCE_WORK,)


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

    def _write(self, *, durable: bool = True) -> UnitOfWork:
        """The dispatcher's unit of work: its threads take turns on the database's writer lock (storage), and
        one that is not `durable` may be acknowledged before it reaches the disk.

        Not durable is for what happens after a message went out (sent, a card's ts, a retry time): if the
        server crashed and lost such a commit, the notice would be claimed again with its attempts raised by
        the durable claim, and that second attempt looks in Slack before posting. The claim itself stays durable.
        """
        return self.context.unit_of_work(durable=durable, serialised=True)

    # -- admins ------------------------------------------------------------------------------------

    def failed(self, actor: Actor, limit: int = 50) -> list[NoticeView]:
        """Notices that gave up, newest first, with the reason."""
        with self.context.reading() as uow:
            uow.require_admin(actor, ADMINS_ONLY)
            rows = uow.session.scalars(
                select(Notice).where(Notice.status == FAILED).order_by(Notice.id.desc()).limit(limit)
            )
            return [notice_view(row) for row in rows]

    def counts(self, actor: Actor) -> dict[str, int]:
        """How many notices are pending, sent, failed and dropped."""
        with self.context.reading() as uow:
            uow.require_admin(actor, ADMINS_ONLY)
            rows = uow.session.execute(select(Notice.status, func.count()).group_by(Notice.status))
            return {PENDING: 0, SENT: 0, FAILED: 0, DROPPED: 0} | {status: n for status, n in rows}

    def retry(self, actor: Actor, notice_id: int) -> NoticeView:
        """Send a failed notice again, now, as if new (its age counts from now)."""
        with self.context.unit_of_work() as uow:
            session, now = uow.session, uow.now
            uow.require_admin(actor, ADMINS_ONLY)
            row = None
            if 0 < notice_id < ID_LIMIT:
                row = session.scalar(locked(select(Notice).where(Notice.id == notice_id)))
            if row is None:
                raise NotFound(f"No notice {notice_id} in the outbox.")
            if row.status != FAILED:
                raise Invalid.one("notice", f"Notice {notice_id} is {row.status}: only failed notices can be retried.")
            row.status, row.attempts, row.due, row.next_attempt = PENDING, 0, now, now
            row.claim_token, row.last_error = None, ""
            session.info[NOTICES_QUEUED] = True
            session.flush()
            view = notice_view(row)
            uow.commit()
            return view

    # -- the dispatcher ----------------------------------------------------------------------------

    def claim(
        self, now: datetime, limit: int, lease: timedelta, skip: Collection[str] = (), *, work: bool = False
    ) -> list[Claimed]:
        """Claim up to `limit` due notices, at most one per channel, oldest first; none for channels in `skip`.
        `work`: claim the silence worker's rows (WORK_KINDS) instead of Slack's notices."""
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
        due = (
            select(Notice)
            .where(Notice.status == PENDING, Notice.next_attempt <= now, ~earlier_due, ~earlier_tried)
            .where(Notice.channel_id.not_in(list(skip)) if skip else true())
            .where(Notice.kind.in_(WORK_KINDS) if work else Notice.kind.not_in(WORK_KINDS))
            .order_by(Notice.next_attempt, Notice.id)
            .limit(limit)
        )
        with self._write() as uow:
            token, rows = queue.claim(uow.session, due, now, lease)
            claimed = [
                Claimed(r.id, r.key, r.kind, r.channel_id, r.announcement_uuid, dict(r.payload or {}), r.attempts,
                        r.due, token)
                for r in rows
            ]
            uow.commit()
            return claimed

    def due_in(self, now: datetime, channels: Collection[str]) -> list[str]:
        """Which of `channels` have a notice due."""
        with self.context.reading() as uow:
            return list(
                uow.session.scalars(
                    select(Notice.channel_id)
                    .where(Notice.channel_id.in_(list(channels)), Notice.status == PENDING, Notice.next_attempt <= now)
                    .distinct()
                )
            )

    def next_due(self, *, work: bool = False) -> datetime | None:
        """When the earliest pending notice is due (or its lease ends); `work`: of the silence worker's rows."""
        kinds = Notice.kind.in_(WORK_KINDS) if work else Notice.kind.not_in(WORK_KINDS)
        with self.context.reading() as uow:
            return uow.session.scalar(select(func.min(Notice.next_attempt)).where(Notice.status == PENDING, kinds))

    def backlog(self, now: datetime) -> tuple[int, datetime | None]:
        """How many notices are due and not yet delivered (waiting, in flight or waiting for a retry), and when
        the oldest of them first became due: one aggregate over the pending rows (`status` is indexed)."""
        with self.context.reading() as uow:
            count, oldest = uow.session.execute(
                select(func.count(), func.min(Notice.due)).where(Notice.status == PENDING, Notice.due <= now)
            ).one()
            return count, oldest

    def release_waiting(self, now: datetime) -> int:
        """Slack answers again: notices waiting out a backoff after failed attempts are due now, instead of up to
        the backoff's cap later. Returns how many; never-tried notices (reminders due later) are not touched."""
        with self._write() as uow:
            released = uow.session.execute(
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
                uow.session.info[NOTICES_QUEUED] = True
            uow.commit()
            return released

    def sent(self, notice: Claimed, ts: str | None, now: datetime, card: tuple[UUID, str] | None = None) -> bool:
        """Mark the notice sent; `card` (announcement uuid, channel): its message is that channel's card."""
        with self._write(durable=False) as uow:
            outcome = {"status": SENT, "ts": ts, "sent": now, "last_error": ""}
            done = queue.settle(uow.session, notice.id, notice.token, PENDING, outcome)
            if done and card is not None:
                cards.keep_first(uow.session, card[0], card[1], ts, now)
            uow.commit()
            return done

    def retry_at(self, notice: Claimed, when: datetime, error: str) -> bool:
        return self._settle(notice, status=PENDING, next_attempt=when, last_error=error[:ERROR_MAX])

    def fail(self, notice: Claimed, reason: str) -> bool:
        return self._settle(notice, status=FAILED, last_error=reason[:ERROR_MAX])

    def drop(self, notice: Claimed, reason: str) -> bool:
        return self._settle(notice, status=DROPPED, last_error=reason[:ERROR_MAX])

    def release(self, claimed: Collection[Claimed], now: datetime) -> int:
        """Give back notices claimed but never attempted (a dispatcher stopping): due now for any dispatcher, as
        if never claimed, so none waits for its lease to end. Returns how many were still this claim's."""
        released = 0
        with self._write(durable=False) as uow:
            for notice in claimed:
                values = {"next_attempt": now, "attempts": max(notice.attempts - 1, 0)}
                released += queue.settle(uow.session, notice.id, notice.token, PENDING, values)
            if released:
                uow.session.info[NOTICES_QUEUED] = True
            uow.commit()
        return released

    def _settle(self, notice: Claimed, **values: Any) -> bool:
        """Record the outcome, if this claim still holds (False: the lease ran out and someone else has it)."""
        with self._write(durable=False) as uow:
            done = queue.settle(uow.session, notice.id, notice.token, PENDING, values)
            uow.commit()
            return done

    # -- where cards are -----------------------------------------------------------------------------

    def card(self, announcement_uuid: UUID, channel_id: str) -> str | None:
        """The ts of the announcement's card in the channel, if it has one."""
        with self.context.reading() as uow:
            return cards.card(uow.session, announcement_uuid, channel_id)

    def state_of(self, announcement_uuid: UUID, channel_id: str) -> tuple[int | None, str | None]:
        """In one query: the announcement's version (`sequence`; None once deleted) and its card's ts there."""
        with self.context.db.single_statements() as connection:
            return cards.version_and_card(connection, announcement_uuid, channel_id)

    def record_card(self, announcement_uuid: UUID, channel_id: str, ts: str, now: datetime) -> str:
        """Remember a posted card; returns the ts on record (an earlier card wins a race)."""
        with self._write(durable=False) as uow:
            cards.keep_first(uow.session, announcement_uuid, channel_id, ts, now)
            on_record = cards.card(uow.session, announcement_uuid, channel_id) or ts
            uow.commit()
            return on_record

    def forget_card(self, announcement_uuid: UUID, channel_id: str, ts: str) -> None:
        """The card was deleted in Slack: the next notice posts a new one."""
        with self._write(durable=False) as uow:
            cards.forget(uow.session, announcement_uuid, channel_id, ts)
            uow.commit()
