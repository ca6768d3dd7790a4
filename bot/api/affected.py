"""`/api/maintenance-announcement-offerings/`: which offerings an announcement affects, and how badly.

As in the seed: newest first, no filters, and links may be added, changed or removed in any state of
the announcement. A link's `maintenance` and `offering` are fixed once it exists; to move it, delete
it and create another.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from bot.api import schemas, wire
from bot.api.auth import Caller
from bot.api.deps import DomainServices, RequestLinks
from bot.api.links import linked_uuid, path_uuid
from bot.api.pagination import COUNT_RESPONSE, LIST_HEADERS, PageNumber, PageSize, counted, paginated
from bot.domain.announcements import AffectedInput
from bot.domain.fixed_links import require_unchanged
from bot.domain.listing import DEFAULT_PAGE_SIZE

router = APIRouter(prefix="/api/maintenance-announcement-offerings", tags=["maintenance-announcement-offerings"])

def unchanged(fields: dict[str, Any], name: str, current: UUID) -> None:
    """The hyperlink `name`, when sent, must name what the link already joins (`fixed_links`)."""
    if name in fields:
        require_unchanged(name, linked_uuid(fields[name], name), current)


def impact_fields(body: BaseModel) -> dict[str, Any]:
    fields = body.model_dump(exclude_unset=True, include={"impact_level", "impact_description"})
    if "impact_level" in fields:
        fields["impact_level"] = int(fields["impact_level"])
    return fields


@router.get(
    "/",
    operation_id="maintenance_announcement_offerings_list",
    summary="List affected offerings",
    response_model=list[schemas.AffectedOffering],
    responses={200: {"headers": LIST_HEADERS}, **schemas.refusals(400, 401, 404)},
)
def list_links(
    request: Request, actor: Caller, services: DomainServices, links: RequestLinks, page: PageNumber = 1,
    page_size: PageSize = DEFAULT_PAGE_SIZE,
):
    result = services.announcements.list_affected(actor, page, page_size)
    return paginated(request, result, [wire.affected_offering(view, links) for view in result.items])


@router.head(
    "/",
    operation_id="maintenance_announcement_offerings_count",
    summary="Count affected offerings",
    responses={200: COUNT_RESPONSE, **schemas.refusals(401)},
)
def count_links(actor: Caller, services: DomainServices) -> Response:
    return counted(services.announcements.list_affected(actor, 1, 1).count)


@router.post(
    "/",
    operation_id="maintenance_announcement_offerings_create",
    summary="Mark an offering as affected by an announcement",
    status_code=201,
    response_model=schemas.AffectedOffering,
    responses=schemas.refusals(400, 401, 403, 404),
)
def create_link(body: schemas.AffectedOfferingRequest, actor: Caller, services: DomainServices, links: RequestLinks):
    fields = impact_fields(body)
    item = AffectedInput(offering=linked_uuid(body.offering, "offering"), **fields)
    view = services.announcements.add_affected(actor, linked_uuid(body.maintenance, "maintenance"), item)
    return JSONResponse(wire.affected_offering(view, links), status_code=201)


@router.get(
    "/{uuid}/",
    operation_id="maintenance_announcement_offerings_retrieve",
    summary="Retrieve an affected offering",
    response_model=schemas.AffectedOffering,
    responses=schemas.refusals(401, 404),
)
def retrieve_link(uuid: str, actor: Caller, services: DomainServices, links: RequestLinks):
    return JSONResponse(wire.affected_offering(services.announcements.get_affected(actor, path_uuid(uuid)), links))


def _update(uuid: str, body: BaseModel, actor, services, links) -> JSONResponse:
    current = services.announcements.get_affected(actor, path_uuid(uuid))
    sent = body.model_dump(exclude_unset=True)
    unchanged(sent, "maintenance", current.announcement_uuid)
    unchanged(sent, "offering", current.offering.uuid)
    view = services.announcements.update_affected(actor, current.uuid, impact_fields(body))
    return JSONResponse(wire.affected_offering(view, links))


@router.put(
    "/{uuid}/",
    operation_id="maintenance_announcement_offerings_update",
    summary="Update an affected offering's impact",
    response_model=schemas.AffectedOffering,
    responses=schemas.refusals(400, 401, 403, 404),
)
def update_link(
    uuid: str, body: schemas.AffectedOfferingRequest, actor: Caller, services: DomainServices, links: RequestLinks
):
    return _update(uuid, body, actor, services, links)


@router.patch(
    "/{uuid}/",
    operation_id="maintenance_announcement_offerings_partial_update",
    summary="Partially update an affected offering's impact",
    response_model=schemas.AffectedOffering,
    responses=schemas.refusals(400, 401, 403, 404),
)
def patch_link(
    uuid: str, body: schemas.PatchedAffectedOfferingRequest, actor: Caller, services: DomainServices,
    links: RequestLinks,
):
    return _update(uuid, body, actor, services, links)


@router.delete(
    "/{uuid}/",
    operation_id="maintenance_announcement_offerings_destroy",
    summary="Unlink an offering from an announcement",
    status_code=204,
    response_class=Response,
    responses=schemas.refusals(401, 403, 404),
)
def delete_link(uuid: str, actor: Caller, services: DomainServices) -> Response:
    services.announcements.remove_affected(actor, path_uuid(uuid))
    return Response(status_code=204)
