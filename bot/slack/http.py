"""HTTP mode: `POST /slack/events` on the same ASGI app as the HTTP API.

Bolt verifies each request's signature and timestamp (RequestVerification middleware) and answers 401
when either is wrong; `bot.slack.replays` refuses a correctly signed request sent a second time. Bolt
parses a body before it checks the signature, and its verifier reads the timestamp with `int()`, so a
request that is not even well formed (a body that does not parse as Slack's JSON, a timestamp that is not
a whole number of seconds) would raise inside Bolt: a 500 and a traceback in the log for what is most
likely a forgery. Such a request is refused here with Bolt's own 401 instead, before Bolt sees it; so is
JSON nested deeper than Python's recursion limit (`[[[…]]]`), which no JSON parser here can read. A signed
payload of another shape is refused right after the signature check (`bot.slack.payloads`).
Bolt's `App` is synchronous, so each request is dispatched on a worker thread and never blocks the event
loop that serves the HTTP API next to it. Those threads are Slack's own (`SLACK_THREADS` at once, apart
from the pool that API endpoints run on), so acks never wait for a thread behind API work; the API's own
share is bounded in `bot.limits`. The body was already limited in size (`bot.limits.BodyLimit`) before
Bolt's parsing, which runs on the event loop, sees it.
"""

from __future__ import annotations

from collections.abc import Callable

from anyio import CapacityLimiter, to_thread
from fastapi import FastAPI, Request, Response
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response

from bot.slack.listening import dispatch_logged

EVENTS_PATH = "/slack/events"
TIMESTAMP = "x-slack-request-timestamp"
REFUSED = b'{"error": "invalid request"}'
#: Bolt dispatches (acks, and the answers that travel in them) running at once, on threads of Slack's own.
SLACK_THREADS = 20


def readable(request: Request, body: bytes) -> BoltRequest | None:
    """The request as Bolt reads it, or None when Bolt could not read or check it."""
    timestamp = request.headers.get(TIMESTAMP)
    if timestamp is not None and not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return None
    try:
        return to_bolt_request(request, body)
    except (ValueError, TypeError, AttributeError, LookupError, RecursionError):  # not UTF-8 or JSON, odd, deep
        return None


def mount(app: FastAPI, bolt_app: App, path: str = EVENTS_PATH) -> None:
    """Add `POST path` to `app`, answered by `bolt_app`."""
    threads = CapacityLimiter(SLACK_THREADS)

    async def slack_events(request: Request) -> Response:
        bolt_request = readable(request, await request.body())
        if bolt_request is None:
            return Response(REFUSED, status_code=401, media_type="application/json")
        bolt_response = await to_thread.run_sync(dispatch_logged, bolt_app, bolt_request, limiter=threads)
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
