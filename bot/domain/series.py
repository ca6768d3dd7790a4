"""Recurring maintenance series: a template-like preset plus a recurrence rule in a real time zone.

Each occurrence is a normal announcement (every rule, notice and field of today applies), linked to its series
and keyed by (series, the rule's local date) — unique in storage, so that however many processes materialise
at once, each occurrence is created once. The rule and its DST handling are bot/domain/recurrence.py.

- `materialise(now)` (the scheduler tick) creates the occurrences that start within `horizon_days`, as drafts;
  with `publish_days_before` = L, each is published (the normal Draft → Scheduled transition, so the normal
  notices go out) L days before its start, by `publish_due(now)`. Both read only what is due (index ranges on
  `series.next_due` and `announcements.series_publish_at`): a tick with nothing to do reads no series. Due series
  are materialised SERIES_PER_TRANSACTION at a time, each group in one transaction of three bulk INSERTs.
- `update` rewrites future Draft/Scheduled occurrences that are untouched by hand (their content still matches
  what the series last wrote, `series_fingerprint`); occurrences edited by hand, started or past stay as they
  are. Days the new rule no longer has: drafts are withdrawn (deleted), published ones are reported.
- `skip`/`move` change one occurrence, named by its rule date; `end` stops the rule now (UNTIL) and `delete`
  removes the series. Unpublished future occurrences are withdrawn at once; published ones are only
  cancelled with `cancel_published=True` — otherwise they are returned in `SeriesChange.published_left`, so
  the interface can ask first (`published_ahead` lists them beforehand).

Series are their provider's managers' alone (like templates); admins manage every one.
"""

from __future__ import annotations

import hashlib
import json
import logging
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain import lookup, notices, recurrence
from bot.domain.actors import Actor, Reach
from bot.domain.announcements import (
    NO_PERMISSION_FOR_PROVIDER,
    AffectedInput,
    Announcements,
    keep_fixed,
    offering_view,
)
from bot.domain.context import Context
from bot.domain.enums import Action, Impact, Interface, MaintenanceType, State
from bot.domain.errors import Invalid, InvalidState, NotFound
from bot.domain.listing import page_bounds
from bot.domain.recurrence import Occurrence, Rule, RuleError
from bot.domain.unit_of_work import UnitOfWork
from bot.domain.validation import EARLIEST, LATEST, OUT_OF_RANGE, check_fields
from bot.domain.views import (
    AnnouncementView,
    OccurrenceView,
    Page,
    SeriesChange,
    SeriesExceptionView,
    SeriesOfferingView,
    SeriesView,
)
from storage.models import AffectedOffering, Announcement, Event, Provider, Series, SeriesOffering
from storage.transaction import locked, locked_skipping

log = logging.getLogger(__name__)

SCHEDULER = Actor.system(Interface.SCHEDULER)
PRESET_FIELDS = ("name", "message", "internal_notes", "maintenance_type", "external_reference_url")
SCHEDULE_FIELDS = ("rrule", "timezone", "first_day", "start_time", "duration_minutes", "horizon_days",
                   "publish_days_before")
REQUIRED = ("name", "provider", "rrule", "timezone", "start_time", "duration_minutes")
DEFAULT_HORIZON_DAYS = 30
MAX_HORIZON_DAYS = 366
MAX_DURATION_MINUTES = 7 * 24 * 60
#: The longest range `occurrences` computes at once (the HTTP API refuses longer ones).
MAX_RANGE = timedelta(days=731)
#: How many series one materialising pass takes on (the rest: the next tick).
BATCH = 200
#: How many of them one transaction creates the occurrences of (a year of a daily series is ~365 rows).
SERIES_PER_TRANSACTION = 25
NOT_AN_OCCURRENCE = "{day} is not an occurrence of this series."


def parse_start_time(value: object) -> time:
    """'HH:MM' (or a time) → time; RuleError otherwise."""
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    if isinstance(value, str):
        try:
            parsed = time.fromisoformat(value.strip())
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is None:
            return parsed.replace(second=0, microsecond=0)
    raise RuleError("Give the local start time as HH:MM, like 02:00.")


def series_view(row: Series) -> SeriesView:
    rule = Rule.parse(row.rrule)
    return SeriesView(
        uuid=row.uuid,
        name=row.name,
        message=row.message,
        internal_notes=row.internal_notes,
        maintenance_type=MaintenanceType(row.maintenance_type),
        external_reference_url=row.external_reference_url,
        provider_uuid=row.provider.uuid,
        provider_name=row.provider.name,
        offerings=tuple(
            SeriesOfferingView(offering_view(o.offering), Impact(o.impact_level), o.impact_description)
            for o in row.offerings
        ),
        rrule=row.rrule,
        timezone=row.timezone,
        first_day=row.first_day,
        start_time=parse_start_time(row.start_time),
        duration_minutes=row.duration_minutes,
        horizon_days=row.horizon_days,
        publish_days_before=row.publish_days_before,
        exceptions=tuple(
            SeriesExceptionView(date.fromisoformat(day), _moved(value))
            for day, value in sorted((row.exceptions or {}).items())
        ),
        ended=row.ended,
        created_by=row.created_by,
        created=row.created,
        modified=row.modified,
        description=recurrence.describe(rule),
    )


