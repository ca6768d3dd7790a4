"""Recurring maintenance series: `/api/maintenance-series/` (an extension; the seed has no series).

Series are seen and managed by their provider's managers (and admins), like templates; to anyone else they do
not exist (404). A series' provider is fixed once created. `GET …/{uuid}/occurrences/?start=&end=` computes its
occurrences between two dates IN THE SERIES' TIME ZONE (both included; at most 731 days), also the ones not
created yet (`announcement` null). Ending and deleting withdraw future unpublished occurrences; published ones
are cancelled only with `?cancel_published=true` (else they stay, listed in the answer's `published_left`).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from bot.api import schemas
from bot.api.auth import Caller
from bot.api.deps import DomainServices, RequestLinks
from bot.api.links import Links, linked_uuid, path_uuid
from bot.api.pagination import LIST_HEADERS, PageNumber, PageSize, paginated
from bot.api.schemas import Body, Link, Text, optional
from bot.api.wire import api_time
from bot.domain import recurrence
from bot.domain.announcements import AffectedInput
from bot.domain.enums import Impact, MaintenanceType
from bot.domain.errors import Invalid
from bot.domain.listing import DEFAULT_PAGE_SIZE
from bot.domain.series import MAX_RANGE
from bot.domain.views import OccurrenceView, SeriesChange, SeriesView

router = APIRouter(prefix="/api/maintenance-series", tags=["maintenance-series"])

ProviderUuid = Annotated[UUID | None, Query(description="Service provider UUID")]
CancelPublished = Annotated[bool, Query(description="Also cancel published occurrences not yet started")]


def series_link(links: Links, uuid: UUID) -> str:
    return links.series(uuid)


# -- wire -------------------------------------------------------------------------------------------


class SeriesOfferingRequest(Body):
    offering: Link = Field(description="Hyperlink to (or uuid of) the offering every occurrence affects")
    impact_level: Impact = optional(description="1 No impact, 2 Degraded performance (default), 3 Partial, 4 Full")
    impact_description: Text = optional()


class SeriesRequest(Body):
    name: Text = Field(description="Up to 150 characters, not blank")
    message: Text = optional()
    internal_notes: Text = optional()
    maintenance_type: MaintenanceType = optional()
    external_reference_url: Text = optional()
    service_provider: Link
    affected_offerings: list[SeriesOfferingRequest] = optional()
    rrule: Text = Field(description="RFC 5545 RRULE: FREQ=DAILY|WEEKLY|MONTHLY, INTERVAL, BYDAY (2TU, -1SU), "
                                    "BYMONTHDAY, COUNT or UNTIL")
    timezone: Text = Field(description="IANA time zone, like Europe/Tallinn")
    start_time: Text = Field(description="Local wall-clock start, HH:MM")
    duration_minutes: int = Field(description="1 to 10080")
    first_day: date = optional(description="DTSTART's local date (default: today in the zone)")
    horizon_days: int = optional(description="Create occurrences this many days ahead (default 30, at most 366)")
    publish_days_before: int | None = Field(default=None, description="Publish each occurrence this many days "
                                                                      "before it starts; null: keep them drafts")


class PatchedSeriesRequest(Body):
    name: Text = optional()
    message: Text = optional()
    internal_notes: Text = optional()
    maintenance_type: MaintenanceType = optional()
    external_reference_url: Text = optional()
    service_provider: Link = optional()
    affected_offerings: list[SeriesOfferingRequest] = optional()
    rrule: Text = optional()
    timezone: Text = optional()
    start_time: Text = optional()
    duration_minutes: int = optional()
    first_day: date = optional()
    horizon_days: int = optional()
    publish_days_before: int | None = Field(default=None)


class SkipRequest(Body):
    day: date = Field(description="The occurrence's date by the rule (local)")


class MoveRequest(Body):
    day: date = Field(description="The occurrence's date by the rule (local)")
    start: datetime = Field(description="New start: local wall-clock time in the series' zone (no offset), "
                                        "or an instant (with an offset or Z)")


class SeriesOffering(BaseModel):
    offering: schemas.Url
    offering_name: str
    impact_level: int
    impact_description: str


class SeriesException(BaseModel):
    day: date
    start: str | None = Field(description="Moved to this local time; null: skipped")


class Series(BaseModel):
    url: schemas.Url
    uuid: schemas.Hex
    name: str
    message: str
    internal_notes: str
    maintenance_type: MaintenanceType
    external_reference_url: str
    service_provider: schemas.Url
    service_provider_name: str
    affected_offerings: list[SeriesOffering]
    rrule: str
    timezone: str
    start_time: str
    duration_minutes: int
    first_day: date
    horizon_days: int
    publish_days_before: int | None
    exceptions: list[SeriesException]
    ended: datetime | None
    description: str
    occurrences: schemas.Url
    created: datetime
    modified: datetime


class SeriesChangeBody(Series):
    withdrawn: list[str]
    updated: list[str]
    cancelled: list[str]
    published_left: list[schemas.Url]


class Occurrence(BaseModel):
    scheduled_start: datetime
    scheduled_end: datetime
    announcement: schemas.Url | None
    day: date
    local_start: str
    moved: bool
    state: str | None


def series_body(view: SeriesView, links: Links) -> dict[str, Any]:
    url = series_link(links, view.uuid)
    return {
        "url": url,
        "uuid": view.uuid.hex,
        "name": view.name,
        "message": view.message,
        "internal_notes": view.internal_notes,
        "maintenance_type": int(view.maintenance_type),
        "external_reference_url": view.external_reference_url,
        "service_provider": links.provider(view.provider_uuid),
        "service_provider_name": view.provider_name,
        "affected_offerings": [
            {"offering": links.offering(o.offering.uuid), "offering_name": o.offering.name,
             "impact_level": int(o.impact_level), "impact_description": o.impact_description}
            for o in view.offerings
        ],
        "rrule": view.rrule,
        "timezone": view.timezone,
        "start_time": view.start_time.strftime("%H:%M"),
        "duration_minutes": view.duration_minutes,
        "first_day": view.first_day.isoformat(),
        "horizon_days": view.horizon_days,
        "publish_days_before": view.publish_days_before,
        "exceptions": [{"day": e.day.isoformat(), "start": e.start.isoformat(timespec="minutes") if e.start else None}
                       for e in view.exceptions],
        "ended": api_time(view.ended),
        "description": view.description,
        "occurrences": f"{url}occurrences/",
        "created": api_time(view.created),
        "modified": api_time(view.modified),
    }


def change_body(change: SeriesChange, links: Links) -> dict[str, Any]:
    return series_body(change.series, links) | {
        "withdrawn": [u.hex for u in change.withdrawn],
        "updated": [u.hex for u in change.updated],
        "cancelled": [u.hex for u in change.cancelled],
        "published_left": [links.announcement(a.uuid) for a in change.published_left],
    }


def occurrence_body(view: OccurrenceView, links: Links) -> dict[str, Any]:
    return {
        "scheduled_start": api_time(view.scheduled_start),
        "scheduled_end": api_time(view.scheduled_end),
        "announcement": links.announcement(view.announcement_uuid) if view.announcement_uuid else None,
        "day": view.day.isoformat(),
        "local_start": view.local_start.isoformat(timespec="minutes"),
        "moved": view.moved,
        "state": view.state.label if view.state is not None else None,
    }


def series_fields(body: BaseModel) -> dict[str, Any]:
    fields = body.model_dump(exclude_unset=True, exclude={"service_provider", "affected_offerings"})
    if "maintenance_type" in fields:
        fields["maintenance_type"] = int(fields["maintenance_type"])
    items = getattr(body, "affected_offerings", None)
    if items is not None:
        fields["offerings"] = [
            AffectedInput(linked_uuid(item.offering, f"affected_offerings.{index}.offering"),
                          int(item.impact_level) if item.impact_level is not None else int(Impact.DEGRADED),
                          item.impact_description or "")
            for index, item in enumerate(items)
        ]
    if getattr(body, "service_provider", None) is not None:
        fields["provider"] = linked_uuid(body.service_provider, "service_provider")
    return fields


# -- endpoints --------------------------------------------------------------------------------------


@router.get("/", operation_id="maintenance_series_list", summary="List recurring maintenance series",
            response_model=list[Series], responses={200: {"headers": LIST_HEADERS}, **schemas.refusals(400, 401, 404)})
def list_series(request: Request, actor: Caller, services: DomainServices, links: RequestLinks,
                service_provider_uuid: ProviderUuid = None, page: PageNumber = 1,
                page_size: PageSize = DEFAULT_PAGE_SIZE):
    result = services.series.list(actor, provider_uuid=service_provider_uuid, page=page, page_size=page_size)
    return paginated(request, result, [series_body(view, links) for view in result.items])


@router.post("/", operation_id="maintenance_series_create", summary="Create a recurring maintenance series",
             status_code=201, response_model=Series, responses=schemas.refusals(400, 401, 403, 404))
def create_series(body: SeriesRequest, actor: Caller, services: DomainServices, links: RequestLinks):
    return JSONResponse(series_body(services.series.create(actor, series_fields(body)), links), status_code=201)


@router.get("/{uuid}/", operation_id="maintenance_series_retrieve", summary="Retrieve a series",
            response_model=Series, responses=schemas.refusals(401, 404))
def retrieve_series(uuid: str, actor: Caller, services: DomainServices, links: RequestLinks):
    return JSONResponse(series_body(services.series.get(actor, path_uuid(uuid)), links))


def _update(uuid: str, body: BaseModel, actor, services, links, cancel_published: bool) -> JSONResponse:
    change = services.series.update(actor, path_uuid(uuid), series_fields(body), cancel_published=cancel_published)
    return JSONResponse(change_body(change, links))


@router.put("/{uuid}/", operation_id="maintenance_series_update", summary="Update a series",
            response_model=SeriesChangeBody, responses=schemas.refusals(400, 401, 403, 404, 409))
def update_series(uuid: str, body: SeriesRequest, actor: Caller, services: DomainServices, links: RequestLinks,
                  cancel_published: CancelPublished = False):
    return _update(uuid, body, actor, services, links, cancel_published)


@router.patch("/{uuid}/", operation_id="maintenance_series_partial_update", summary="Partially update a series",
              response_model=SeriesChangeBody, responses=schemas.refusals(400, 401, 403, 404, 409))
def patch_series(uuid: str, body: PatchedSeriesRequest, actor: Caller, services: DomainServices,
                 links: RequestLinks, cancel_published: CancelPublished = False):
    return _update(uuid, body, actor, services, links, cancel_published)


@router.delete("/{uuid}/", operation_id="maintenance_series_destroy", summary="Delete a series", status_code=204,
               response_class=Response, responses=schemas.refusals(400, 401, 403, 404, 409))
def delete_series(uuid: str, actor: Caller, services: DomainServices,
                  cancel_published: CancelPublished = False) -> Response:
    services.series.delete(actor, path_uuid(uuid), cancel_published=cancel_published)
    return Response(status_code=204)


@router.post("/{uuid}/end/", operation_id="maintenance_series_end", summary="End a series now",
             response_model=SeriesChangeBody, responses=schemas.refusals(400, 401, 403, 404, 409))
def end_series(uuid: str, actor: Caller, services: DomainServices, links: RequestLinks,
               cancel_published: CancelPublished = False):
    return JSONResponse(change_body(services.series.end(actor, path_uuid(uuid), cancel_published=cancel_published),
                                    links))


@router.post("/{uuid}/skip/", operation_id="maintenance_series_skip", summary="Skip one occurrence",
             response_model=SeriesChangeBody, responses=schemas.refusals(400, 401, 403, 404, 409))
def skip_occurrence(uuid: str, body: SkipRequest, actor: Caller, services: DomainServices, links: RequestLinks,
                    cancel_published: CancelPublished = False):
    change = services.series.skip(actor, path_uuid(uuid), body.day, cancel_published=cancel_published)
    return JSONResponse(change_body(change, links))


@router.post("/{uuid}/move/", operation_id="maintenance_series_move", summary="Move one occurrence",
             response_model=SeriesChangeBody, responses=schemas.refusals(400, 401, 403, 404, 409))
def move_occurrence(uuid: str, body: MoveRequest, actor: Caller, services: DomainServices, links: RequestLinks):
    return JSONResponse(change_body(services.series.move(actor, path_uuid(uuid), body.day, body.start), links))


@router.get("/{uuid}/occurrences/", operation_id="maintenance_series_occurrences",
            summary="Occurrences of a series between two local dates (both included)",
            response_model=list[Occurrence], responses=schemas.refusals(400, 401, 404))
def list_occurrences(uuid: str, actor: Caller, services: DomainServices, links: RequestLinks,
                     start: Annotated[date | None, Query(description="First local date (default: today)")] = None,
                     end: Annotated[date | None, Query(description="Last local date (default: a year on)")] = None):
    view = services.series.get(actor, path_uuid(uuid))
    zone = recurrence.zone(view.timezone)
    first = start or services.context.clock.now().astimezone(zone).date()
    last = end or first + timedelta(days=365)
    if not date(2000, 1, 1) <= first <= date(2100, 12, 30) or not date(2000, 1, 1) <= last <= date(2100, 12, 30):
        raise Invalid.one("start", "Dates lie in the years 2000–2100.")
    if last < first:
        raise Invalid.one("end", "The end must not be before the start.")
    if (last - first).days + 1 > MAX_RANGE.days:
        raise Invalid.one("end", f"Ask for at most {MAX_RANGE.days} days at once.")
    low = datetime.combine(first, time.min).replace(tzinfo=zone)
    high = datetime.combine(last + timedelta(days=1), time.min).replace(tzinfo=zone)
    found = services.series.occurrences(actor, view.uuid, low, high)
    return JSONResponse([occurrence_body(o, links) for o in found])
