"""`/healthz` and `/readyz`: for load balancers and Kubernetes probes. No token, no body to parse, cheap.

- `GET /healthz`: the process is alive and serving. No I/O at all: 200 `{"status": "ok"}`.
- `GET /readyz`: the process can do its work: the database answers `SELECT 1` within `DATABASE_WAIT`
  seconds. 200 `{"status": "ready", "database": {…}, "slack": {…}}`, or 503 `"not ready"` when the database
  does not answer. Slack's state is reported but never makes a replica unready: the API serves while Slack
  is away, and notices wait in the outbox (`maintbot run` sets `app.state.slack_status`, a callable giving
  `{"status": "connected" | "unreachable" | "off", …}`; without it Slack is "off").

The database is asked on one thread of this module's own, so probes never queue behind API work for a
worker thread, and a database that hangs instead of refusing makes probes answer 503 after the wait,
not hang with it.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from bot.domain.service import Services

router = APIRouter(tags=["health"])

DATABASE_WAIT = 2.0  # seconds; Kubernetes' default probe timeout is 1 s, so set timeoutSeconds ≥ 3
_probe = ThreadPoolExecutor(max_workers=1, thread_name_prefix="maint-readyz")
NO_CACHE = {"Cache-Control": "no-store"}


def _ask_database(services: Services) -> float:
    """Seconds `SELECT 1` took; raises when the database does not answer."""
    started = time.perf_counter()
    with services.context.db.read() as session:
        session.execute(text("SELECT 1"))
    return time.perf_counter() - started


async def database_status(services: Services) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    try:
        took = await asyncio.wait_for(loop.run_in_executor(_probe, _ask_database, services), DATABASE_WAIT)
    except TimeoutError:
        return {"status": "unavailable", "detail": f"no answer within {DATABASE_WAIT:g} s"}
    except Exception as error:  # any failure to answer is "not ready"; its type only (messages may hold hosts)
        return {"status": "unavailable", "detail": type(error).__name__}
    return {"status": "ok", "dialect": services.context.db.dialect, "milliseconds": round(took * 1000, 1)}


def slack_status(request: Request) -> dict[str, Any]:
    report = getattr(request.app.state, "slack_status", None)
    return report() if report is not None else {"status": "off"}


@router.get("/healthz", include_in_schema=False)
async def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"}, headers=NO_CACHE)


@router.get("/readyz", include_in_schema=False)
async def readyz(request: Request) -> JSONResponse:
    database = await database_status(request.app.state.services)
    ready = database["status"] == "ok"
    body = {"status": "ready" if ready else "not ready", "database": database, "slack": slack_status(request)}
    return JSONResponse(body, status_code=200 if ready else 503, headers=NO_CACHE)
