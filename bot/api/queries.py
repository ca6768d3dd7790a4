"""Query strings of the announcement lists and statistics, read into the domain's `ListQuery`.

Filters as in the seed: `maintenance_type`, `state` (labels, repeat for OR; an unknown label is 400),
`scheduled_start_after/_before`, `scheduled_end_after/_before` (inclusive; no zone means UTC),
`service_provider_uuid`, `timing_bucket` (comma list; unknown names are ignored, none known gives an
empty result, blank applies no filter), and, as an extension, `query` (words each in the name or the message,
any case: `bot.domain.listing.search_words`); ordering `o` (repeated, or comma-separated as django-filter
reads it: `o=name,-created`; the domain folds repeats and refuses more than 3 keys); `page` and `page_size`.

The readers are `async` only to run on the event loop rather than in a worker thread: they do no I/O.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query

from bot.api.pagination import PageNumber, PageSize
from bot.api.schemas import Moment, StateLabel
from bot.domain.enums import MaintenanceType, State
from bot.domain.errors import Invalid
from bot.domain.listing import (
    DEFAULT_PAGE_SIZE,
    MAX_ORDER_KEYS,
    MAX_SEARCH_LENGTH,
    MAX_SEARCH_WORDS,
    ORDER_KEYS,
    ListQuery,
    ordering,
    search_words,
)

PUBLIC_ORDERING = ("-scheduled_start",)
QUERY_HELP = (f"Extension: words (space-separated) that must each appear in the name or the message, in any case; "
              f"at most {MAX_SEARCH_WORDS} words and {MAX_SEARCH_LENGTH} characters. Blank: no filter.")
LAST_DAY = date(9999, 12, 30)


async def announcement_filters(
    maintenance_type: Annotated[MaintenanceType | None, Query(description="Maintenance type")] = None,
    state: Annotated[list[StateLabel] | None, Query(description="Maintenance state; repeat for OR")] = None,
    scheduled_start_after: Annotated[Moment | None, Query(description="Scheduled start at or after")] = None,
    scheduled_start_before: Annotated[Moment | None, Query(description="Scheduled start at or before")] = None,
    scheduled_end_after: Annotated[Moment | None, Query(description="Scheduled end at or after")] = None,
    scheduled_end_before: Annotated[Moment | None, Query(description="Scheduled end at or before")] = None,
    service_provider_uuid: Annotated[UUID | None, Query(description="Service provider UUID")] = None,
    timing_bucket: Annotated[
        str | None, Query(description="Timing bucket (comma-separated: on_time, late_start, overrun, early, pending)")
    ] = None,
    query: Annotated[str | None, Query(description=QUERY_HELP)] = None,
) -> ListQuery:
    buckets = None
    if timing_bucket is not None and timing_bucket.strip():
        buckets = [name.strip() for name in timing_bucket.split(",") if name.strip()]
    return ListQuery(
        maintenance_type=int(maintenance_type) if maintenance_type is not None else None,
        states=[State.from_label(label.value) for label in state or ()],
        scheduled_start_after=scheduled_start_after,
        scheduled_start_before=scheduled_start_before,
        scheduled_end_after=scheduled_end_after,
        scheduled_end_before=scheduled_end_before,
        provider_uuid=service_provider_uuid,
        timing_buckets=buckets,
        words=search_words(query),
    )


Filters = Annotated[ListQuery, Depends(announcement_filters)]
ORDERING_HELP = (f"Ordering: {', '.join(ORDER_KEYS)}; prefix with - for descending. Repeat or comma-separate "
                 f"(o=name,-created) for ties, at most {MAX_ORDER_KEYS} keys.")
Ordering = Annotated[list[str] | None, Query(description=ORDERING_HELP)]


async def announcement_list(filters: Filters, o: Ordering = None, page: PageNumber = 1,
                      page_size: PageSize = DEFAULT_PAGE_SIZE) -> ListQuery:
    return replace(filters, ordering=ordering(o or ()) or filters.ordering, page=page, page_size=page_size)


async def public_list(filters: Filters, o: Ordering = None, page: PageNumber = 1,
                page_size: PageSize = DEFAULT_PAGE_SIZE) -> ListQuery:
    return replace(filters, ordering=ordering(o or ()) or PUBLIC_ORDERING, page=page, page_size=page_size)


AnnouncementList = Annotated[ListQuery, Depends(announcement_list)]
PublicList = Annotated[ListQuery, Depends(public_list)]


def parse_day(value: str | None, name: str) -> date | None:
    """A YYYY-MM-DD date, or None when not given."""
    if value is None or value == "":
        return None
    try:
        if len(value) != 10:
            raise ValueError(value)
        day = date.fromisoformat(value)
    except ValueError:
        raise Invalid.one(name, f"{name} must be in YYYY-MM-DD format") from None
    if day > LAST_DAY:
        raise Invalid.one(name, f"{name} must be a date before {LAST_DAY.isoformat()}")
    return day
