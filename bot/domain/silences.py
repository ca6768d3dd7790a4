"""Alertmanager silences that follow maintenance: what should be silenced, and the record of what was.

The rule, stated once here: while an announcement is In progress (or, for a provider that asks for it,
Scheduled and past its scheduled start) each affected offering with Alertmanager matchers (its own, else its
provider's) and an impact at or above the policy's threshold is silenced on every configured Alertmanager,
from now until the scheduled end plus the grace. Anything else maintbot silenced for it is expired.

How it gets there: every change that may alter the answer queues *silence work* in the outbox, in the same
transaction as the change (`after_change`, kind `silence`). The work names only the announcement: whoever
does it (bot/jobs/silencer.py) asks `Silences.wanted` what should be true now and makes Alertmanager match,
so work done late or twice still does the right thing. Each announcement's work has a lane of its own (the
outbox's channel), which the outbox serves one item at a time across every process: no two workers ever
reconcile one announcement at once. A silence is *reserved* (a row without Alertmanager's id) before it is
created and its id stored right after; a crash in between leaves a reservation that the next attempt fills by
finding the silence in Alertmanager by the marker in its comment (`marker`) instead of creating a second.

The tick (`Silences.sweep`) queues work for any announcement that still has an active silence and should not,
so a silence never outlives its announcement for longer than a tick after a crash.

What people see: after work changed something, a notice for the provider's channel (the card's thread) says
what was silenced and until when (`silenced`) or that the silences were lifted (`unsilenced`); if the work
keeps failing, `silence_trouble` tells the managers there; a silence Alertmanager refuses, `silence_refused`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.domain.context import NOTICES_QUEUED, Context
from bot.domain.enums import State
from bot.domain.matchers import parse
from bot.domain.notices import PENDING, iso_time, key_of, queue
from bot.domain.silence_policy import SilencePolicy
from storage.models import AffectedOffering, AlertSilence, Announcement, Notice, Offering, Provider

WORK = "silence"
SILENCED, UNSILENCED, TROUBLE = "silenced", "unsilenced", "silence_trouble"
#: Alertmanager refused an offering's silence (its matchers): told once per offering and matchers, not retried.
REFUSED = "silence_refused"
ACTIVE, EXPIRED = "active", "expired"
CREATED_BY = "maintbot"
#: Failed attempts before the managers are told (once per piece of work).
TELL_AFTER = 3


@dataclass(frozen=True)
class Wanted:
    """One silence that should exist now."""

    offering_uuid: UUID
    offering_name: str
    alertmanager: str
    matchers: str
    ends_at: datetime
    comment: str

    @property
    def api_matchers(self) -> list[dict]:
        return [m.api() for m in parse(self.matchers)]


@dataclass(frozen=True)
class Held:
    """One silence maintbot holds (active), as recorded."""

    id: int
    offering_uuid: UUID
    offering_name: str
    alertmanager: str
    silence_id: str | None
    matchers: str
    ends_at: datetime


@dataclass(frozen=True)
class Plan:
    announcement_uuid: UUID
    name: str
    wanted: tuple[Wanted, ...]
    held: tuple[Held, ...]


def lane(announcement_uuid: UUID) -> str:
    """The outbox channel of an announcement's silence work (32 characters, never a Slack channel id)."""
    return f"silence:{announcement_uuid.hex[:24]}"


def marker(announcement_uuid: UUID, offering_uuid: UUID | None = None) -> str:
    """What a silence's comment carries so that it can be found again: the announcement and the offering."""
    mark = f"[maintbot {announcement_uuid.hex}"
    return mark + (f" {offering_uuid.hex}]" if offering_uuid is not None else "")


def silences_now(state: State, silence_at_start: bool, scheduled_start: datetime, now: datetime) -> bool:
    """Whether an announcement in `state` silences its offerings now."""
    if state is State.IN_PROGRESS:
        return True
    return state is State.SCHEDULED and silence_at_start and scheduled_start <= now


def effective_matchers(offering: str, provider: str) -> str:
    """An offering's own matchers, else its provider's."""
    return offering or provider


def queue_work(session: Session, announcement_uuid: UUID, reason: str, now: datetime, name: str = "") -> bool:
    """Queue silence work for the announcement (once per `reason`); False when queued already. `name` is what
    admins see of it in `/maint admin outbox`."""
    channel = lane(announcement_uuid)
    key = key_of(announcement_uuid.hex, WORK, reason, channel)
    if session.scalar(select(Notice.id).where(Notice.key == key)) is not None:
        return False
    session.add(
        Notice(key=key, announcement_uuid=announcement_uuid, kind=WORK, channel_id=channel, payload={"name": name},
               status=PENDING, attempts=0, due=now, next_attempt=now, last_error="", created=now)
    )
    session.info[NOTICES_QUEUED] = True
    return True