def _moved(value: dict) -> datetime | None:
    return datetime.fromisoformat(value["start"]) if value.get("start") else None


@dataclass(frozen=True)
class Schedule:
    """A series' rule, zone and times, ready to expand."""

    rule: Rule
    zone: Any
    first_day: date
    start_time: time
    duration: timedelta
    exceptions: dict

    @classmethod
    def of(cls, row: Series) -> Schedule:
        return cls(Rule.parse(row.rrule), recurrence.zone(row.timezone), row.first_day,
                   parse_start_time(row.start_time), timedelta(minutes=row.duration_minutes), row.exceptions or {})

    def by_rule(self, start: datetime, end: datetime, limit: int = recurrence.MAX_OCCURRENCES) -> list[Occurrence]:
        return recurrence.occurrences(self.rule, self.first_day, self.start_time, self.duration, self.zone,
                                      start, end, limit=limit)

    def effective(self, occurrence: Occurrence) -> Occurrence | None:
        """The occurrence after its exception: None when skipped; at its new time when moved."""
        exception = self.exceptions.get(occurrence.day.isoformat())
        if exception is None:
            return occurrence
        moved = _moved(exception)
        if moved is None:
            return None
        start = recurrence.place(moved, self.zone)
        return Occurrence(occurrence.day, moved, start, start + self.duration)

    def on(self, day: date) -> Occurrence | None:
        """The rule's occurrence on local date `day`, or None."""
        low = datetime.combine(day, time.min, tzinfo=UTC) - timedelta(days=2)
        for found in self.by_rule(low, low + timedelta(days=5)):
            if found.day == day:
                return found
        return None


@dataclass
class MaterialiseReport:
    created: list[UUID] = field(default_factory=list)
    published: list[UUID] = field(default_factory=list)


def fingerprint(row: Announcement) -> str:
    """What the series wrote into an occurrence: while its content still hashes to this, it is untouched."""
    return _fingerprint(row.name, row.message, row.internal_notes, row.maintenance_type, row.external_reference_url,
                        row.provider_id, row.scheduled_start, row.scheduled_end,
                        [(a.offering_id, a.impact_level, a.impact_description) for a in row.affected])


def _fingerprint(name, message, notes, kind, url, provider_id, start, end, links) -> str:
    content = [name, message, notes, int(kind), url, provider_id, start.astimezone(UTC).isoformat(),
               end.astimezone(UTC).isoformat(), sorted([int(o), int(level), text] for o, level, text in links)]
    return hashlib.sha256(json.dumps(content).encode()).hexdigest()


