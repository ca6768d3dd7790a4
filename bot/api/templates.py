"""Announcement templates and their offerings:
`/api/maintenance-announcements-template/` and `/api/maintenance-announcement-template-offerings/`.

Templates are stored presets, seen and managed by their provider's managers (and admins); to anyone
else they do not exist (404). A template's provider, and a template offering's template and offering,
are fixed once created.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from bot.api import schemas, wire
from bot.api.affected import impact_fields, unchanged
from bot.api.auth import Caller
from bot.api.deps import DomainServices, RequestLinks
from bot.api.links import linked_uuid, path_uuid
from bot.api.pagination import COUNT_RESPONSE, LIST_HEADERS, PageNumber, PageSize, counted, paginated
from bot.domain.announcements import AffectedInput
from bot.domain.enums import Impact, MaintenanceType
from bot.domain.listing import DEFAULT_PAGE_SIZE

templates = APIRouter(prefix="/api/maintenance-announcements-template", tags=["maintenance-announcements-template"])
template_offerings = APIRouter(
    prefix="/api/maintenance-announcement-template-offerings", tags=["maintenance-announcement-template-offerings"]
)

ProviderUuid = Annotated[UUID | None, Query(description="Service provider UUID")]
TypeFilter = Annotated[MaintenanceType | None, Query(description="Maintenance type")]
TemplateOrdering = Annotated[list[schemas.TemplateOrderKey] | None, Query(description="Ordering")]
LinkOrdering = Annotated[list[schemas.TemplateOfferingOrderKey] | None, Query(description="Ordering")]


def template_fields(body: BaseModel) -> dict[str, Any]:
    fields = body.model_dump(exclude_unset=True, exclude={"service_provider"})
    if "maintenance_type" in fields:
        fields["maintenance_type"] = int(fields["maintenance_type"])
    return fields


# -- templates --------------------------------------------------------------------------------------


def _list_templates(actor, services, service_provider_uuid, maintenance_type, o, page, page_size):
    return services.templates.list(
        actor,
        provider_uuid=service_provider_uuid,
        maintenance_type=int(maintenance_type) if maintenance_type is not None else None,
        ordering=o[0] if o else "-created",
        page=page,
        page_size=page_size,
    )


@templates.get(
    "/",
    operation_id="maintenance_announcements_template_list",
    summary="List announcement templates",
    response_model=list[schemas.Template],
    responses={200: {"headers": LIST_HEADERS}, **schemas.refusals(400, 401, 404)},
)
def list_templates(
    request: Request,
    actor: Caller,
    services: DomainServices,
    links: RequestLinks,
    service_provider_uuid: ProviderUuid = None,
    maintenance_type: TypeFilter = None,
    o: TemplateOrdering = None,
    page: PageNumber = 1,
    page_size: PageSize = DEFAULT_PAGE_SIZE,
):
    result = _list_templates(actor, services, service_provider_uuid, maintenance_type, o, page, page_size)
    return paginated(request, result, [wire.template(view, links) for view in result.items])


@templates.head(
    "/",
    operation_id="maintenance_announcements_template_count",
    summary="Count announcement templates",
    responses={200: COUNT_RESPONSE, **schemas.refusals(400, 401)},
)
def count_templates(
    actor: Caller,
    services: DomainServices,
    service_provider_uuid: ProviderUuid = None,
    maintenance_type: TypeFilter = None,
) -> Response:
    return counted(_list_templates(actor, services, service_provider_uuid, maintenance_type, None, 1, 1).count)


@templates.post(
    "/",
    operation_id="maintenance_announcements_template_create",
    summary="Create an announcement template",
    status_code=201,
    response_model=schemas.Template,
    responses=schemas.refusals(400, 401, 403),
)
def create_template(body: schemas.TemplateRequest, actor: Caller, services: DomainServices, links: RequestLinks):
    fields = template_fields(body) | {"provider": linked_uuid(body.service_provider, "service_provider")}
    return JSONResponse(wire.template(services.templates.create(actor, fields), links), status_code=201)


@templates.get(
    "/{uuid}/",
    operation_id="maintenance_announcements_template_retrieve",
    summary="Retrieve an announcement template",
    response_model=schemas.Template,
    responses=schemas.refusals(401, 404),
)
def retrieve_template(uuid: str, actor: Caller, services: DomainServices, links: RequestLinks):
    return JSONResponse(wire.template(services.templates.get(actor, path_uuid(uuid)), links))


def _update_template(uuid: str, body: BaseModel, actor, services, links) -> JSONResponse:
    current = services.templates.get(actor, path_uuid(uuid))
    unchanged(body.model_dump(exclude_unset=True), "service_provider", current.provider_uuid)
    return JSONResponse(wire.template(services.templates.update(actor, current.uuid, template_fields(body)), links))


@templates.put(
    "/{uuid}/",
    operation_id="maintenance_announcements_template_update",
    summary="Update an announcement template",
    response_model=schemas.Template,
    responses=schemas.refusals(400, 401, 403, 404),
)
def update_template(
    uuid: str, body: schemas.TemplateRequest, actor: Caller, services: DomainServices, links: RequestLinks
):
    return _update_template(uuid, body, actor, services, links)


@templates.patch(
    "/{uuid}/",
    operation_id="maintenance_announcements_template_partial_update",
    summary="Partially update an announcement template",
    response_model=schemas.Template,
    responses=schemas.refusals(400, 401, 403, 404),
)
def patch_template(
    uuid: str, body: schemas.PatchedTemplateRequest, actor: Caller, services: DomainServices, links: RequestLinks
):
    return _update_template(uuid, body, actor, services, links)


@templates.delete(
    "/{uuid}/",
    operation_id="maintenance_announcements_template_destroy",
    summary="Delete an announcement template",
    status_code=204,
    response_class=Response,
    responses=schemas.refusals(401, 403, 404),
)
def delete_template(uuid: str, actor: Caller, services: DomainServices) -> Response:
    services.templates.delete(actor, path_uuid(uuid))
    return Response(status_code=204)


# -- template offerings -----------------------------------------------------------------------------


def _list_links(actor, services, template_uuid, provider_uuid, offering_uuid, impact_level, o, page, page_size):
    return services.templates.list_offerings(
        actor,
        template_uuid=template_uuid,
        provider_uuid=provider_uuid,
        offering_uuid=offering_uuid,
        impact_level=int(impact_level) if impact_level is not None else None,
        ordering=o[0] if o else "-created",
        page=page,
        page_size=page_size,
    )


TemplateUuid = Annotated[UUID | None, Query(description="Maintenance template UUID")]
OfferingUuid = Annotated[UUID | None, Query(description="Offering UUID")]
ImpactFilter = Annotated[Impact | None, Query(description="Impact level")]


@template_offerings.get(
    "/",
    operation_id="maintenance_announcement_template_offerings_list",
    summary="List template offerings",
    response_model=list[schemas.TemplateOffering],
    responses={200: {"headers": LIST_HEADERS}, **schemas.refusals(400, 401, 404)},
)
def list_template_offerings(
    request: Request,
    actor: Caller,
    services: DomainServices,
    links: RequestLinks,
    maintenance_template_uuid: TemplateUuid = None,
    service_provider_uuid: ProviderUuid = None,
    offering_uuid: OfferingUuid = None,
    impact_level: ImpactFilter = None,
    o: LinkOrdering = None,
    page: PageNumber = 1,
    page_size: PageSize = DEFAULT_PAGE_SIZE,
):
    result = _list_links(
        actor, services, maintenance_template_uuid, service_provider_uuid, offering_uuid, impact_level, o, page,
        page_size,
    )
    return paginated(request, result, [wire.template_offering(view, links) for view in result.items])


@template_offerings.head(
    "/",
    operation_id="maintenance_announcement_template_offerings_count",
    summary="Count template offerings",
    responses={200: COUNT_RESPONSE, **schemas.refusals(400, 401)},
)
def count_template_offerings(
    actor: Caller,
    services: DomainServices,
    maintenance_template_uuid: TemplateUuid = None,
    service_provider_uuid: ProviderUuid = None,
    offering_uuid: OfferingUuid = None,
    impact_level: ImpactFilter = None,
) -> Response:
    result = _list_links(
        actor, services, maintenance_template_uuid, service_provider_uuid, offering_uuid, impact_level, None, 1, 1
    )
    return counted(result.count)


@template_offerings.post(
    "/",
    operation_id="maintenance_announcement_template_offerings_create",
    summary="Add an offering to a template",
    status_code=201,
    response_model=schemas.TemplateOffering,
    responses=schemas.refusals(400, 401, 403, 404),
)
def create_template_offering(
    body: schemas.TemplateOfferingRequest, actor: Caller, services: DomainServices, links: RequestLinks
):
    item = AffectedInput(offering=linked_uuid(body.offering, "offering"), **impact_fields(body))
    template = linked_uuid(body.maintenance_template, "maintenance_template")
    return JSONResponse(wire.template_offering(services.templates.add_offering(actor, template, item), links),
                        status_code=201)


@template_offerings.get(
    "/{uuid}/",
    operation_id="maintenance_announcement_template_offerings_retrieve",
    summary="Retrieve a template offering",
    response_model=schemas.TemplateOffering,
    responses=schemas.refusals(401, 404),
)
def retrieve_template_offering(uuid: str, actor: Caller, services: DomainServices, links: RequestLinks):
    return JSONResponse(wire.template_offering(services.templates.get_offering(actor, path_uuid(uuid)), links))


def _update_link(uuid: str, body: BaseModel, actor, services, links) -> JSONResponse:
    current = services.templates.get_offering(actor, path_uuid(uuid))
    sent = body.model_dump(exclude_unset=True)
    unchanged(sent, "maintenance_template", current.template_uuid)
    unchanged(sent, "offering", current.offering.uuid)
    view = services.templates.update_offering(actor, current.uuid, impact_fields(body))
    return JSONResponse(wire.template_offering(view, links))


@template_offerings.put(
    "/{uuid}/",
    operation_id="maintenance_announcement_template_offerings_update",
    summary="Update a template offering's impact",
    response_model=schemas.TemplateOffering,
    responses=schemas.refusals(400, 401, 403, 404),
)
def update_template_offering(
    uuid: str, body: schemas.TemplateOfferingRequest, actor: Caller, services: DomainServices, links: RequestLinks
):
    return _update_link(uuid, body, actor, services, links)


@template_offerings.patch(
    "/{uuid}/",
    operation_id="maintenance_announcement_template_offerings_partial_update",
    summary="Partially update a template offering's impact",
    response_model=schemas.TemplateOffering,
    responses=schemas.refusals(400, 401, 403, 404),
)
def patch_template_offering(
    uuid: str, body: schemas.PatchedTemplateOfferingRequest, actor: Caller, services: DomainServices,
    links: RequestLinks
):
    return _update_link(uuid, body, actor, services, links)


@template_offerings.delete(
    "/{uuid}/",
    operation_id="maintenance_announcement_template_offerings_destroy",
    summary="Remove an offering from a template",
    status_code=204,
    response_class=Response,
    responses=schemas.refusals(401, 403, 404),
)
def delete_template_offering(uuid: str, actor: Caller, services: DomainServices) -> Response:
    services.templates.remove_offering(actor, path_uuid(uuid))
    return Response(status_code=204)
