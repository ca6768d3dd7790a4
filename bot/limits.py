"""What bounds an HTTP request's cost before any endpoint runs: its body, its client's rate, its turn.

Three pure ASGI middlewares, put in front of the API and Slack's `/slack/events` by `bot.web.create_app`:

* `BodyLimit`: a body larger than `MAINTBOT_MAX_BODY_BYTES` (1 MiB) is answered 413 while it is read: at
  once when `Content-Length` says so, otherwise as soon as the bytes received pass the limit (chunked
  uploads too). That is before anything parses it and before authentication: FastAPI reads a body before
  it checks the token, and Bolt parses one before it checks the signature, on the event loop.
* `RateLimit`: the anonymous endpoints (the public list, every calendar feed, `*.ics`, the page `/status…`) give
  each client address a bucket of `MAINTBOT_PUBLIC_BURST` requests, refilled at `MAINTBOT_PUBLIC_RATE` a minute; an
  empty bucket is 429 with `Retry-After`. The buckets live in the process: behind a load balancer with N
  replicas a client may get up to N times the rate. Behind a proxy, start uvicorn with
  `--forwarded-allow-ips` so that the address is the client's and not the proxy's.
* `TakeTurns`: at most `MAINTBOT_API_CONCURRENCY` requests (8) do API work at once; the others wait for a turn,
  at most `MAINTBOT_QUERY_TIMEOUT`, and are then told 503 that the server is busy. Slack's endpoint and the
  health checks take no turn, and Bolt runs on threads of its own (`bot.slack.http`): however much API work
  is queued, Slack's acks neither wait for a turn nor for a worker thread, and the API never holds more
  database connections than it has turns (keep it below the pool's 15 on PostgreSQL).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import anyio
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Paths that take no turn: Slack's (acks must not queue behind API work), the probes and the metrics.
UNQUEUED = ("/slack/", "/healthz", "/readyz", "/metrics")
PUBLIC_PREFIX = "/api/public-maintenance-announcements/"
STATUS_PAGE = "/status"
CALENDAR_SUFFIX = ".ics"
#: More client buckets than this and the full ones (clients quiet long enough) are forgotten.
MAX_CLIENTS = 10_000
BUSY_RETRY_SECONDS = 2


def is_anonymous(path: str) -> bool:
    """The endpoints anyone may call without a token: the public list, the calendar feeds, the public page."""
    return (path.startswith(PUBLIC_PREFIX) or path.endswith(CALENDAR_SUFFIX)
            or path == STATUS_PAGE or path.startswith(STATUS_PAGE + "/"))


async def _refuse(scope: Scope, send: Send, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
    response = JSONResponse({"detail": detail}, status_code=status, headers=headers)
    await response(scope, _nothing, send)


async def _nothing() -> Message:  # a JSONResponse never reads its request
    return {"type": "http.disconnect"}


# -- body size ---------------------------------------------------------------------------------------


class BodyTooLarge(HTTPException):
    """Raised from `receive` when the body passes the limit. An HTTPException, so that FastAPI's body
    parsing passes it on as it is instead of calling it a parse error, and the app's one error handler
    answers it."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than the limit of {limit:,} bytes.")


class BodyLimit:
    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and (len(declared) > 18 or int(declared) > self.max_bytes):
            await _refuse(scope, send, 413, BodyTooLarge(self.max_bytes).detail, {"Connection": "close"})
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge as error:  # an endpoint outside the app's error handler read the body
            if started:
                raise
            await _refuse(scope, send, 413, error.detail, {"Connection": "close"})


# -- rate of anonymous requests --------------------------------------------------------------------


class RateLimit:
    """A token bucket per client address on the anonymous endpoints; `per_minute=0` turns it off."""

    def __init__(self, app: ASGIApp, *, per_minute: int, burst: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.rate = per_minute / 60.0  # tokens a second
        self.burst = float(burst)
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, when counted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.rate > 0 and is_anonymous(scope["path"]):
            client = scope.get("client")
            wait = self.take(client[0] if client else "")
            if wait > 0:
                await _refuse(scope, send, 429, f"Too many requests; try again in {math.ceil(wait)} s.",
                              {"Retry-After": str(math.ceil(wait))})
                return
        await self.app(scope, receive, send)

    def take(self, client: str) -> float:
        """Take one token from `client`'s bucket: 0 when there was one, else the seconds until there is."""
        now = self.clock()
        tokens = self._tokens(client, now)
        self._buckets[client] = (tokens - 1, now) if tokens >= 1 else (tokens, now)
        if len(self._buckets) > MAX_CLIENTS:  # many addresses, each asking once: forget those back to full
            self._forget_quiet(now)
        return 0.0 if tokens >= 1 else (1 - tokens) / self.rate

    def _tokens(self, client: str, now: float) -> float:
        tokens, then = self._buckets.get(client, (self.burst, now))
        return min(self.burst, tokens + (now - then) * self.rate)

    def _forget_quiet(self, now: float) -> None:
        self._buckets = {client: bucket for client, bucket in self._buckets.items()
                         if self._tokens(client, now) < self.burst}


# -- turns for API work ----------------------------------------------------------------------------


class Turns:
    """How many requests may do API work at once; `in_flight` and `waiting` say how it stands now."""

    def __init__(self, limit: int, wait: float) -> None:
        self.limit = limit
        self.wait = wait
        self.in_flight = 0
        self.waiting = 0
        self._semaphore: anyio.Semaphore | None = None

    async def acquire(self) -> bool:
        """Wait for a turn, at most `wait` seconds; False when none came."""
        if self._semaphore is None:  # made on the server's event loop
            self._semaphore = anyio.Semaphore(self.limit)
        self.waiting += 1
        try:
            with anyio.move_on_after(self.wait):
                await self._semaphore.acquire()
                self.in_flight += 1
                return True
            return False
        finally:
            self.waiting -= 1

    def release(self) -> None:
        self.in_flight -= 1
        self._semaphore.release()


class TakeTurns:
    def __init__(self, app: ASGIApp, *, turns: Turns) -> None:
        self.app = app
        self.turns = turns

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNQUEUED):
            await self.app(scope, receive, send)
            return
        if not await self.turns.acquire():
            await _refuse(scope, send, 503, "The server is busy; please try again in a moment.",
                          {"Retry-After": str(BUSY_RETRY_SECONDS)})
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.turns.release()
