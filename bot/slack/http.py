"""HTTP mode: `POST /slack/events` on the same ASGI app as the HTTP API.

Bolt verifies each request's signature and timestamp (RequestVerification middleware) and answers 401
when either is wrong. Bolt's `App` is synchronous, so each request is dispatched on a worker thread and
never blocks the event loop that serves the HTTP API next to it.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI, Request, Response
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.concurrency import run_in_threadpool

EVENTS_PATH = "/slack/events"


def mount(app: FastAPI, bolt_app: App, path: str = EVENTS_PATH) -> None:
    """Add `POST path` to `app`, answered by `bolt_app`."""

    async def slack_events(request: Request) -> Response:
        body = await request.body()
        bolt_response = await run_in_threadpool(bolt_app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(bolt_response)

    app.add_api_route(path, slack_events, methods=["POST"], include_in_schema=False)


def routes(bolt_app: App) -> Callable[[FastAPI], None]:
    """The `slack=` hook of `bot.web.create_app`: mounts the Slack endpoint on the HTTP API's app."""
    return lambda app: mount(app, bolt_app)


def standalone(bolt_app: App) -> FastAPI:
    """An ASGI app serving only the Slack endpoint (and a health check)."""
    app = FastAPI(title="maintbot Slack endpoint", docs_url=None, redoc_url=None, openapi_url=None)
    mount(app, bolt_app)

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
