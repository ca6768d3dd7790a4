"""What every endpoint is handed: the domain services and the hyperlinks of the current request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from bot.api.links import Links
from bot.domain.service import Services

# These are `async` only so that FastAPI calls them on the event loop instead of a worker thread:
# they do no I/O, and a thread hop per dependency is measurable on every request.


async def services_of(request: Request) -> Services:
    return request.app.state.services


def base_url(request: Request) -> str:
    """What every absolute link starts with: MAINTBOT_BASE_URL when set, so that no request's Host header can
    decide the links (nor poison a cache with them); else the request's own base URL (see `links.VaryByHost`)."""
    return request.app.state.settings.base_url or str(request.base_url)


async def links_of(request: Request) -> Links:
    return Links(base_url(request))


#: An endpoint's parameter for the domain services (one set per app).
DomainServices = Annotated[Services, Depends(services_of)]
#: An endpoint's parameter for the hyperlinks of the current request (`url`, `service_provider`, …).
RequestLinks = Annotated[Links, Depends(links_of)]
