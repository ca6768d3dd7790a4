"""Announcements: create, edit, delete, read, list, and the five transitions (DESIGN §2).

Every write follows the same order of checks as the seed — not visible (NotFound), not a manager
(NotAllowed), wrong state (InvalidState) — and records an audit event in the same transaction.
Transitions are compare-and-set updates (`UPDATE … WHERE state IN (sources)`), so of two racing
actors exactly one wins and the other gets the valid-states error.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal, overload
from uuid import UUID

from sqlalchemy import Select, func, literal, select, update
from sqlalchemy.orm import Session, undefer

from bot.domain import audit, conflicts, extending, lookup, notices, published, silences, timing, updates
from bot.domain.actors import Actor, Reach
from bot.domain.context import Context
from bot.domain.enums import EDITABLE_STATES, Action, Impact, State, TimingBucket
from bot.domain.errors import Invalid, InvalidState, NotFound, Stale
from bot.domain.fixed_links import require_unchanged
from bot.domain.impacts import keeps_own, merged_impact
from bot.domain.lifecycle import EXTENSIONS, PAST_TENSE, TRANSITIONS
from bot.domain.listing import (
    MAX_PAGE_SIZE,
    VIEW_LOADING,
    ListQuery,
    count_query,
    filter_conditions,
    ordering,
    page_bounds,
    page_query,
)
from bot.domain.unit_of_work import UnitOfWork
from bot.domain.validation import check_fields, check_window, extended_end
from bot.domain.views import AffectedView, AnnouncementView, EventView, OfferingView, Page
from storage.models import AffectedOffering, Announcement, Offering
from storage.transaction import locked
from storage.types import UTCDateTime

EDITABLE_FIELDS = (
    "name",
    "message",
    "internal_notes",
    "maintenance_type",
    "external_reference_url",
    "scheduled_start",
    "scheduled_end",
)
REQUIRED_ON_CREATE = ("name", "scheduled_start", "scheduled_end", "provider")
#: A calendar feed holds at most this many pages of published maintenance and this many cancellations.
CALENDAR_PAGES = 4
CALENDAR_CANCELLED = 300
#: The columns a transition's UPDATE may change, and the published wording compared after it.
REFRESHED_BY_TRANSITION = ("state", "sequence", "modified", "actual_start", "actual_end", "planned_end", "published")
NO_PERMISSION_FOR_PROVIDER = "You do not have permission to manage maintenance announcements for this service provider."


def labels(states) -> list[str]:
    return [state.label for state in sorted(states)]


def highest_impact(row: Announcement) -> int:
    """What statistics count an announcement under: its worst impact, "No impact" when it has none."""
    return max((link.impact_level for link in row.affected), default=int(Impact.NONE))


def require_version(row: Announcement, seen_sequence: int | None) -> None:
    """Refuse (Stale) to act on a confirmation asked about another version of `row` than it has now."""
    if seen_sequence is not None and row.sequence != seen_sequence:
        raise Stale(f"It changed since you were asked (it is now {State(row.state).label}): look at it again.")


@dataclass(frozen=True)
class AffectedInput:
    """An offering to mark as affected: by uuid, short id or name."""

    offering: str | UUID
    impact_level: int = int(Impact.DEGRADED)
    impact_description: str = ""


def keep_fixed(fields: dict[str, Any], fixed: dict[str, UUID]) -> None:
    """Refuse `fields` that name (by uuid) other ends than the ones a link has (`fixed`): bot/domain/fixed_links.py."""
    for name, current in fixed.items():
        if name in fields:
            require_unchanged(name, fields[name], current)


def offering_view(offering: Offering) -> OfferingView:
    return OfferingView(
        offering.uuid, offering.name, offering.provider.uuid, offering.provider.name, offering.silence_matchers or ""
    )


def affected_view(row: AffectedOffering, announcement_uuid: UUID) -> AffectedView:
    return AffectedView(
        row.uuid,
        announcement_uuid,
        offering_view(row.offering),
        Impact(row.impact_level),
        row.impact_description,
        row.created,
    )


def announcement_view(row: Announcement, computed, reach: Reach) -> AnnouncementView:
    """`row` as `reach` may see it: managers see it as it is, everyone else only its published wording."""
    overrun, start_delta, bucket = computed
    manager = reach.manages(row.provider_id)
    affected = tuple(affected_view(a, row.uuid) for a in row.affected)
    content = published.live_content(row, affected) if manager else published.public_content(row, affected)
    return AnnouncementView(
        uuid=row.uuid,
        name=content.name,
        message=content.message,
        internal_notes=row.internal_notes if manager else None,
        maintenance_type=content.maintenance_type,
        external_reference_url=content.external_reference_url,
        state=State(row.state),
        scheduled_start=content.scheduled_start,
        scheduled_end=content.scheduled_end,
        actual_start=row.actual_start,
        actual_end=row.actual_end,
        provider_uuid=content.provider_uuid,
        provider_name=content.provider_name,
        created_by=row.created_by,
        backend_id=row.backend_id,
        sequence=content.sequence,
        created=row.created,
        modified=content.modified,
        affected=content.affected,
        overrun_minutes=overrun,
        start_delta_minutes=start_delta,
        timing_bucket=TimingBucket(bucket),
        can_manage=manager,
        planned_end=row.planned_end,
        series_uuid=row.series.uuid if row.series is not None else None,
        series_occurrence=row.series_occurrence,
    )


class Announcements:
    """The announcement service: every interface calls these methods and nothing else.

    Each change is one unit of work (bot/domain/unit_of_work.py). The `…_in(uow, …)` forms do their change
    inside a unit the caller opened and commits, so that an operation made of several (a new announcement
    from a template, an extension) is still one transaction.
    """

    def __init__(self, context: Context) -> None:
        self.context = context

    # -- reading -----------------------------------------------------------------------------------

    def get(self, actor: Actor, reference: object) -> AnnouncementView:
        with self.context.reading() as uow:
            reach = uow.reach(actor)
            if isinstance(reference, UUID):  # the API's retrieve: the row, its timing and offerings in one read
                found = uow.session.execute(
                    select(Announcement, *timing.COMPUTED)
                    .where(Announcement.uuid == reference, reach.visible_announcements())
                    .options(*VIEW_LOADING)
                ).unique().first()
                if found is None:  # as `lookup.announcement` says it
                    raise NotFound(f"No announcement matches {str(reference)!r}.")
                views = updates.with_latest(uow.session, [announcement_view(found[0], found[1:], reach)])
                return conflicts.attach(uow.session, views, uow.now)[0]
            return self._view(uow.session, reach, self._visible(uow.session, reach, reference))

    def list(self, actor: Actor, query: ListQuery | None = None) -> Page[AnnouncementView]:
        query = query or ListQuery()
        with self.context.reading() as uow:
            reach = uow.reach(actor)
            filters = filter_conditions(query)
            return self._page(uow.session, reach, [reach.visible_announcements(), *filters], query, uow.now,
                              count_query(filters, reach.visible_parts()))

    def calendar(
        self, since: datetime, *, provider_uuid: UUID | None = None, offering_uuid: UUID | None = None
    ) -> list[AnnouncementView]:
        """What a calendar feed holds, soonest first: published maintenance ending `since` or later (of one
        provider, or affecting one offering, when given), and published maintenance cancelled since then,
        struck out as last published. A draft cancelled unseen never shows.

        Public-state rows are selected by their live columns (which are their published wording). Cancelled
        ones are selected by their snapshot — the provider, offerings and window their audience was shown —
        never by edits made after a withdrawal; at most CALENDAR_CANCELLED of them, newest first."""
        everyone = Reach(set())
        query = ListQuery(provider_uuid=provider_uuid, offering_uuid=offering_uuid, scheduled_end_after=since,
                          ordering=("scheduled_start",), page_size=MAX_PAGE_SIZE)
        shown: list[AnnouncementView] = []
        with self.context.reading() as uow:
            session = uow.session
            conditions = [everyone.visible_announcements(), *filter_conditions(query)]
            for number in range(1, CALENDAR_PAGES + 1):
                page = self._page(session, everyone, conditions, replace(query, page=number))
                shown += page.items
                if not page.has_next:
                    break
            cancelled = session.execute(
                select(Announcement, *timing.COMPUTED)
                .where(Announcement.state == int(State.CANCELLED), Announcement.published.is_not(None),
                       Announcement.modified >= since)
                .order_by(Announcement.modified.desc(), Announcement.id.desc())
                .limit(CALENDAR_CANCELLED)
                .options(undefer(Announcement.published))
            ).unique()
            for row in cancelled:
                view = announcement_view(row[0], row[1:], everyone)
                if (view.scheduled_end >= since
                        and provider_uuid in (None, view.provider_uuid)
                        and offering_uuid in (None, *(a.offering.uuid for a in view.affected))):
                    shown.append(view)
        return sorted(shown, key=lambda view: (view.scheduled_start, view.uuid))

    def as_published(self, reference: object) -> AnnouncementView:
        """The announcement as its audience sees it, whatever its state: what channel cards show (a withdrawn
        or cancelled one as it was last published). NotFound once deleted."""
        with self.context.reading() as uow:
            row = self._visible(uow.session, Reach(None), reference)
            return self._view(uow.session, Reach(set()), row)

    @staticmethod
    def _page(session: Session, reach: Reach, conditions: list, query: ListQuery,
              now: datetime | None = None, counting: Select | None = None) -> Page[AnnouncementView]:
        """A page of the rows meeting `conditions`, counted by `counting` when given (the same rows, counted
        faster), else by `conditions`."""
        ordering(query.ordering)  # refused before anything is counted
        count = session.scalar(counting if counting is not None else count_query(conditions)) or 0
        page, size = page_bounds(query.page, query.page_size, count)
        rows = session.execute(page_query(conditions, query.ordering, size, (page - 1) * size,
                                          soonest=query.soonest_first)).unique()
        views = conflicts.attach(session, updates.with_latest(
            session, [announcement_view(row[0], row[1:], reach) for row in rows]), now)
        return Page(views, count, page, size)

    def count(self, actor: Actor, query: ListQuery | None = None) -> int:
        with self.context.reading() as uow:
            reach = uow.reach(actor)
            return uow.session.scalar(count_query(filter_conditions(query or ListQuery()), reach.visible_parts())) or 0

    def for_editing(self, actor: Actor, reference: object) -> AnnouncementView:
        """The announcement as its editor starts from, refused as `update` would refuse it: before anyone
        fills in a form that could not be saved."""
        with self.context.reading() as uow:
            reach = uow.reach(actor)
            row = self._visible(uow.session, reach, reference)
            reach.require_manager(row.provider_id)
            self._require_editable(row)
            return self._view(uow.session, reach, row)

    def history(self, actor: Actor, reference: object) -> list[EventView]:
        """The audit trail of one announcement, for its managers."""
        with self.context.reading() as uow:
            reach = uow.reach(actor)
            row = self._visible(uow.session, reach, reference)
            reach.require_manager(row.provider_id)
            return audit.history(uow.session, row.uuid)

    # -- writing -----------------------------------------------------------------------------------

    def create(self, actor: Actor, fields: dict[str, Any]) -> AnnouncementView:
        """A new Draft. Required: name, scheduled_start, scheduled_end, provider."""
        with self.context.unit_of_work() as uow:
            view = self.create_in(uow, actor, fields)
            uow.commit()
            return view

    def create_in(self, uow: UnitOfWork, actor: Actor, fields: dict[str, Any]) -> AnnouncementView:
        """`create`, inside the caller's unit of work."""
        session, now = uow.session, uow.now
        reach = uow.reach(actor)
        errors = check_fields(self._known(fields), REQUIRED_ON_CREATE)
        provider = self._provider_field(session, fields.get("provider"), errors)
        if not errors:
            errors |= check_window(fields["scheduled_start"], fields["scheduled_end"])
        affected = self._affected_field(session, fields.get("affected"), errors)
        if provider is not None:
            reach.require_manager(provider.id, NO_PERMISSION_FOR_PROVIDER)
        reach.require_may_mark_affected(offering for offering, _, _ in affected)
        if errors:
            raise Invalid(errors)
        row = Announcement(
            **{name: fields[name] for name in EDITABLE_FIELDS if fields.get(name) is not None},
            provider=provider,
            provider_id=provider.id,
            state=int(State.DRAFT),
            created_by=actor.id,
            created=now,
            modified=now,
        )
        session.add(row)
        session.flush()
        self._replace_affected(session, row, affected, now)
        uow.record(actor, "created", self._subject(row), announcement_uuid=row.uuid, provider_uuid=provider.uuid)
        return self._view(session, reach, row)

    def update(
        self,
        actor: Actor,
        reference: object,
        fields: dict[str, Any],
        *,
        partial: bool = True,
        seen_end: datetime | None = None,
        keep_impacts: bool | Collection[UUID] = False,
    ) -> AnnouncementView:
        """Edit in Draft, Scheduled or In progress. `partial=False` (PUT) requires every required field.

        `affected`, when given, replaces the set of affected offerings. `keep_impacts`: offerings already
        marked keep their own impact and description, and the ones given apply to newly marked offerings only
        (an editor that shows one shared impact for all offerings, left as it was shown); a set of offering
        uuids limits that to the offerings given the shared impact (`impacts.keeps_own`). `seen_end`, when
        given, is the scheduled end the editor saw: if it has moved since, nothing changes (Stale).
        """
        with self.context.unit_of_work() as uow:
            view = self.update_in(
                uow, actor, reference, fields, partial=partial, seen_end=seen_end, keep_impacts=keep_impacts
            )
            uow.commit()
            return view

    def update_in(
        self,
        uow: UnitOfWork,
        actor: Actor,
        reference: object,
        fields: dict[str, Any],
        *,
        partial: bool = True,
        seen_end: datetime | None = None,
        keep_impacts: bool | Collection[UUID] = False,
    ) -> AnnouncementView:
        """`update`, inside the caller's unit of work."""
        session, now = uow.session, uow.now
        reach = uow.reach(actor)
        row = self._visible(session, reach, reference, lock=True)
        reach.require_manager(row.provider_id)
        self._require_editable(row)
        if seen_end is not None and row.scheduled_end != seen_end:
            raise Stale(f"It was already extended: it now ends {row.scheduled_end:%Y-%m-%d %H:%M} UTC.")
        errors = check_fields(self._known(fields), () if partial else REQUIRED_ON_CREATE)
        provider = self._provider_field(session, fields.get("provider"), errors) if "provider" in fields else None
        if provider is not None:
            reach.require_manager(provider.id, NO_PERMISSION_FOR_PROVIDER)
        affected = self._affected_field(session, fields.get("affected"), errors) if "affected" in fields else None
        marked = {link.offering_id: link for link in row.affected}
        reach.require_may_mark_affected(offering for offering, _, _ in affected or () if offering.id not in marked)
        if affected is not None:
            affected = [(offering, *merged_impact((level, description), marked.get(offering.id),
                                                  keep_own=keeps_own(keep_impacts, offering.uuid)))
                        for offering, level, description in affected]
        start = fields.get("scheduled_start") or row.scheduled_start
        end = fields.get("scheduled_end") or row.scheduled_end
        if not errors:
            errors |= check_window(start, end)
        if errors:
            raise Invalid(errors)
        changes = {}
        for name in EDITABLE_FIELDS:
            if name in fields and fields[name] is not None and fields[name] != getattr(row, name):
                changes[name] = (getattr(row, name), fields[name])
                setattr(row, name, fields[name])
        if provider is not None and provider.id != row.provider_id:
            changes["service_provider"] = (row.provider.name, provider.name)
            row.provider_id, row.provider = provider.id, provider
        if affected is not None:
            before = sorted(a.offering.name for a in row.affected)
            self._replace_affected(session, row, affected, now)
            after = sorted(a.offering.name for a in row.affected)
            if before != after:
                changes["affected_offerings"] = (", ".join(before), ", ".join(after))
        if changes:
            row.modified = now
            row.sequence += 1
            published.record(row)
            uow.record(
                actor,
                "updated",
                self._subject(row),
                announcement_uuid=row.uuid,
                provider_uuid=row.provider.uuid,
                changes=changes,
            )
            kind = notices.for_update(State(row.state), changes)
            if kind is not None:
                details = {
                    name: [notices.moment(old), notices.moment(new)]
                    for name, (old, new) in changes.items()
                    if name in ("scheduled_start", "scheduled_end")
                }
                notices.queue(session, row, kind, now, refers_to=str(row.sequence), actor=actor, details=details)
            notices.after_update(session, row, changes, now, self.context.reminder_leads)
            silences.after_change(session, row, now, self.context.silences, "updated")
        return self._view(session, reach, row)

    def extend(self, actor: Actor, reference: object, seen_end: datetime, by: timedelta) -> AnnouncementView:
        """Push back the end of maintenance that runs long by one of the EXTENSIONS: `by` after the end the
        presser saw, or after now when that has passed. One compare-and-set on `seen_end`, under the row's
        lock: when the end has moved since (another press of the same alert), nothing changes (Stale), so
        any number of presses on one alert extend it once and send one notice."""
        if by not in EXTENSIONS:
            choices = " or ".join(str(int(e.total_seconds() // 60)) for e in EXTENSIONS)
            raise Invalid.one("scheduled_end", f"Extend by {choices} minutes.")
        with self.context.unit_of_work() as uow:
            new_end = extended_end(seen_end, uow.now, by)
            view = self.update_in(uow, actor, reference, {"scheduled_end": new_end}, seen_end=seen_end)
            uow.commit()
            return view

    def delete(self, actor: Actor, reference: object, *, seen_sequence: int | None = None) -> AnnouncementView:
        """Delete in any state (as the seed does); the audit trail keeps the record of it. Returns the
        announcement as it was, so that whoever deleted it can be told what is gone. `seen_sequence`: the
        version a confirmation was asked about; changed since, nothing is deleted (Stale)."""
        with self.context.unit_of_work() as uow:
            session, now = uow.session, uow.now
            reach = uow.reach(actor)
            row = self._visible(session, reach, reference, lock=True)
            reach.require_manager(row.provider_id)
            require_version(row, seen_sequence)
            view = self._view(session, reach, row)
            uow.record(
                actor, "deleted", self._subject(row), announcement_uuid=row.uuid, provider_uuid=row.provider.uuid
            )
            if State(row.state) in notices.LIVE:
                notices.queue(session, row, "deleted", now, refers_to=str(row.sequence + 1), actor=actor)
            notices.drop_reminders(session, row.uuid)
            if self.context.silences is not None and silences.holds_any(session, row.uuid):
                silences.queue_work(session, row.uuid, f"deleted@{row.sequence + 1}", now, row.name)
            session.delete(row)
            uow.commit()
            return view

    @overload
    def transition(self, actor: Actor, reference: object, action: Action, *, seen_sequence: int | None = None,
                   view: Literal[True] = True) -> AnnouncementView: ...

    @overload
    def transition(self, actor: Actor, reference: object, action: Action, *, seen_sequence: int | None = None,
                   view: Literal[False]) -> None: ...

    def transition(
        self, actor: Actor, reference: object, action: Action, *, seen_sequence: int | None = None,
        view: bool = True,
    ) -> AnnouncementView | None:
        """Move an announcement along the state machine, or refuse naming the valid states. `seen_sequence`:
        the version a confirmation was asked about; changed since, nothing moves (Stale). `view=False`: the
        announcement's view (three reads) is not built, for callers that show nothing (the scheduler)."""
        sources, target = TRANSITIONS[action]
        with self.context.unit_of_work() as uow:
            session, now = uow.session, uow.now
            reach = uow.reach(actor)
            # Locked, so `before` is the state this transition really leaves: read unlocked, a racer's commit
            # could slip in before the compare-and-set below, which would then succeed from a state other than
            # the one read (wrong audit trail; a cancel of a just-published announcement told no one).
            row = self._visible(session, reach, reference, lock=True)
            reach.require_manager(row.provider_id)
            require_version(row, seen_sequence)
            before = State(row.state)
            if action is Action.SCHEDULE:  # times saved before today's rules (years 2000–2100) are not published
                errors = check_fields({"scheduled_start": row.scheduled_start, "scheduled_end": row.scheduled_end})
                if errors:
                    raise Invalid(errors)
            values: dict[str, Any] = {"state": int(target), "modified": now, "sequence": Announcement.sequence + 1}
            stamp = literal(now, UTCDateTime())
            if action is Action.START:
                values["actual_start"] = func.coalesce(Announcement.actual_start, stamp)
                # The end promised when it began: what overruns are measured against (bot/domain/timing.py).
                values["planned_end"] = func.coalesce(Announcement.planned_end, Announcement.scheduled_end)
            if action is Action.COMPLETE:
                values["actual_end"] = func.coalesce(Announcement.actual_end, stamp)
            won = session.execute(
                update(Announcement)
                .where(Announcement.id == row.id, Announcement.state.in_([int(s) for s in sources]))
                .values(**values)
                .execution_options(synchronize_session=False)
            ).rowcount
            # Only what the UPDATE may have changed (and the published wording `published.record` compares):
            # one read, not the row's eager relationships again.
            session.refresh(row, REFRESHED_BY_TRANSITION)
            if not won:
                raise InvalidState(labels(sources), State(row.state).label)
            published.record(row)
            uow.record(
                actor,
                PAST_TENSE[action],
                self._subject(row),
                announcement_uuid=row.uuid,
                provider_uuid=row.provider.uuid,
                changes={"state": (before.label, target.label)},
            )
            kind = notices.for_transition(action, before)
            if kind is not None:
                notices.queue(session, row, kind, now, refers_to=str(row.sequence), actor=actor)
            notices.after_transition(session, row, action, now, self.context.reminder_leads)
            silences.after_change(session, row, now, self.context.silences, str(action))
            shown = self._view(session, reach, row) if view else None
            uow.commit()
            return shown

    # -- affected offerings ------------------------------------------------------------------------

    def add_affected(self, actor: Actor, reference: object, item: AffectedInput) -> AffectedView:
        with self.context.unit_of_work() as uow:
            session, now = uow.session, uow.now
            reach = uow.reach(actor)
            row = self._visible(session, reach, reference, lock=True)
            reach.require_manager(row.provider_id, NO_PERMISSION_FOR_PROVIDER)
            errors: dict[str, list[str]] = {}
            ((offering, level, description),) = self._affected_field(session, [item], errors) or [(None, 0, "")]
            if errors:
                raise Invalid({key.removeprefix("affected.0."): value for key, value in errors.items()})
            if any(a.offering_id == offering.id for a in row.affected):
                raise Invalid.one("non_field_errors", "The fields maintenance, offering must make a unique set.")
            reach.require_may_mark_affected([offering])
            link = AffectedOffering(
                announcement_id=row.id,
                offering=offering,
                offering_id=offering.id,
                impact_level=level,
                impact_description=description,
                created=now,
                modified=now,
            )
            row.affected.append(link)
            row.modified = now
            row.sequence += 1
            self._tell_edited(session, row, actor, now)
            uow.record(
                actor,
                "updated",
                self._subject(row),
                announcement_uuid=row.uuid,
                provider_uuid=row.provider.uuid,
                changes={"affected_offerings": ("", f"+{offering.name}")},
            )
            session.flush()
            view = affected_view(link, row.uuid)
            uow.commit()
            return view

    def get_affected(self, actor: Actor, reference: object) -> AffectedView:
        with self.context.reading() as uow:
            link = self._visible_affected(uow.session, uow.reach(actor), reference)
            return affected_view(link, link.announcement.uuid)

    def list_affected(self, actor: Actor, page: int = 1, page_size: int = 10) -> Page[AffectedView]:
        """Affected-offering links of every announcement the actor may see, newest first."""
        with self.context.reading() as uow:
            session = uow.session
            base = select(AffectedOffering).join(Announcement).where(uow.reach(actor).visible_announcements())
            count = session.scalar(select(func.count()).select_from(base.subquery())) or 0
            page, size = page_bounds(page, page_size, count)
            rows = session.scalars(
                base.order_by(AffectedOffering.created.desc(), AffectedOffering.id.desc())
                .limit(size)
                .offset((page - 1) * size)
            )
            return Page([affected_view(link, link.announcement.uuid) for link in rows], count, page, size)

    def update_affected(self, actor: Actor, reference: object, fields: dict[str, Any]) -> AffectedView:
        """Change a link's impact. Its `maintenance` and `offering` are fixed once it exists: naming the ones it
        has (as uuids) changes nothing, naming others is refused (`keep_fixed`)."""
        with self.context.unit_of_work() as uow:
            session, now = uow.session, uow.now
            reach = uow.reach(actor)
            link = self._visible_affected(session, reach, reference)
            keep_fixed(fields, {"maintenance": link.announcement.uuid, "offering": link.offering.uuid})
            reach.require_manager(link.announcement.provider_id)
            known = {k: v for k, v in fields.items() if k in ("impact_level", "impact_description")}
            errors = check_fields(known)
            if errors:
                raise Invalid(errors)
            changes = {k: (getattr(link, k), v) for k, v in known.items() if v is not None and getattr(link, k) != v}
            for name, (_, new) in changes.items():
                setattr(link, name, new)
            if changes:
                link.modified = link.announcement.modified = now
                link.announcement.sequence += 1
                self._tell_edited(session, link.announcement, actor, now)
                uow.record(
                    actor,
                    "updated",
                    self._subject(link.announcement),
                    announcement_uuid=link.announcement.uuid,
                    provider_uuid=link.announcement.provider.uuid,
                    changes={f"{link.offering.name}.{k}": v for k, v in changes.items()},
                )
            view = affected_view(link, link.announcement.uuid)
            uow.commit()
            return view

    def remove_affected(self, actor: Actor, reference: object) -> None:
        with self.context.unit_of_work() as uow:
            session, now = uow.session, uow.now
            reach = uow.reach(actor)
            link = self._visible_affected(session, reach, reference)
            reach.require_manager(link.announcement.provider_id)
            announcement = link.announcement
            uow.record(
                actor,
                "updated",
                self._subject(announcement),
                announcement_uuid=announcement.uuid,
                provider_uuid=announcement.provider.uuid,
                changes={"affected_offerings": (link.offering.name, "")},
            )
            announcement.affected.remove(link)
            announcement.modified = now
            announcement.sequence += 1
            self._tell_edited(session, announcement, actor, now)
            uow.commit()

    # -- internals ---------------------------------------------------------------------------------

    def _tell_edited(self, session: Session, row: Announcement, actor: Actor, now) -> None:
        """After an affected offering changed: keep the highest impact, and tell channels that saw it."""
        row.highest_impact = highest_impact(row)
        session.flush()  # new links get their uuids
        published.record(row)
        if State(row.state) in notices.LIVE:
            notices.queue(session, row, "updated", now, refers_to=str(row.sequence), actor=actor)
        silences.after_change(session, row, now, self.context.silences, "affected")

    @staticmethod
    def _known(fields: dict[str, Any]) -> dict[str, Any]:
        return {name: value for name, value in fields.items() if name in (*EDITABLE_FIELDS, "provider")}

    @staticmethod
    def _subject(row: Announcement) -> str:
        return f"Maintenance announcement {row.name}"

    @staticmethod
    def _require_editable(row: Announcement) -> None:
        if State(row.state) not in EDITABLE_STATES:
            raise InvalidState(labels(EDITABLE_STATES), State(row.state).label)

    def _visible(self, session: Session, reach: Reach, reference: object, *, lock: bool = False) -> Announcement:
        """By id, or by words of its name or message (bot.domain.lookup.announcement)."""
        locking = (lambda query: locked(query, Announcement)) if lock else None
        return lookup.announcement(session, reach.visible_announcements(), reference, locking)

    def _visible_affected(self, session: Session, reach: Reach, reference: object) -> AffectedOffering:
        condition = lookup.uuid_condition(AffectedOffering.uuid, reference)
        if condition is None:
            raise NotFound(f"{str(reference)!r} is not an affected-offering id.")
        query = select(AffectedOffering).join(Announcement).where(condition, reach.visible_announcements())
        return lookup.one(session, query, reference, "affected offering")

    def _view(self, session: Session, reach: Reach, row: Announcement) -> AnnouncementView:
        session.flush()
        computed = session.execute(select(*timing.COMPUTED).where(Announcement.id == row.id)).one()
        views = updates.with_latest(session, [announcement_view(row, computed, reach)])
        return conflicts.attach(session, views, self.context.clock.now())[0]

    @staticmethod
    def _provider_field(session: Session, reference: object, errors: dict[str, list[str]]):
        if reference is None:
            return None
        try:
            return lookup.provider(session, reference)
        except (NotFound, ValueError) as error:
            errors["provider"] = [getattr(error, "message", str(error))]
            return None

    @staticmethod
    def _affected_field(session: Session, items, errors: dict[str, list[str]]):
        """Resolve affected-offering inputs to (offering, impact, description), collecting errors."""
        if items is None:
            return []
        resolved, seen = [], set()
        for index, item in enumerate(items):
            if not isinstance(item, AffectedInput):
                item = AffectedInput(**item) if isinstance(item, dict) else AffectedInput(str(item))
            field_errors = check_fields(
                {"impact_level": item.impact_level, "impact_description": item.impact_description}
            )
            try:
                offering = lookup.offering(session, item.offering)
            except NotFound as error:
                field_errors["offering"] = [error.message]
                offering = None
            if offering is not None and offering.id in seen:
                field_errors["offering"] = [f"{offering.name} is listed more than once."]
            if field_errors:
                for name, messages in field_errors.items():
                    errors[f"affected.{index}.{name}"] = messages
                continue
            seen.add(offering.id)
            resolved.append((offering, int(item.impact_level), item.impact_description))
        return resolved

    @staticmethod
    def _replace_affected(session: Session, row: Announcement, affected, now) -> None:
        wanted = {offering.id: (offering, level, description) for offering, level, description in affected}
        for link in list(row.affected):
            if link.offering_id not in wanted:
                row.affected.remove(link)
        for link in row.affected:
            _, level, description = wanted.pop(link.offering_id)
            if (link.impact_level, link.impact_description) != (level, description):
                link.impact_level, link.impact_description, link.modified = level, description, now
        for offering, level, description in wanted.values():
            row.affected.append(
                AffectedOffering(
                    offering=offering,
                    offering_id=offering.id,
                    impact_level=level,
                    impact_description=description,
                    created=now,
                    modified=now,
                )
            )
        row.highest_impact = highest_impact(row)
        session.flush()

    def extend_to(
        self, actor: Actor, reference: object, *, by: timedelta | None = None, until: datetime | None = None
    ) -> AnnouncementView:
        """Extend by any length (`by`) or to a later moment (`until`), as typed (bot/domain/extending.py): the
        overrun buttons' operation (`extend`) from the end in force now, for Scheduled or In-progress work."""
        with self.context.unit_of_work() as uow:
            reach = uow.reach(actor)
            row = self._visible(uow.session, reach, reference, lock=True)
            reach.require_manager(row.provider_id)
            if State(row.state) not in extending.EXTENDABLE:
                raise InvalidState(labels(extending.EXTENDABLE), State(row.state).label)
            end = row.scheduled_end
            if until is not None:
                new_end = extending.end_until(end, uow.now, until)
            else:
                new_end = extending.end_after(end, uow.now, by if by is not None else timedelta(0))
            view = self.update_in(uow, actor, row.uuid, {"scheduled_end": new_end}, seen_end=end)
            uow.commit()
            return view
