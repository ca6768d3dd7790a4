"""`/api/public-maintenance-announcements/`: what everyone may see, without a token.

Read-only (list, retrieve, HEAD; any other method is 405), published states only (Scheduled,
In progress, Completed: a Draft or Cancelled one is 404), public fields only (no internal notes,
creator, provider link, backend id or timing fields). Same filters and pagination as the
authenticated list (the `query` words too: they match published wording only, never a draft or internal
notes); default ordering `-scheduled_start`. A token, if sent, changes nothing here.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from bot.api import schemas, wire
from bot.api.auth import ANONYMOUS
from bot.api.deps import DomainServices, RequestLinks
from bot.api.links import path_uuid
from bot.api.pagination import COUNT_RESPONSE, LIST_HEADERS, counted, paginated
from bot.api.queries import PublicList

router = APIRouter(prefix="/api/public-maintenance-announcements", tags=["public-maintenance-announcements"])


@router.get(
    "/",
    operation_id="public_maintenance_announcements_list",
    summary="List published maintenance announcements",
    response_model=list[schemas.PublicAnnouncement],
    responses={200: {"headers": LIST_HEADERS}, **schemas.refusals(400, 404)},
)
def list_public(request: Request, services: DomainServices, links: RequestLinks, query: PublicList):
    page = services.announcements.list(ANONYMOUS, query)
    return paginated(request, page, [wire.public_announcement(view, links) for view in page.items])


@router.head(
    "/",
    operation_id="public_maintenance_announcements_count",
    summary="Count published maintenance announcements",
    responses={200: COUNT_RESPONSE, **schemas.refusals(400)},
)
def count_public(services: DomainServices, query: PublicList) -> Response:
    return counted(services.announcements.count(ANONYMOUS, query))


@router.get(
    "/{uuid}/",
    operation_id="public_maintenance_announcements_retrieve",
    summary="Retrieve a published maintenance announcement",
    response_model=schemas.PublicAnnouncement,
    responses=schemas.refusals(404),
)
def retrieve_public(uuid: str, services: DomainServices, links: RequestLinks):
    return JSONResponse(wire.public_announcement(services.announcements.get(ANONYMOUS, path_uuid(uuid)), links))
