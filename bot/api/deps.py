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


async def links_of(request: Request) -> Links:
    return Links(str(request.base_url))


Svc = Annotated[Services, Depends(services_of)]
Here = Annotated[Links, Depends(links_of)]
