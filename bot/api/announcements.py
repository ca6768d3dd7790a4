"""`/api/maintenance-announcements/`: the seed's CRUD, the five actions, HEAD counts and statistics.

Each endpoint reads the request into domain terms, makes one call into `services.announcements` (or
`services.statistics`), and renders the result; refusals are rendered by `bot.api.errors`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from bot.api import schemas, wire
from bot.api.auth import Caller
from bot.api.deps import DomainServices, RequestLinks
from bot.api.links import linked_uuid, path_uuid
from bot.api.pagination import COUNT_RESPONSE, LIST_HEADERS, counted, paginated
from bot.api.queries import AnnouncementList, Filters, parse_day
from bot.domain.enums import Action
from bot.domain.lifecycle import PAST_TENSE

router = APIRouter(prefix="/api/maintenance-announcements", tags=["maintenance-announcements"])

ACTIONS = {
    "schedule": (Action.SCHEDULE, "Schedule/publish: Draft → Scheduled; it becomes visible to everyone."),
    "unschedule": (Action.UNSCHEDULE, "Unschedule/unpublish: Scheduled → Draft; it is hidden again."),
    "start_maintenance": (Action.START, "Start: Scheduled → In progress; sets actual_start if unset."),
    "complete_maintenance": (Action.COMPLETE, "Complete: In progress → Completed; sets actual_end if unset."),
    "cancel_maintenance": (Action.CANCEL, "Cancel: Draft or Scheduled → Cancelled."),
}


def announcement_fields(body: BaseModel) -> dict[str, Any]:
    """A request body as the domain's fields: only what was sent, the provider link as its uuid."""
    fields = body.model_dump(exclude_unset=True)
    if "service_provider" in fields:
        fields["provider"] = linked_uuid(fields.pop("service_provider"), "service_provider")
    if "maintenance_type" in fields:
        fields["maintenance_type"] = int(fields["maintenance_type"])
    return fields


@router.get(
    "/",
    operation_id="maintenance_announcements_list",
    summary="List maintenance announcements",
    response_model=list[schemas.Announcement],
    responses={200: {"headers": LIST_HEADERS}, **schemas.refusals(400, 401, 404)},
)
def list_announcements(
    request: Request, actor: Caller, services: DomainServices, links: RequestLinks, query: AnnouncementList
):
    page = services.announcements.list(actor, query)
    return paginated(request, page, [wire.announcement(view, links) for view in page.items])


@router.head(
    "/",
    operation_id="maintenance_announcements_count",
    summary="Count maintenance announcements",
    responses={200: COUNT_RESPONSE, **schemas.refusals(400, 401)},
)
def count_announcements(actor: Caller, services: DomainServices, query: AnnouncementList) -> Response:
    return counted(services.announcements.count(actor, query))


@router.post(
    "/",
    operation_id="maintenance_announcements_create",
    summary="Create a maintenance announcement (in Draft)",
    status_code=201,
    response_model=schemas.Announcement,
    responses=schemas.refusals(400, 401, 403),
)
def create_announcement(
    body: schemas.AnnouncementRequest, actor: Caller, services: DomainServices, links: RequestLinks
):
    view = services.announcements.create(actor, announcement_fields(body))
    return JSONResponse(wire.announcement(view, links), status_code=201)


def _statistics(actor, services, filters, start: str | None, end: str | None, provider_uuid: UUID | None):
    """`provider_uuid` is the statistics' own spelling of the `service_provider_uuid` filter."""
    query = filters if provider_uuid is None else replace(filters, provider_uuid=provider_uuid)
    return services.statistics.compute(actor, parse_day(start, "start"), parse_day(end, "end"), query)


