"""`GET /metrics`: the runtime's figures in Prometheus' text format, and the HTTP API's own counts.

Who may read it:
- with `MAINTBOT_METRICS_TOKEN` set, only a request carrying `Authorization: Bearer <token>`;
- without it, only a request that reached the server over loopback (its local address is 127.0.0.1 or ::1:
  a server bound to loopback, or a scraper beside it in the same host or pod).
Anyone else gets the same 404 as for any unknown path, so the endpoint is not discoverable. Behind a proxy on
the same host every request arrives over loopback: set the token there, or do not route `/metrics`.

A scrape takes no API turn (`bot.limits.UNQUEUED`) and runs on a thread of its own, so a flood of API work
never delays it; its one database read is the outbox backlog's aggregate (`Outbox.backlog`).
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.api.announcements import ACTIONS
from bot.domain.errors import UNAVAILABLE
from bot.limits import UNQUEUED
from bot.metrics import CONTENT_TYPE, Metrics

PATH = "/metrics"
_scrape = ThreadPoolExecutor(max_workers=1, thread_name_prefix="maint-metrics")
_TRANSITION = re.compile(r"^/api/maintenance-announcements/[^/]+/([a-z_]+)/$")
OUTCOME = "maintbot_outcome"


def over_loopback(scope: Scope) -> bool:
    """The request reached a loopback address of this server."""
    server = scope.get("server")
    if not server:
        return False
    try:
        return ipaddress.ip_address(str(server[0]).split("%")[0]).is_loopback
    except ValueError:
        return False


def may_read(request: Request, token: str | None) -> bool:
    if token:
        given = request.headers.get("authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    return over_loopback(request.scope)


def outcome_of(status: int) -> str:
    if status < 400:
        return "ok"
    if status >= 500:
        return "error"
    return "refused"


class CountRequests:
    """Counts each API request by outcome (ok, refused, unavailable, error) and each transition it made."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith((*UNQUEUED, PATH)):
            await self.app(scope, receive, send)
            return
        status = 500

        async def watched(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watched)
        finally:
            outcome = scope.get("state", {}).get(OUTCOME) or outcome_of(status)
            self.metrics.requests.labels("api", outcome).inc()
            match = _TRANSITION.match(scope["path"])
            if match and scope["method"] == "POST" and status == 200 and match[1] in ACTIONS:
                self.metrics.transitions.labels(ACTIONS[match[1]][0].value, "api").inc()


def _counting(handler: Callable[..., Any], metrics: Metrics) -> Callable[..., Any]:
    """The app's own answer to the database being away, counted first."""

    async def answer(request: Request, error: Exception) -> Any:
        metrics.database_errors.labels("api").inc()
        request.state.maintbot_outcome = "unavailable"
        result = handler(request, error)
        return await result if asyncio.iscoroutine(result) else result

    return answer


def mount(app: FastAPI, metrics: Metrics, token: str | None) -> None:
    """`GET /metrics` on `app`, and the API's request counts (call after the API's error handlers exist)."""

    async def read_metrics(request: Request) -> Response:
        if not may_read(request, token):
            raise HTTPException(404)  # answered as any unknown path is
        body = await asyncio.get_running_loop().run_in_executor(_scrape, metrics.render)
        return Response(body, media_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})

    app.add_api_route(PATH, read_metrics, methods=["GET"], include_in_schema=False)
    for kind in UNAVAILABLE:
        if kind in app.exception_handlers:
            app.exception_handlers[kind] = _counting(app.exception_handlers[kind], metrics)
    app.add_middleware(CountRequests, metrics=metrics)
