"""The ASGI application: the HTTP API, and the place where Slack's HTTP mode plugs in.

    app = create_app(services, settings)                      # the API alone
    app = create_app(services, settings, slack=add_routes)    # plus Slack's /slack/events

Serve it with any ASGI server, e.g. `uvicorn --factory …` or `maintbot run` in HTTP mode. The API
reference is served at /api/docs/ and its OpenAPI document at /api/schema/.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from fastapi import FastAPI

from bot import api, logs, status
from bot.api import metrics as metrics_endpoint
from bot.config import Settings
from bot.domain.service import Services
from bot.limits import BodyLimit, RateLimit, TakeTurns, Turns
from bot.metrics import metrics_for

DESCRIPTION = """\
Maintenance announcements over HTTP, compatible with the Waldur maintenance-announcements API and its
published Python client (`waldur-api-client`).

* **Authentication**: `Authorization: Token <secret>`, with a token from `maintbot token create`
  (admin, one provider's manager, or read-only). The public endpoints and calendar feeds need none.
* **Lists** are bare JSON arrays; `X-Result-Count` holds the total and `Link` the first, prev, next
  and last pages. `HEAD` on a list returns the count alone. `page_size` defaults to 10, at most 300.
* **Times** are ISO 8601; responses are in UTC (`Z`). A time sent without a zone is taken as UTC.
* **Refusals**: `{"detail": "…"}` for 401, 403, 404, 405 and 409 (a 409 names the valid states);
  `{"field": ["…"]}` for 400.
* **Calendar**: `/api/maintenance-calendar.ics`, and `…/maintenance-calendar.ics` under a provider or
  an offering, for calendar apps to subscribe to.
"""

#: Adds Slack's routes (e.g. `POST /slack/events` through Bolt's FastAPI adapter) to the app.
SlackMount = Callable[[FastAPI], None]


def create_app(services: Services, settings: Settings, *, slack: SlackMount | None = None) -> FastAPI:
    """The FastAPI app serving the API over `services`; `slack`, when given, mounts Slack's HTTP mode."""
    app = FastAPI(
        title="maintbot",
        version="1",
        description=DESCRIPTION,
        openapi_url="/api/schema/",
        docs_url="/api/docs/",
        redoc_url=None,
    )
    app.state.services = services
    app.state.settings = settings
    api.mount(app)
    status.mount(app)  # the public maintenance page, /status (bot/status)
    # Bounded cost (bot/limits.py), outermost last: the rate of anonymous calls, the body size, a turn for API work.
    app.state.turns = Turns(settings.api_concurrency, settings.query_timeout)
    app.add_middleware(TakeTurns, turns=app.state.turns)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RateLimit, per_minute=settings.public_rate, burst=settings.public_burst)
    if settings.base_url:
        app.add_middleware(RedirectsToBaseUrl, base_url=settings.base_url)
    # Outermost: every API request counted, whatever answered it; `GET /metrics` (bot/api/metrics.py).
    metrics_endpoint.mount(app, metrics_for(services), settings.metrics_token)
    app.add_middleware(LoggedRequests)  # outermost: every answer, limits' refusals too, is one logged request
    # Slack's HTTP mode is mounted here, by whoever builds the Slack side: one callable given the app.
    if slack is not None:
        slack(app)
    return app


log = logging.getLogger(__name__)
_ANNOUNCEMENT = re.compile(r"/maintenance-announcements/([0-9a-fA-F-]{32,36})(?:/|$)")


class RedirectsToBaseUrl:
    """ASGI middleware: a redirect (`/status/` to `/status`, a missing trailing slash on the API) points into
    `MAINTBOT_BASE_URL`, like every other absolute link, never to whatever Host the request named."""

    def __init__(self, app: Any, base_url: str) -> None:
        self.app = app
        self.base_url = base_url.rstrip("/")

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: dict) -> None:
            if message["type"] == "http.response.start" and 300 <= message["status"] < 400:
                message = {**message, "headers": [
                    (name, self._rebased(value) if name.lower() == b"location" else value)
                    for name, value in message.get("headers", [])]}
            await send(message)

        await self.app(scope, receive, sending)

    def _rebased(self, location: bytes) -> bytes:
        parts = urlsplit(location.decode("latin-1"))
        return (self.base_url + urlunsplit(("", "", parts.path, parts.query, parts.fragment))).encode("latin-1")


class LoggedRequests:
    """ASGI middleware: each HTTP request is one `bot.logs` request (the caller's `X-Request-Id` or a fresh
    one; `slack` on Slack's endpoint, else `api`; the announcement its path names; the actor the API's
    authentication binds), ended by one line with its status and outcome."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        headers = dict(scope.get("headers") or [])
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        found = _ANNOUNCEMENT.search(path)
        status = 500
        started = time.perf_counter()
        logged = False

        def log_line() -> None:
            nonlocal logged
            logged = True
            outcome = "error" if status >= 500 else "refused" if status >= 400 else "ok"
            log.info("%s %s %s in %.0f ms", scope.get("method"), path, status,
                     (time.perf_counter() - started) * 1000, extra={"outcome": outcome})

        async def sending(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body") and not logged:
                log_line()  # before the last byte leaves: whoever has the answer can find its line
            await send(message)

        interface = "slack" if path.startswith("/slack/") else "api"
        with logs.request(logs.request_id_from(given), interface,
                          announcement=found[1].replace("-", "").lower() if found else None):
            try:
                await self.app(scope, receive, sending)
            finally:
                if not logged:
                    log_line()