@router.get(
    "/maintenance_stats/",
    operation_id="maintenance_announcements_maintenance_stats_retrieve",
    summary="Maintenance statistics",
    description="Counts by state, type and impact, a daily breakdown and per-provider figures over what the token "
    "may see. An announcement counts when its scheduled start date is on or after `start` and its scheduled end "
    "date on or before `end` (defaults: 90 days ago and 30 days ahead, UTC). The list filters apply too.",
    response_model=schemas.Stats,
    responses=schemas.refusals(400, 401),
)
def maintenance_stats(
    actor: Caller,
    services: DomainServices,
    filters: Filters,
    start: str | None = None,
    end: str | None = None,
    provider_uuid: UUID | None = None,
):
    return JSONResponse(wire.stats(_statistics(actor, services, filters, start, end, provider_uuid)))


@router.head(
    "/maintenance_stats/",
    operation_id="maintenance_announcements_maintenance_stats_count",
    summary="Count the announcements the statistics cover",
    responses={200: COUNT_RESPONSE, **schemas.refusals(400, 401)},
)
def count_maintenance_stats(
    actor: Caller,
    services: DomainServices,
    filters: Filters,
    start: str | None = None,
    end: str | None = None,
    provider_uuid: UUID | None = None,
) -> Response:
    return counted(int(_statistics(actor, services, filters, start, end, provider_uuid).summary["total"] or 0))


@router.get(
    "/{uuid}/",
    operation_id="maintenance_announcements_retrieve",
    summary="Retrieve a maintenance announcement",
    response_model=schemas.Announcement,
    responses=schemas.refusals(401, 404),
)
def retrieve_announcement(uuid: str, actor: Caller, services: DomainServices, links: RequestLinks):
    return JSONResponse(wire.announcement(services.announcements.get(actor, path_uuid(uuid)), links))


@router.put(
    "/{uuid}/",
    operation_id="maintenance_announcements_update",
    summary="Update a maintenance announcement (Draft, Scheduled or In progress)",
    response_model=schemas.Announcement,
    responses=schemas.refusals(400, 401, 403, 404, 409),
)
def update_announcement(
    uuid: str, body: schemas.AnnouncementRequest, actor: Caller, services: DomainServices, links: RequestLinks
):
    view = services.announcements.update(actor, path_uuid(uuid), announcement_fields(body), partial=False)
    return JSONResponse(wire.announcement(view, links))


@router.patch(
    "/{uuid}/",
    operation_id="maintenance_announcements_partial_update",
    summary="Partially update a maintenance announcement (Draft, Scheduled or In progress)",
    response_model=schemas.Announcement,
    responses=schemas.refusals(400, 401, 403, 404, 409),
)
def patch_announcement(
    uuid: str, body: schemas.PatchedAnnouncementRequest, actor: Caller, services: DomainServices, links: RequestLinks
):
    view = services.announcements.update(actor, path_uuid(uuid), announcement_fields(body), partial=True)
    return JSONResponse(wire.announcement(view, links))


@router.delete(
    "/{uuid}/",
    operation_id="maintenance_announcements_destroy",
    summary="Delete a maintenance announcement (any state)",
    status_code=204,
    response_class=Response,
    responses=schemas.refusals(401, 403, 404),
)
def delete_announcement(uuid: str, actor: Caller, services: DomainServices) -> Response:
    services.announcements.delete(actor, path_uuid(uuid))
    return Response(status_code=204)


def _add_action(name: str, action: Action, description: str) -> None:
    done = {"detail": f"Maintenance announcement has been {PAST_TENSE[action]}"}

    def act(uuid: str, actor: Caller, services: DomainServices, links: RequestLinks) -> JSONResponse:
        view = services.announcements.transition(actor, path_uuid(uuid), action)
        if action is Action.SCHEDULE and view.conflicts:  # extension: the publisher is told what it overlaps
            return JSONResponse({**done, "conflicts": wire.conflicts(view, links)})
        return JSONResponse(done)

    router.add_api_route(
        f"/{{uuid}}/{name}/",
        act,
        methods=["POST"],
        operation_id=f"maintenance_announcements_{name}",
        summary=description.split(":")[0],
        description=description,
        response_model=schemas.ActionResponse,
        responses=schemas.refusals(401, 403, 404, 409),
        name=name,
    )


for _name, (_action, _description) in ACTIONS.items():
    _add_action(_name, _action, _description)
