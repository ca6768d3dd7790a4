"""Listing announcements: the filters, ordering keys and pagination of DESIGN §2, all in SQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from sqlalchemy import Select, false, func, nulls_last, select

from bot.domain import timing
from bot.domain.enums import State, TimingBucket
from bot.domain.errors import Invalid, NotFound
from storage.models import AffectedOffering, Announcement, Offering, Provider

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 300
DEFAULT_ORDERING = ("-created",)

ORDER_KEYS = {
    "created": Announcement.created,
    "name": Announcement.name,
    "scheduled_start": Announcement.scheduled_start,
    "scheduled_end": Announcement.scheduled_end,
    "overrun_minutes": timing.overrun_minutes,
    "start_delta_minutes": timing.start_delta_minutes,
}

NULLABLE_KEYS = frozenset({"overrun_minutes", "start_delta_minutes"})


@dataclass
class ListQuery:
    """What a reader asks for. `timing_buckets` None means no filter; unknown bucket names are ignored."""

    maintenance_type: int | None = None
    states: list[State] = field(default_factory=list)
    scheduled_start_after: datetime | None = None
    scheduled_start_before: datetime | None = None
    scheduled_end_after: datetime | None = None
    scheduled_end_before: datetime | None = None
    provider_uuid: UUID | None = None
    offering_uuid: UUID | None = None  # announcements that affect this offering
    timing_buckets: list[str] | None = None
    created_by: str | None = None
    ordering: tuple[str, ...] = DEFAULT_ORDERING
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE


def filter_conditions(query: ListQuery) -> list:
    """The WHERE conditions for a query's filters (shared by listing and statistics)."""
    conditions = []
    if query.maintenance_type is not None:
        conditions.append(Announcement.maintenance_type == query.maintenance_type)
    if query.states:
        conditions.append(Announcement.state.in_([int(s) for s in query.states]))
    bounds = (
        (query.scheduled_start_after, Announcement.scheduled_start.__ge__),
        (query.scheduled_start_before, Announcement.scheduled_start.__le__),
        (query.scheduled_end_after, Announcement.scheduled_end.__ge__),
        (query.scheduled_end_before, Announcement.scheduled_end.__le__),
    )
    conditions += [compare(moment) for moment, compare in bounds if moment is not None]
    if query.provider_uuid is not None:
        conditions.append(Announcement.provider_id.in_(select(Provider.id).where(Provider.uuid == query.provider_uuid)))
    if query.offering_uuid is not None:
        affecting = (
            select(AffectedOffering.announcement_id)
            .join(Offering, Offering.id == AffectedOffering.offering_id)
            .where(Offering.uuid == query.offering_uuid)
        )
        conditions.append(Announcement.id.in_(affecting))
    if query.timing_buckets is not None:
        known = [name for name in query.timing_buckets if name in TimingBucket.__members__.values()]
        conditions.append(timing.timing_bucket.in_(known) if known else false())
    if query.created_by is not None:  # nobody's id holds a NUL (PostgreSQL cannot even compare one)
        conditions.append(Announcement.created_by == query.created_by if "\x00" not in query.created_by else false())
    return conditions


def order_by(keys: tuple[str, ...]) -> list:
    """ORDER BY terms; nulls sort last in both directions; `id` breaks ties so pages are stable."""
    terms = []
    for key in keys:
        descending = key.startswith("-")
        column = ORDER_KEYS.get(key.lstrip("-"))
        if column is None:
            choices = ", ".join(sorted(ORDER_KEYS))
            raise Invalid.one("o", f"Select a valid choice. {key} is not one of the available choices: {choices}.")
        term = column.desc() if descending else column.asc()
        # NULLS LAST only where a key can be NULL: on a NOT NULL column it changes nothing, but it keeps
        # PostgreSQL from reading the order off the column's index.
        terms.append(nulls_last(term) if key.lstrip("-") in NULLABLE_KEYS else term)
    tie = Announcement.id.desc() if keys and keys[-1].startswith("-") else Announcement.id.asc()
    return [*terms, tie]


def page_bounds(page: int, page_size: int, count: int) -> tuple[int, int]:
    """(page, size): a size above 300 is cut to 300, below 1 is the default; a page past the end is
    NotFound, as in the seed."""
    size = DEFAULT_PAGE_SIZE if page_size < 1 else min(page_size, MAX_PAGE_SIZE)
    last = max(1, -(-count // size))
    if page < 1 or page > last:
        raise NotFound("Invalid page.")
    return page, size


def count_query(conditions: list) -> Select:
    return select(func.count()).select_from(Announcement).where(*conditions)
