"""The HTTP API: the seed's maintenance-announcement endpoints, compatible with the Waldur client.

`mount(app)` adds every router and the error handlers to a FastAPI app whose `state.services` holds
the domain services and `state.settings` the settings; `bot.web.create_app` is the usual way in. One
module per resource; the wire format is in `wire` (rendering), `schemas` (parsing and the OpenAPI
shapes) and `links`; refusals become HTTP responses in `errors` only; `health` answers the probes.
"""

from __future__ import annotations

from fastapi import FastAPI

from bot.api import (
    affected,
    announcements,
    calendar,
    catalog,
    errors,
    health,
    history,
    public,
    series,
    series_calendar,
    templates,
    updates,
)
from bot.api.links import VaryByHost

ROUTERS = (
    announcements.router,
    affected.router,
    templates.templates,
    templates.template_offerings,
    public.router,
    catalog.providers,
    catalog.offerings,
    calendar.router,
    series_calendar.router,
    health.router,
    updates.router,
    history.router,
    series.router,
)


def mount(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(router)
    errors.install(app)
    if not app.state.settings.base_url:
        app.add_middleware(VaryByHost)  # links follow the request's host
