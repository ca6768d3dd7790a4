"""Plain read models handed to interfaces: what an actor may see of a thing, nothing more."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Generic, TypeVar
from uuid import UUID

from bot.domain.enums import Impact, MaintenanceType, State, TimingBucket

T = TypeVar("T")


@dataclass(frozen=True)
class ProviderView:
    uuid: UUID
    name: str
    channel_id: str
    stats_channel_id: str | None
    manager_users: tuple[str, ...]
    manager_groups: tuple[str, ...]
    auto_start: bool
    reminders: str | None
    silence_matchers: str = ""  # Alertmanager matchers its offerings use when they have none (bot/domain/matchers.py)
    silence_at_start: bool = False  # silences begin at the scheduled start, before anyone presses Start


@dataclass(frozen=True)
class OfferingView:
    uuid: UUID
    name: str
    provider_uuid: UUID
    provider_name: str
    silence_matchers: str = ""  # its own Alertmanager matchers; "": the provider's


@dataclass(frozen=True)
class AffectedView:
    uuid: UUID
    announcement_uuid: UUID
    offering: OfferingView
    impact_level: Impact
    impact_description: str
    created: datetime


@dataclass(frozen=True)
class AnnouncementView:
    """One announcement as an actor sees it; `internal_notes` is None when they may not see it."""

    uuid: UUID
    name: str
    message: str
    internal_notes: str | None
    maintenance_type: MaintenanceType
    external_reference_url: str
    state: State
    scheduled_start: datetime
    scheduled_end: datetime
    actual_start: datetime | None
    actual_end: datetime | None
    provider_uuid: UUID
    provider_name: str
    created_by: str
    backend_id: str
    sequence: int
    created: datetime
    modified: datetime
    affected: tuple[AffectedView, ...]
    overrun_minutes: int | None
    start_delta_minutes: int | None
    timing_bucket: TimingBucket
    can_manage: bool
    #: The series it is an occurrence of (bot/domain/series.py), and which one (the rule's local date).
    series_uuid: UUID | None = None
    series_occurrence: date | None = None

    @property
    def short_id(self) -> str:
        return self.uuid.hex[:8]


@dataclass(frozen=True)
class TemplateOfferingView:
    uuid: UUID
    template_uuid: UUID
    offering: OfferingView
    impact_level: Impact
    impact_description: str


@dataclass(frozen=True)
class TemplateView:
    uuid: UUID
    name: str
    message: str
    maintenance_type: MaintenanceType
    provider_uuid: UUID
    provider_name: str
    offerings: tuple[TemplateOfferingView, ...]
    created: datetime


@dataclass(frozen=True)
class SubscriptionView:
    channel_id: str
    offering: OfferingView | None
    provider_uuid: UUID
    provider_name: str
    namesakes: tuple[str, ...] = ()  # offerings (`Provider/Offering`) named like the provider subscribed to

    @property
    def target(self) -> str:
        return f"{self.offering.name} ({self.provider_name})" if self.offering else f"all of {self.provider_name}"


@dataclass(frozen=True)
class EventView:
    created: datetime
    actor: str
    interface: str
    action: str
    message: str
    changes: dict


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing, with the total count and what is needed for prev/next links."""

    items: list[T]
    count: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


@dataclass(frozen=True)
class DailyStats:
    date: date
    count: int
    by_state: dict[str, int]


@dataclass(frozen=True)
class ProviderStats:
    uuid: UUID
    name: str
    total: int
    active: int
    scheduled: int
    completed: int


@dataclass(frozen=True)
class Stats:
    """The statistics of DESIGN §2, keyed as the seed API keys them."""

    summary: dict[str, float | int | None]
    by_state: dict[str, int]
    by_type: dict[str, int]
    by_impact_level: dict[str, int]
    daily: list[DailyStats] = field(default_factory=list)
    providers: list[ProviderStats] = field(default_factory=list)
    #: The window the figures cover, first and last day, with the defaults filled in.
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class SeriesOfferingView:
    offering: OfferingView
    impact_level: Impact
    impact_description: str


@dataclass(frozen=True)
class SeriesExceptionView:
    """One occurrence taken out of the rule (`start` None: skipped) or moved to `start` (naive local time)."""

    day: date
    start: datetime | None


@dataclass(frozen=True)
class SeriesView:
    """A recurring maintenance series as its managers see it (series are their provider's managers' alone)."""

    uuid: UUID
    name: str
    message: str
    internal_notes: str
    maintenance_type: MaintenanceType
    external_reference_url: str
    provider_uuid: UUID
    provider_name: str
    offerings: tuple[SeriesOfferingView, ...]
    rrule: str  # canonical RFC 5545 RRULE text, without "RRULE:"
    timezone: str  # IANA zone name
    first_day: date  # DTSTART's local date
    start_time: time  # local wall-clock time
    duration_minutes: int
    horizon_days: int
    publish_days_before: int | None  # None: occurrences stay drafts
    exceptions: tuple[SeriesExceptionView, ...]
    ended: datetime | None
    created_by: str
    created: datetime
    modified: datetime
    description: str  # the rule in plain words ("every month on second Tuesday")

    @property
    def short_id(self) -> str:
        return self.uuid.hex[:8]


@dataclass(frozen=True)
class OccurrenceView:
    """One computed occurrence of a series, and its announcement once created (None before; a skipped one is
    not listed)."""

    day: date  # the rule's local date: the occurrence's identity
    scheduled_start: datetime  # aware UTC
    scheduled_end: datetime
    local_start: datetime  # naive, in the series' zone, as the rule (or the move) states it
    moved: bool
    announcement_uuid: UUID | None
    state: State | None


@dataclass(frozen=True)
class SeriesChange:
    """What a series operation did to its occurrences.

    `withdrawn`: unpublished occurrences deleted; `updated`: occurrences rewritten to the new preset/times;
    `cancelled`: published ones cancelled (only with cancel_published=True); `published_left`: published,
    not yet started occurrences the change would concern, left as they are (ask, then call again with
    cancel_published=True)."""

    series: SeriesView | None
    withdrawn: tuple[UUID, ...] = ()
    updated: tuple[UUID, ...] = ()
    cancelled: tuple[UUID, ...] = ()
    published_left: tuple[AnnouncementView, ...] = ()
