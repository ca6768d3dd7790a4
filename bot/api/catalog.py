"""The provider and offering resources that announcements link to.

`/api/marketplace-service-providers/` and `/api/marketplace-provider-offerings/` are where the
`service_provider` and `offering` hyperlinks point (the paths of the published client). They are
read-only here (providers and offerings are set up by admins in Slack or with the CLI), except one extension:
admins PATCH an offering's `silence_matchers` (the Alertmanager matchers its maintenance silences). The catalog is
small (providers and their offerings, not announcements), so these lists are paged in memory.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from bot.api import schemas, wire
from bot.api.auth import Caller
from bot.api.deps import DomainServices, RequestLinks
from bot.api.links import path_uuid
from bot.api.pagination import LIST_HEADERS, PageNumber, PageSize, paginated
from bot.domain.listing import DEFAULT_PAGE_SIZE, page_bounds
from bot.domain.views import Page

providers = APIRouter(prefix="/api/marketplace-service-providers", tags=["marketplace-service-providers"])
offerings = APIRouter(prefix="/api/marketplace-provider-offerings", tags=["marketplace-provider-offerings"])


def page_of(items: list, page: int, page_size: int) -> Page:
    number, size = page_bounds(page, page_size, len(items))
    return Page(items[(number - 1) * size : number * size], len(items), number, size)


@providers.get(
    "/",
    operation_id="marketplace_service_providers_list",
    summary="List service providers",
    response_model=list[schemas.Provider],
    responses={200: {"headers": LIST_HEADERS}, **schemas.refusals(400, 401, 404)},
)
def list_providers(
    request: Request, _actor: Caller, services: DomainServices, links: RequestLinks, page: PageNumber = 1,
    page_size: PageSize = DEFAULT_PAGE_SIZE,
):
    result = page_of(services.catalog.providers(), page, page_size)
    return paginated(request, result, [wire.provider(view, links) for view in result.items])


@providers.get(
    "/{uuid}/",
    operation_id="marketplace_service_providers_retrieve",
    summary="Retrieve a service provider",
    response_model=schemas.Provider,
    responses=schemas.refusals(401, 404),
)
def retrieve_provider(uuid: str, _actor: Caller, services: DomainServices, links: RequestLinks):
    return JSONResponse(wire.provider(services.catalog.provider(path_uuid(uuid)), links))


@offerings.get(
    "/",
    operation_id="marketplace_provider_offerings_list",
    summary="List offerings",
    response_model=list[schemas.Offering],
    responses={200: {"headers": LIST_HEADERS}, **schemas.refusals(400, 401, 404)},
)
def list_offerings(
    request: Request,
    _actor: Caller,
    services: DomainServices,
    links: RequestLinks,
    service_provider_uuid: Annotated[UUID | None, Query(description="Service provider UUID")] = None,
    page: PageNumber = 1,
    page_size: PageSize = DEFAULT_PAGE_SIZE,
):
    views = [
        view
        for view in services.catalog.offerings()
        if service_provider_uuid is None or view.provider_uuid == service_provider_uuid
    ]
    result = page_of(views, page, page_size)
    return paginated(request, result, [wire.offering(view, links) for view in result.items])


@offerings.get(
    "/{uuid}/",
    operation_id="marketplace_provider_offerings_retrieve",
    summary="Retrieve an offering",
    response_model=schemas.Offering,
    responses=schemas.refusals(401, 404),
)
def retrieve_offering(uuid: str, _actor: Caller, services: DomainServices, links: RequestLinks):
    return JSONResponse(wire.offering(services.catalog.offering(path_uuid(uuid)), links))


@offerings.patch(
    "/{uuid}/",
    operation_id="marketplace_provider_offerings_partial_update",
    summary="Set the Alertmanager matchers an offering's maintenance silences (extension; admins)",
    response_model=schemas.Offering,
    responses=schemas.refusals(400, 401, 403, 404),
)
def set_offering_silence(
    uuid: str, body: schemas.OfferingSilenceRequest, actor: Caller, services: DomainServices, links: RequestLinks
):
    view = services.catalog.set_offering_silence(actor, path_uuid(uuid), body.silence_matchers)
    return JSONResponse(wire.offering(view, links))