class SeriesService:
    """The series service; every interface calls these methods (see /work/notes/series-api.md)."""

    def __init__(self, context: Context, announcements: Announcements) -> None:
        self.context = context
        self.announcements = announcements

    # -- reading -----------------------------------------------------------------------------------

    def list(self, actor: Actor, *, provider_uuid: UUID | None = None, page: int = 1,
             page_size: int = 10) -> Page[SeriesView]:
        """The series the actor manages, by name."""
        with self.context.reading() as uow:
            session = uow.session
            query = select(Series).where(uow.reach(actor).provider_condition(Series.provider_id))
            if provider_uuid is not None:
                query = query.where(Series.provider_id.in_(select(Provider.id).where(Provider.uuid == provider_uuid)))
            count = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            page, size = page_bounds(page, page_size, count)
            rows = session.scalars(query.order_by(Series.name, Series.id).limit(size).offset((page - 1) * size))
            return Page([series_view(row) for row in rows], count, page, size)

    def get(self, actor: Actor, reference: object) -> SeriesView:
        """One series by uuid, short id (6+ hex digits) or name."""
        with self.context.reading() as uow:
            return series_view(self._visible(uow.session, uow.reach(actor), reference))

    def occurrences(self, actor: Actor, reference: object, start: datetime, end: datetime) -> list[OccurrenceView]:
        """The occurrences starting in [start, end): computed ones (created or not yet), after skips and moves,
        plus announcements of the series in the range that the rule no longer gives (left as edited by hand).
        Refused (Invalid) for a range longer than MAX_RANGE; at most recurrence.MAX_OCCURRENCES."""
        if start.tzinfo is None or end.tzinfo is None:
            raise Invalid.one("start", "Give aware times.")
        if not (EARLIEST <= start < LATEST and EARLIEST <= end < LATEST):
            raise Invalid.one("start", OUT_OF_RANGE)
        if end < start:
            raise Invalid.one("end", "The end must not be before the start.")
        if end - start > MAX_RANGE + timedelta(days=1):  # a day's slack: local dates across DST changes
            raise Invalid.one("end", f"Ask for at most {MAX_RANGE.days} days at once.")
        with self.context.reading() as uow:
            row = self._visible(uow.session, uow.reach(actor), reference)
            return self._occurrences(uow.session, row, start, end)

    def upcoming(self, actor: Actor, reference: object, count: int = 5) -> list[OccurrenceView]:
        """The next `count` occurrences from now (within a year)."""
        with self.context.reading() as uow:
            row = self._visible(uow.session, uow.reach(actor), reference)
            found = self._occurrences(uow.session, row, uow.now, uow.now + timedelta(days=366))
            return found[: max(0, count)]

    def published_ahead(self, actor: Actor, reference: object) -> list[AnnouncementView]:
        """Published occurrences not yet started: what ending or deleting the series would ask about."""
        with self.context.reading() as uow:
            row = self._visible(uow.session, uow.reach(actor), reference)
            uuids = [r.uuid for r in self._future(uow.session, row.id, uow.now, (State.SCHEDULED,))]
        return [self.announcements.get(actor, uuid) for uuid in uuids]

    # -- writing -----------------------------------------------------------------------------------

    def create(self, actor: Actor, fields: dict[str, Any]) -> SeriesView:
        """A new series; its first occurrences (within the horizon) are created at once.

        Fields: name, provider (required), message, internal_notes, maintenance_type, external_reference_url,
        offerings (AffectedInput or dicts), rrule, timezone, start_time ("HH:MM"), duration_minutes (required),
        first_day (default: today in the zone), horizon_days (default 30), publish_days_before (None: drafts)."""
        with self.context.unit_of_work() as uow:
            session, now = uow.session, uow.now
            reach = uow.reach(actor)
            errors = check_fields({k: v for k, v in fields.items() if k in PRESET_FIELDS}, ())
            for name in REQUIRED:
                if fields.get(name) in (None, ""):
                    errors.setdefault(name, ["This field is required."])
            provider = None
            if fields.get("provider") is not None:
                try:
                    provider = lookup.provider(session, fields["provider"])
                except (NotFound, ValueError) as error:
                    errors["provider"] = [getattr(error, "message", str(error))]
            schedule = self._schedule_fields(fields, errors, now, creating=True)
            offerings = self._offerings(session, fields.get("offerings"), errors)
            if provider is not None:
                reach.require_manager(provider.id, NO_PERMISSION_FOR_PROVIDER)
            reach.require_may_mark_affected(o for o, _, _ in offerings)
            if errors:
                raise Invalid(errors)
            row = Series(
                **{k: fields[k] for k in PRESET_FIELDS if fields.get(k) is not None},
                provider=provider,
                provider_id=provider.id,
                **schedule,
                exceptions={},
                next_due=now,
                created_by=actor.id,
                created=now,
                modified=now,
            )
            row.offerings = [SeriesOffering(offering=o, offering_id=o.id, impact_level=level,
                                            impact_description=text) for o, level, text in offerings]
            session.add(row)
            session.flush()
            uow.record(actor, "created", f"Series {row.name}", provider_uuid=provider.uuid,
                       changes={"rrule": ("", row.rrule)})
            series_id = row.id
            uow.commit()
        self.materialise(only=series_id)
        return self.get(actor, series_id_ref(self.context, series_id))

    def update(self, actor: Actor, reference: object, fields: dict[str, Any], *,
               cancel_published: bool = False) -> SeriesChange:
        """Change the preset and/or the schedule. The provider is fixed once the series exists. Future
        occurrences still Draft/Scheduled and untouched by hand follow; see the module docstring."""
        with self.context.unit_of_work() as uow:
            session, now = uow.session, uow.now
            reach = uow.reach(actor)
            row = self._visible(session, reach, reference, lock=True)
            keep_fixed(fields, {"provider": row.provider.uuid, "service_provider": row.provider.uuid})
            known = {k: v for k, v in fields.items() if k in PRESET_FIELDS and v is not None}
            errors = check_fields(known)
            schedule = self._schedule_fields(fields, errors, now, creating=False, row=row)
            offerings = self._offerings(session, fields["offerings"], errors) if fields.get("offerings") is not None \
                else None
            marked = {o.offering_id for o in row.offerings}
            reach.require_may_mark_affected(o for o, _, _ in offerings or () if o.id not in marked)
            if errors:
                raise Invalid(errors)
            changes = {}
            for name, value in (known | schedule).items():
                if getattr(row, name) != value:
                    changes[name] = (getattr(row, name), value)
                    setattr(row, name, value)
            if offerings is not None:
                before = sorted((o.offering_id, o.impact_level, o.impact_description) for o in row.offerings)
                after = sorted((o.id, level, text) for o, level, text in offerings)
                if before != after:
                    row.offerings.clear()
                    session.flush()
                    row.offerings.extend(SeriesOffering(offering=o, offering_id=o.id, impact_level=level,
                                                        impact_description=text) for o, level, text in offerings)
                    changes["offerings"] = (len(before), len(after))
            change = SeriesChange(None)
            to_cancel: list[UUID] = []
            if changes:
                row.modified = now
                row.next_due = now if row.ended is None else None
                uow.record(actor, "updated", f"Series {row.name}", provider_uuid=row.provider.uuid,
                           changes={k: (str(a), str(b)) for k, (a, b) in changes.items()})
                session.flush()
                change, to_cancel = self._follow(uow, actor, row, cancel_published)
            series_id = row.id
            uow.commit()
        cancelled = self._cancel(actor, to_cancel)
        self.materialise(only=series_id)
        view = self.get(actor, series_id_ref(self.context, series_id))
        return SeriesChange(view, change.withdrawn, change.updated, cancelled, change.published_left)

    def skip(self, actor: Actor, reference: object, day: date, *, cancel_published: bool = False) -> SeriesChange:
        """Leave out the occurrence of rule date `day`. Its draft is withdrawn; a published one is cancelled
        only with `cancel_published` (else reported in `published_left`). Refused once it has started."""
        return self._except(actor, reference, day, None, cancel_published)

    def move(self, actor: Actor, reference: object, day: date, start: datetime) -> SeriesChange:
        """Move the occurrence of rule date `day` to `start` (naive: local wall-clock time in the series' zone;
        aware: that instant), keeping its duration. Its announcement, if created and not started, moves too
        (with the normal notices when published)."""
        return self._except(actor, reference, day, start, False)

    def restore(self, actor: Actor, reference: object, day: date) -> SeriesChange:
        """Undo a skip or move of rule date `day`: the occurrence follows the rule again."""
        with self.context.unit_of_work() as uow:
            row = self._visible(uow.session, uow.reach(actor), reference, lock=True)
            exceptions = dict(row.exceptions or {})
            if exceptions.pop(day.isoformat(), None) is None:
                raise Invalid.one("day", f"{day} is neither skipped nor moved.")
            row.exceptions = exceptions
            row.modified = uow.now
            row.next_due = uow.now if row.ended is None else None
            uow.record(actor, "updated", f"Series {row.name}", provider_uuid=row.provider.uuid,
                       changes={"restored": ("", day.isoformat())})
            uow.session.flush()
            change, _ = self._follow(uow, actor, row, False)
            series_id = row.id
            uow.commit()
        self.materialise(only=series_id)
        return SeriesChange(self.get(actor, series_id_ref(self.context, series_id)), change.withdrawn,
                            change.updated)

    def end(self, actor: Actor, reference: object, *, cancel_published: bool = False) -> SeriesChange:
        """Stop the series now (its rule gets UNTIL now). Future drafts are withdrawn; future published ones are
        cancelled with `cancel_published`, else reported. Calling it again (say, after asking) is allowed."""
        with self.context.unit_of_work() as uow:
            session, now = uow.session, uow.now
            row = self._visible(session, uow.reach(actor), reference, lock=True)
            if row.ended is None:
                schedule = Schedule.of(row)
                if schedule.by_rule(now, datetime(2101, 1, 1, tzinfo=UTC), limit=1):
                    row.rrule = schedule.rule.ending(now).text()
                row.ended = now
                row.modified = now
                uow.record(actor, "ended", f"Series {row.name}", provider_uuid=row.provider.uuid)
            row.next_due = None
            withdrawn, published = self._withdraw(uow, actor, row)
            view = series_view(row)
            uow.commit()
        cancelled = self._cancel(actor, published if cancel_published else [])
        left = () if cancel_published else tuple(self.announcements.get(actor, uuid) for uuid in published)
        return SeriesChange(view, withdrawn, (), cancelled, left)

    def delete(self, actor: Actor, reference: object, *, cancel_published: bool = False) -> SeriesChange:
        """Delete the series: as `end`, then the series is gone; the occurrences left (past, started, or
        published and not cancelled) stay as plain announcements."""
        with self.context.unit_of_work() as uow:
            session = uow.session
            row = self._visible(session, uow.reach(actor), reference, lock=True)
            withdrawn, published = self._withdraw(uow, actor, row)
            view = series_view(row)
            session.execute(update(Announcement).where(Announcement.series_id == row.id)
                            .values(series_id=None, series_occurrence=None, series_fingerprint=None,
                                    series_publish_at=None).execution_options(synchronize_session=False))
            uow.record(actor, "deleted", f"Series {row.name}", provider_uuid=row.provider.uuid)
            session.delete(row)
            uow.commit()
        cancelled = self._cancel(actor, published if cancel_published else [])
        left = () if cancel_published else tuple(self.announcements.get(actor, uuid) for uuid in published)
        return SeriesChange(view, withdrawn, (), cancelled, left)

    # -- the scheduler's half ----------------------------------------------------------------------

    def materialise(self, now: datetime | None = None, *, only: int | None = None, batch: int = BATCH,
                    reads: Connection | None = None) -> MaterialiseReport:
        """Create every occurrence due (within its series' horizon) and publish the drafts due; returns what
        was done. Safe from several processes at once: a series is worked on under its row lock (skipped when
        another process holds it), and (series, day) is unique, so each occurrence is created once.

        With nothing due it reads one row of two index minimums (the soonest `next_due` and the soonest
        `series_publish_at`): an idle tick costs one statement more than it did before series existed, on
        `reads` (a connection outside any transaction: the tick's, shared with its other reads) if given."""
        now = now or self.context.clock.now()
        report = MaterialiseReport()
        with nullcontext(reads) if reads is not None else self.context.db.single_statements() as connection:
            if only is not None:
                due = [only]
            else:
                soonest, publishing = connection.execute(select(
                    select(func.min(Series.next_due)).scalar_subquery(),
                    select(func.min(Announcement.series_publish_at)).scalar_subquery(),
                )).one()
                if (soonest is None or soonest > now) and (publishing is None or publishing > now):
                    return report
                due = [] if soonest is None or soonest > now else list(connection.execute(
                    select(Series.id).where(Series.next_due <= now).order_by(Series.next_due).limit(batch)
                ).scalars())
        for group in (due[i:i + SERIES_PER_TRANSACTION] for i in range(0, len(due), SERIES_PER_TRANSACTION)):
            report.created += self._materialise_group(group, now)
        report.published += self.publish_due(now)
        return report

    def publish_due(self, now: datetime | None = None) -> list[UUID]:
        """Publish (Draft → Scheduled, with its notices) the occurrences whose publishing moment has come."""
        now = now or self.context.clock.now()
        with self.context.db.single_statements() as connection:
            due = connection.execute(
                select(Announcement.id, Announcement.uuid, Announcement.scheduled_start)
                .where(Announcement.series_publish_at.is_not(None), Announcement.series_publish_at <= now)
                .order_by(Announcement.series_publish_at).limit(BATCH)
            ).all()
        published = []
        for announcement_id, uuid, start in due:
            if start > now:  # one whose start passed (while the job was down) stays a draft: too late to announce
                try:
                    self.announcements.transition(SCHEDULER, uuid, Action.SCHEDULE, view=False)
                    published.append(uuid)
                except (InvalidState, NotFound, Invalid):
                    pass  # published, deleted or cancelled by a person (or another process) in the meantime
            with self.context.unit_of_work(durable=False) as uow:
                uow.session.execute(update(Announcement).where(Announcement.id == announcement_id)
                                    .values(series_publish_at=None).execution_options(synchronize_session=False))
                uow.commit()
        return published

    # -- internals ---------------------------------------------------------------------------------

    def _materialise_group(self, ids: list[int], now: datetime) -> list[UUID]:
        """Create the due occurrences of series `ids` in one transaction: their rows read and locked in one
        statement, the announcements, offerings and audit events of all of them in three bulk INSERTs.

        Each series is planned on its own (a series whose rule cannot be read is logged and left due; the
        others go on). Should the group's transaction fail anyway (another process created the same occurrence
        first, say), each series is done again in a transaction of its own, so one cannot stop the others."""
        try:
            return self._materialise(ids, now)
        except Exception as error:
            if len(ids) == 1:
                self._failed(ids[0], error)
                return []
            log.info("materialising %d series at once failed; each again on its own", len(ids), exc_info=True)
        created: list[UUID] = []
        for series_id in ids:
            try:
                created += self._materialise([series_id], now)
            except Exception as error:
                self._failed(series_id, error)
        return created

    @staticmethod
    def _failed(series_id: int, error: Exception) -> None:
        if isinstance(error, IntegrityError):
            log.info("another process created the occurrences of series %s first", series_id)
        else:  # one series that cannot be read must not stop every other series
            log.error("materialising series %s failed; the others go on", series_id, exc_info=error)

    def _materialise(self, ids: list[int], now: datetime) -> list[UUID]:
        """Create the occurrences of the series `ids` now due, under their row locks (series another process
        holds are skipped); publishing is `publish_due`'s."""
        with self.context.unit_of_work() as uow:
            session = uow.session
            rows = session.scalars(locked_skipping(
                session, select(Series).where(Series.id.in_(ids)).order_by(Series.id), Series)).unique().all()
            plans: list[tuple[Series, list[Occurrence], datetime | None]] = []
            for row in rows:
                if row.next_due is not None and row.next_due > now:
                    continue  # another process did it
                try:
                    plans.append(self._plan(row, now))
                except Exception:
                    if len(ids) == 1:
                        raise
                    log.exception("materialising series %s failed; the others go on", row.id)
            have = self._existing(session, plans)
            due = [(row, occurrence) for row, wanted, _ in plans
                   for occurrence in self._due(row, wanted, have, now)]
            created = self._insert_occurrences(uow, due)
            for row, _, next_due in plans:
                row.next_due = next_due
            uow.commit()
        return created

    @staticmethod
    def _plan(row: Series, now: datetime) -> tuple[Series, list[Occurrence], datetime | None]:
        """(row, the rule's occurrences within its horizon, when it is next due): recurrence.py's answer."""
        schedule = Schedule.of(row)
        horizon = now + timedelta(days=row.horizon_days)
        wanted = [o for o in schedule.by_rule(now, horizon) if row.ended is None or o.start <= row.ended]
        following = recurrence.first_on_or_after(schedule.rule, schedule.first_day, schedule.start_time,
                                                 schedule.duration, schedule.zone, horizon)
        next_due = None if following is None or row.ended is not None else \
            max(following.start - timedelta(days=row.horizon_days), now + timedelta(seconds=1))
        return row, wanted, next_due

    @staticmethod
    def _existing(session: Session, plans) -> set[tuple[int, date]]:
        """(series id, day) of the planned occurrences created already: one read, a range of the unique
        (series, occurrence) index per series."""
        days = [o.day for _, wanted, _ in plans for o in wanted]
        if not days:
            return set()
        ids = [row.id for row, wanted, _ in plans if wanted]
        return set(session.execute(select(Announcement.series_id, Announcement.series_occurrence).where(
            Announcement.series_id.in_(ids), Announcement.series_occurrence >= min(days),
            Announcement.series_occurrence <= max(days))).all())

    @staticmethod
    def _due(row: Series, wanted: list[Occurrence], have: set[tuple[int, date]], now: datetime) -> list[Occurrence]:
        """The occurrences still to create, after the series' skips and moves, that have not begun."""
        schedule = Schedule.of(row)
        return [effective for effective in (schedule.effective(o) for o in wanted if (row.id, o.day) not in have)
                if effective is not None and effective.start > now]

    def _insert_occurrences(self, uow: UnitOfWork, due: list[tuple[Series, Occurrence]]) -> list[UUID]:
        """Drafts for `due`, from their series' presets (checked when each series was saved), with their
        offerings and audit events: three bulk INSERTs (SQLAlchemy Core: no per-row ORM work), however many
        occurrences and series."""
        if not due:
            return []
        connection, now = uow.session.connection(), uow.now
        links = {}
        values = []
        for row, occurrence in due:
            if row.id not in links:
                links[row.id] = [(o.offering_id, o.impact_level, o.impact_description) for o in row.offerings]
            impact = max((level for _, level, _ in links[row.id]), default=int(Impact.NONE))
            values.append({
                "uuid": uuid4(), "name": row.name, "message": row.message, "internal_notes": row.internal_notes,
                "maintenance_type": row.maintenance_type, "external_reference_url": row.external_reference_url,
                "state": int(State.DRAFT), "scheduled_start": occurrence.start, "scheduled_end": occurrence.end,
                "provider_id": row.provider_id, "created_by": row.created_by or SCHEDULER.id,
                "highest_impact": impact, "created": now, "modified": now, "series_id": row.id,
                "series_occurrence": occurrence.day, "series_publish_at": self._publish_at(row, occurrence.start),
                "series_fingerprint": _fingerprint(
                    row.name, row.message, row.internal_notes, row.maintenance_type, row.external_reference_url,
                    row.provider_id, occurrence.start, occurrence.end, links[row.id]),
            })
        announcements = Announcement.__table__
        ids = dict(connection.execute(insert(announcements).returning(announcements.c.uuid, announcements.c.id),
                                      values).all())
        offerings = [{"uuid": uuid4(), "announcement_id": ids[v["uuid"]], "offering_id": offering,
                      "impact_level": level, "impact_description": text, "created": now, "modified": now}
                     for v in values for offering, level, text in links[v["series_id"]]]
        if offerings:
            connection.execute(insert(AffectedOffering.__table__), offerings)
        connection.execute(insert(Event.__table__), [
            {"announcement_uuid": v["uuid"], "provider_uuid": row.provider.uuid, "actor": SCHEDULER.id,
             "interface": SCHEDULER.interface.value, "action": "created",
             "message": f"Maintenance announcement {row.name} has been created. Details: series:  -> {row.uuid}, "
                        f"occurrence:  -> {v['series_occurrence'].isoformat()}",
             "changes": {"series": ["", str(row.uuid)], "occurrence": ["", v["series_occurrence"].isoformat()]},
             "created": now}
            for (row, _), v in zip(due, values, strict=True)
        ])
        return [v["uuid"] for v in values]

    @staticmethod
    def _publish_at(row: Series, start: datetime) -> datetime | None:
        if row.publish_days_before is None:
            return None
        return start - timedelta(days=row.publish_days_before)

    def _follow(self, uow: UnitOfWork, actor: Actor, row: Series, cancel_published: bool
                ) -> tuple[SeriesChange, list[UUID]]:
        """Bring future, untouched Draft/Scheduled occurrences in line with the series as it now is."""
        session, now = uow.session, uow.now
        schedule = Schedule.of(row)
        withdrawn, updated, left, to_cancel = [], [], [], []
        for announcement in self._future(session, row.id, now, (State.DRAFT, State.SCHEDULED)):
            if announcement.series_fingerprint != fingerprint(announcement):
                continue  # edited by hand: left alone
            occurrence = schedule.on(announcement.series_occurrence)
            if occurrence is not None and row.ended is not None and occurrence.start > row.ended:
                occurrence = None
            effective = schedule.effective(occurrence) if occurrence is not None else None
            if effective is None or effective.start <= now:
                if State(announcement.state) is State.DRAFT:
                    withdrawn.append(self._withdraw_one(uow, actor, announcement))
                elif cancel_published:
                    to_cancel.append(announcement.uuid)
                else:
                    left.append(announcement.uuid)
                continue
            fields = {name: getattr(row, name) for name in PRESET_FIELDS}
            fields |= {"scheduled_start": effective.start, "scheduled_end": effective.end,
                       "affected": [AffectedInput(o.offering.uuid, o.impact_level, o.impact_description)
                                    for o in row.offerings]}
            before = announcement.sequence
            self.announcements.update_in(uow, actor, announcement.uuid, fields)
            session.flush()
            announcement.series_fingerprint = fingerprint(announcement)
            announcement.series_publish_at = (self._publish_at(row, effective.start)
                                              if State(announcement.state) is State.DRAFT else None)
            if announcement.sequence != before:
                updated.append(announcement.uuid)
        views = tuple(self.announcements._view(session, uow.reach(actor), a)
                      for a in self._rows(session, left))
        return SeriesChange(None, tuple(withdrawn), tuple(updated), (), views), to_cancel

    def _except(self, actor: Actor, reference: object, day: date, start: datetime | None,
                cancel_published: bool) -> SeriesChange:
        with self.context.unit_of_work() as uow:
            session, now = uow.session, uow.now
            row = self._visible(session, uow.reach(actor), reference, lock=True)
            schedule = Schedule.of(row)
            if not isinstance(day, date) or not EARLIEST.date() <= day < LATEST.date() or schedule.on(day) is None:
                raise Invalid.one("day", NOT_AN_OCCURRENCE.format(day=day))
            announcement = session.scalar(select(Announcement).where(Announcement.series_id == row.id,
                                                                     Announcement.series_occurrence == day))
            if announcement is not None and State(announcement.state) not in (State.DRAFT, State.SCHEDULED):
                raise InvalidState(["Draft", "Scheduled"], State(announcement.state).label)
            occurrence = schedule.effective(schedule.on(day))
            if announcement is None and occurrence is not None and occurrence.start <= now:
                raise Invalid.one("day", f"The occurrence of {day} has already begun.")
            if start is not None:
                try:
                    local = start.astimezone(schedule.zone).replace(tzinfo=None) if start.tzinfo else start
                except OverflowError:
                    raise Invalid.one("start", OUT_OF_RANGE) from None
                local = local.replace(second=0, microsecond=0)
                if not EARLIEST.replace(tzinfo=None) <= local < LATEST.replace(tzinfo=None):
                    raise Invalid.one("start", OUT_OF_RANGE)
                if recurrence.place(local, schedule.zone) <= now:
                    raise Invalid.one("start", "Move it to a time still to come.")
                value = {"start": local.isoformat(timespec="minutes")}
            else:
                value = {"skip": True}
            row.exceptions = {**(row.exceptions or {}), day.isoformat(): value}
            row.modified = now
            uow.record(actor, "updated", f"Series {row.name}", provider_uuid=row.provider.uuid,
                       changes={"moved" if start is not None else "skipped": ("", f"{day} {value.get('start', '')}"
                                                                          .strip())})
            withdrawn, updated, left, to_cancel = [], [], [], []
            if announcement is not None:
                if start is None:
                    if State(announcement.state) is State.DRAFT:
                        withdrawn.append(self._withdraw_one(uow, actor, announcement))
                    elif cancel_published:
                        to_cancel.append(announcement.uuid)
                    else:
                        left.append(announcement.uuid)
                else:
                    untouched = announcement.series_fingerprint == fingerprint(announcement)
                    new_start = recurrence.place(datetime.fromisoformat(value["start"]), schedule.zone)
                    self.announcements.update_in(uow, actor, announcement.uuid, {
                        "scheduled_start": new_start,
                        "scheduled_end": new_start + schedule.duration})
                    session.flush()
                    if untouched:
                        announcement.series_fingerprint = fingerprint(announcement)
                    if announcement.series_publish_at is not None:
                        announcement.series_publish_at = self._publish_at(row, new_start)
                    updated.append(announcement.uuid)
            elif row.ended is None:
                row.next_due = now
            views = tuple(self.announcements._view(session, uow.reach(actor), a) for a in self._rows(session, left))
            series_id = row.id
            uow.commit()
        cancelled = self._cancel(actor, to_cancel)
        self.materialise(only=series_id)
        return SeriesChange(self.get(actor, series_id_ref(self.context, series_id)), tuple(withdrawn),
                            tuple(updated), cancelled, views)

    def _withdraw(self, uow: UnitOfWork, actor: Actor, row: Series) -> tuple[tuple[UUID, ...], list[UUID]]:
        """Withdraw (delete) the series' future drafts; return them, and its future published occurrences' uuids."""
        withdrawn = []
        published = []
        for announcement in self._future(uow.session, row.id, uow.now, (State.DRAFT, State.SCHEDULED)):
            if State(announcement.state) is State.DRAFT:
                withdrawn.append(self._withdraw_one(uow, actor, announcement))
            else:
                published.append(announcement.uuid)
        return tuple(withdrawn), published

    @staticmethod
    def _withdraw_one(uow: UnitOfWork, actor: Actor, announcement: Announcement) -> UUID:
        """Delete an unpublished occurrence (no channel ever saw it, so no one is told)."""
        uow.record(actor, "deleted", f"Maintenance announcement {announcement.name}",
                   announcement_uuid=announcement.uuid, provider_uuid=announcement.provider.uuid,
                   changes={"series": ("withdrawn", "")})
        notices.drop_reminders(uow.session, announcement.uuid)
        uuid = announcement.uuid
        uow.session.delete(announcement)
        uow.session.flush()
        return uuid

    def _cancel(self, actor: Actor, uuids: list[UUID]) -> tuple[UUID, ...]:
        """Cancel published occurrences, each through the normal transition (its notices go out)."""
        done = []
        for uuid in uuids:
            try:
                self.announcements.transition(actor, uuid, Action.CANCEL)
                done.append(uuid)
            except (InvalidState, NotFound):
                continue
        return tuple(done)

    @staticmethod
    def _future(session: Session, series_id: int, now: datetime, states) -> list[Announcement]:
        return list(session.scalars(
            select(Announcement).where(Announcement.series_id == series_id, Announcement.scheduled_start > now,
                                       Announcement.state.in_([int(s) for s in states]))
            .order_by(Announcement.scheduled_start)
        ))

    @staticmethod
    def _rows(session: Session, uuids: list[UUID]) -> list[Announcement]:
        if not uuids:
            return []
        return list(session.scalars(select(Announcement).where(Announcement.uuid.in_(uuids))
                                    .order_by(Announcement.scheduled_start)))

    def _occurrences(self, session: Session, row: Series, start: datetime, end: datetime) -> list[OccurrenceView]:
        schedule = Schedule.of(row)
        existing = {a.series_occurrence: a for a in session.scalars(
            select(Announcement).where(Announcement.series_id == row.id,
                                       Announcement.scheduled_start < end + timedelta(days=400),
                                       Announcement.scheduled_end >= start - timedelta(days=400)))}
        found: dict[date, OccurrenceView] = {}
        for occurrence in schedule.by_rule(start - timedelta(days=366), end + timedelta(days=366)):
            effective = schedule.effective(occurrence)
            if effective is None:
                continue
            announcement = existing.get(occurrence.day)
            if announcement is not None:
                continue  # shown as it is, below
            if start <= effective.start < end:
                found[occurrence.day] = OccurrenceView(occurrence.day, effective.start, effective.end,
                                                       effective.local_start,
                                                       effective.local_start != occurrence.local_start, None, None)
        for day, announcement in existing.items():
            if day is None or not start <= announcement.scheduled_start < end:
                continue
            local = announcement.scheduled_start.astimezone(schedule.zone).replace(tzinfo=None)
            by_rule = schedule.on(day)
            found[day] = OccurrenceView(day, announcement.scheduled_start, announcement.scheduled_end, local,
                                        by_rule is None or by_rule.start != announcement.scheduled_start,
                                        announcement.uuid, State(announcement.state))
        ordered = sorted(found.values(), key=lambda o: (o.scheduled_start, o.day))
        return ordered[: recurrence.MAX_OCCURRENCES]

    def _schedule_fields(self, fields: dict[str, Any], errors: dict[str, list[str]], now: datetime, *,
                         creating: bool, row: Series | None = None) -> dict[str, Any]:
        """The schedule columns from `fields` (only those given, when updating), checked; errors collected."""
        out: dict[str, Any] = {}
        tz = None
        zone_name = fields.get("timezone") if fields.get("timezone") is not None else (row.timezone if row else None)
        if zone_name is not None:
            try:
                tz = recurrence.zone(zone_name)
                if fields.get("timezone") is not None:
                    out["timezone"] = str(zone_name).strip()
            except RuleError as error:
                errors["timezone"] = [str(error)]
        if fields.get("rrule") is not None:
            try:
                out["rrule"] = Rule.parse(fields["rrule"]).text()
            except RuleError as error:
                errors["rrule"] = [str(error)]
        if fields.get("start_time") is not None:
            try:
                out["start_time"] = parse_start_time(fields["start_time"]).strftime("%H:%M")
            except RuleError as error:
                errors["start_time"] = [str(error)]
        for name, low, high in (("duration_minutes", 1, MAX_DURATION_MINUTES),
                                ("horizon_days", 1, MAX_HORIZON_DAYS),
                                ("publish_days_before", 0, MAX_HORIZON_DAYS)):
            value = fields.get(name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                errors[name] = [f"Must be a whole number from {low} to {high}."]
            else:
                out[name] = value
        if "publish_days_before" in fields and fields["publish_days_before"] is None and not creating:
            out["publish_days_before"] = None
        first_day = fields.get("first_day")
        if first_day is not None:
            if isinstance(first_day, str):
                try:
                    first_day = date.fromisoformat(first_day)
                except ValueError:
                    first_day = None
            if not isinstance(first_day, date) or isinstance(first_day, datetime) \
                    or not date(2000, 1, 1) <= first_day <= date(2100, 12, 31):
                errors["first_day"] = ["Give a date like 2027-01-31 (years 2000–2100)."]
            else:
                out["first_day"] = first_day
        elif creating and tz is not None:
            out["first_day"] = now.astimezone(tz).date()
        if creating:
            out.setdefault("horizon_days", DEFAULT_HORIZON_DAYS)
            out.setdefault("publish_days_before", None)
        return out

    @staticmethod
    def _offerings(session: Session, items, errors: dict[str, list[str]]):
        found: dict[str, list[str]] = {}
        resolved = Announcements._affected_field(session, items, found)
        errors.update({key.replace("affected.", "offerings.", 1): value for key, value in found.items()})
        return resolved

    @staticmethod
    def _visible(session: Session, reach: Reach, reference: object, *, lock: bool = False) -> Series:
        if isinstance(reference, int) and not isinstance(reference, bool):
            condition = Series.id == reference
        else:
            condition = lookup.uuid_condition(Series.uuid, reference)
            if condition is None:
                condition = func.lower(Series.name) == lookup.findable(str(reference).strip(), "series").lower()
        query = select(Series).where(condition, reach.provider_condition(Series.provider_id))
        if lock:
            query = locked(query, Series)
        return lookup.one(session, query, reference, "series", lambda s: f"{s.uuid.hex[:8]} {s.name}")


def series_id_ref(context: Context, series_id: int) -> UUID:
    """The uuid of series `series_id` (internal ids never leave the domain)."""
    with context.reading() as uow:
        uuid = uow.session.scalar(select(Series.uuid).where(Series.id == series_id))
    if uuid is None:
        raise NotFound("The series is gone.")
    return uuid