def holds_any(session: Session, announcement_uuid: UUID) -> bool:
    return session.scalar(
        select(AlertSilence.id).where(AlertSilence.announcement_uuid == announcement_uuid,
                                      AlertSilence.status == ACTIVE).limit(1)
    ) is not None


def after_change(session: Session, row: Announcement, now: datetime, policy: SilencePolicy | None, reason: str) -> None:
    """Called by every change of an announcement (in its transaction): queue silence work if silences are on
    and the announcement silences now or holds silences (which may have to move or be expired)."""
    if policy is None:
        return
    wants = silences_now(State(row.state), bool(row.provider.silence_at_start), row.scheduled_start, now)
    if wants or holds_any(session, row.uuid):
        queue_work(session, row.uuid, f"{reason}@{row.sequence}", now, row.name)


class Silences:
    """What the silence worker asks and records; each call is one short transaction."""

    def __init__(self, context: Context) -> None:
        self.context = context

    @property
    def policy(self) -> SilencePolicy | None:
        return self.context.silences

    def wanted(self, announcement_uuid: UUID, now: datetime) -> Plan:
        """The silences that should exist now for the announcement, and those recorded as held."""
        policy = self.policy
        with self.context.reading() as uow:
            session = uow.session
            row = session.scalar(select(Announcement).where(Announcement.uuid == announcement_uuid))
            wanted: list[Wanted] = []
            name = row.name if row is not None else ""
            if row is not None and policy is not None and silences_now(
                State(row.state), bool(row.provider.silence_at_start), row.scheduled_start, now
            ):
                ends_at = row.scheduled_end + policy.grace
                links = session.execute(
                    select(Offering.uuid, Offering.name, Offering.silence_matchers, Provider.silence_matchers)
                    .join(AffectedOffering, AffectedOffering.offering_id == Offering.id)
                    .join(Provider, Provider.id == Offering.provider_id)
                    .where(AffectedOffering.announcement_id == row.id,
                           AffectedOffering.impact_level >= int(policy.threshold))
                    .order_by(AffectedOffering.id)
                )
                for offering_uuid, offering_name, own, inherited in links:
                    matchers = effective_matchers(own or "", inherited or "")
                    if not matchers or ends_at <= now:
                        continue
                    comment = self._comment(row, offering_uuid, policy)
                    wanted += [Wanted(offering_uuid, offering_name, am, matchers, ends_at, comment)
                               for am in policy.alertmanagers]
            held = [
                Held(h.id, h.offering_uuid, h.offering_name, h.alertmanager, h.silence_id, h.matchers, h.ends_at)
                for h in session.scalars(
                    select(AlertSilence).where(AlertSilence.announcement_uuid == announcement_uuid,
                                               AlertSilence.status == ACTIVE).order_by(AlertSilence.id)
                )
            ]
            return Plan(announcement_uuid, name, tuple(wanted), tuple(held))

    @staticmethod
    def _comment(row: Announcement, offering_uuid: UUID, policy: SilencePolicy) -> str:
        link = f" {policy.link_base}/api/public-maintenance-announcements/{row.uuid.hex}/" if policy.link_base else ""
        return f"Maintenance “{row.name}” ({row.uuid.hex[:8]}){link} {marker(row.uuid, offering_uuid)}"

    def reserve(self, announcement_uuid: UUID, wanted: Wanted, now: datetime) -> int:
        """Record, before Alertmanager is asked, that this silence is being made (durably): a crash after
        Alertmanager made it leaves this row for the next attempt to adopt the silence into."""
        with self.context.unit_of_work() as uow:
            session = uow.session
            row = session.scalar(
                select(AlertSilence).where(AlertSilence.announcement_uuid == announcement_uuid,
                                           AlertSilence.offering_uuid == wanted.offering_uuid,
                                           AlertSilence.alertmanager == wanted.alertmanager)
            )
            if row is None:
                row = AlertSilence(announcement_uuid=announcement_uuid, offering_uuid=wanted.offering_uuid,
                                   alertmanager=wanted.alertmanager, created=now)
                session.add(row)
            row.offering_name, row.matchers, row.silence_id = wanted.offering_name, wanted.matchers, None
            row.starts_at, row.ends_at, row.status, row.modified = now, wanted.ends_at, ACTIVE, now
            session.flush()
            reserved = row.id
            uow.commit()
            return reserved

    def store(self, held_id: int, silence_id: str, wanted: Wanted, now: datetime) -> None:
        """Alertmanager made or moved the silence: keep its id, matchers and end."""
        with self.context.unit_of_work() as uow:
            uow.session.execute(
                update(AlertSilence).where(AlertSilence.id == held_id)
                .values(silence_id=silence_id, matchers=wanted.matchers, ends_at=wanted.ends_at,
                        offering_name=wanted.offering_name, status=ACTIVE, modified=now)
                .execution_options(synchronize_session=False)
            )
            uow.commit()

    def expired(self, held_id: int, now: datetime) -> None:
        """Alertmanager expired the silence (or no longer has it)."""
        with self.context.unit_of_work() as uow:
            uow.session.execute(
                update(AlertSilence).where(AlertSilence.id == held_id)
                .values(status=EXPIRED, modified=now).execution_options(synchronize_session=False)
            )
            uow.commit()

    def tell(self, announcement_uuid: UUID, kind: str, refers_to: str, details: dict, now: datetime) -> int:
        """Queue a note for the card's thread in the provider's channel (silenced, unsilenced, trouble)."""
        with self.context.unit_of_work() as uow:
            session = uow.session
            row = session.scalar(select(Announcement).where(Announcement.uuid == announcement_uuid))
            if row is None:
                return 0
            queued = queue(session, row, kind, now, refers_to=refers_to, channels=[row.provider.channel_id],
                           details=details)
            uow.commit()
            return queued

    def held(self, announcement_uuid: UUID) -> list[Held]:
        """The silences held for an announcement (managers see their ids)."""
        return list(self.wanted(announcement_uuid, self.context.clock.now()).held)

    def summary(self, announcement_uuid: UUID) -> tuple[list[str], datetime] | None:
        """What its card says while silences are held: the offerings silenced and until when (None: nothing).
        One indexed read; only asked when silences are on."""
        if self.policy is None:
            return None
        with self.context.reading() as uow:
            rows = uow.session.execute(
                select(AlertSilence.offering_name, AlertSilence.ends_at)
                .where(AlertSilence.announcement_uuid == announcement_uuid, AlertSilence.status == ACTIVE,
                       AlertSilence.silence_id.is_not(None))
                .order_by(AlertSilence.id)
            ).all()
        if not rows:
            return None
        return list(dict.fromkeys(name for name, _ in rows)), max(end for _, end in rows)

    def sweep(self, now: datetime) -> int:
        """Queue work for every announcement holding an active silence it should not hold (ended, deleted,
        or past its end): whatever a crash left behind is expired. Returns how many were queued."""
        if self.policy is None:
            return 0
        queued = 0
        with self.context.unit_of_work() as uow:
            session = uow.session
            holders = session.execute(
                select(AlertSilence.announcement_uuid, Announcement.state, Announcement.scheduled_start,
                       Announcement.scheduled_end, Provider.silence_at_start)
                .select_from(AlertSilence)
                .outerjoin(Announcement, Announcement.uuid == AlertSilence.announcement_uuid)
                .outerjoin(Provider, Provider.id == Announcement.provider_id)
                .where(AlertSilence.status == ACTIVE)
                .distinct()
            ).all()
            for uuid, state, start, end, at_start in holders:
                live = state is not None and silences_now(State(state), bool(at_start), start, now)
                if live and end + self.policy.grace > now:
                    continue
                pending = session.scalar(
                    select(Notice.id).where(Notice.announcement_uuid == uuid, Notice.kind == WORK,
                                            Notice.status == PENDING).limit(1)
                )
                if pending is None:
                    queued += queue_work(session, uuid, f"sweep@{iso_time(now)}", now)
            uow.commit()
        return queued

    def start_due(self, now: datetime) -> int:
        """Queue work for Scheduled announcements of providers that silence from the scheduled start, once their
        start has come (they silence before anyone presses Start)."""
        if self.policy is None:
            return 0
        queued = 0
        with self.context.unit_of_work() as uow:
            session = uow.session
            due = session.execute(
                select(Announcement.uuid, Announcement.sequence, Announcement.name).join(Provider)
                .where(Announcement.state == int(State.SCHEDULED), Provider.silence_at_start.is_(True),
                       Announcement.scheduled_start <= now, Announcement.scheduled_end > now)
            ).all()
            for uuid, sequence, name in due:
                queued += queue_work(session, uuid, f"at-start@{sequence}", now, name)
            uow.commit()
        return queued
