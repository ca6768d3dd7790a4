"""`maintbot run`: the composition root. The Slack app, the HTTP API and the jobs, wired in one process, in
Socket Mode or HTTP mode.

- Socket Mode (SLACK_APP_TOKEN set): Slack's events come over a websocket opened from here, so no public
  URL is needed; the HTTP API is still served on HOST:PORT.
- HTTP mode (otherwise): Slack posts to `POST /slack/events` on the same ASGI app as the HTTP API, and
  Bolt verifies each request with SLACK_SIGNING_SECRET.

With `scheduler=True` this process also runs the jobs (bot.jobs.scheduler: the periodic tick and the weekly
summary) and the outbox dispatcher that posts and updates cards (bot.slack.delivery), which this module
builds and hands to the jobs; several processes may, safely.
Without the tokens the chosen mode needs, it says which variables are missing, points to
`maintbot console` and `--no-slack`, and returns 2; a token Slack refuses returns 1. Slack not answering
(no connection, timeouts, 5xx) does not stop it: the HTTP API serves, `bot.slack.connection` keeps asking,
and the waiting notices go once Slack answers. `slack=False` (`--no-slack`) serves the HTTP API alone.
Log lines are as `bot.logs.configure` set them (uvicorn's own loggers included; `bot.web` logs each request,
so uvicorn's access lines are off); in Socket Mode each envelope is a logged request named by its envelope id.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from typing import Any, TextIO

import uvicorn

from bot.config import Settings
from bot.domain.service import Services
from bot.jobs.scheduler import start_jobs
from bot.slack import socket_mode
from bot.slack.app import build_app, make_client
from bot.slack.connection import Refused, SlackLink
from bot.slack.delivery import dispatcher_for
from bot.slack.http import routes
from bot.web import create_app

log = logging.getLogger(__name__)

EXIT_MISSING = 2
EXIT_REFUSED = 1


def missing_settings(settings: Settings) -> tuple[str, list[str]]:
    """(mode, the environment variables that mode still needs)."""
    if settings.slack_app_token:
        mode, needed = "Socket Mode", {"SLACK_BOT_TOKEN": settings.slack_bot_token}
    else:
        mode = "HTTP mode"
        needed = {"SLACK_BOT_TOKEN": settings.slack_bot_token, "SLACK_SIGNING_SECRET": settings.slack_signing_secret}
    return mode, [name for name, value in needed.items() if not value]


def explain_missing(mode: str, missing: list[str], out: TextIO) -> None:
    print(f"maintbot run: cannot connect to Slack in {mode}: {', '.join(missing)} not set.", file=out)
    print("  HTTP mode needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (Slack posts to /slack/events);", file=out)
    print("  Socket Mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN (xapp-…, no public URL needed).", file=out)
    print("  Create the app from manifest.yml to get them. To try maintbot without Slack: `maintbot console`;",
          file=out)
    print("  to serve only the HTTP API: `maintbot run --no-slack`.", file=out)


def run(settings: Settings, services: Services, host: str, port: int, *, scheduler: bool, slack: bool = True) -> int:
    """Serve until interrupted; returns the process exit code. `slack=False` serves the HTTP API alone."""
    if not settings.base_url:
        log.warning("MAINTBOT_BASE_URL is not set: links follow each request's Host header (answers carry "
                    "Vary: Host); set it to the public address in production")
    if not slack:
        return serve_api_only(settings, services, host, port)
    mode, missing = missing_settings(settings)
    if missing:
        explain_missing(mode, missing, sys.stderr)
        return EXIT_MISSING
    client = make_client(settings)
    link = SlackLink(client)
    socket_mode = bool(settings.slack_app_token)
    slack_app = build_app(services, settings, client=client, verify_requests=not socket_mode)
    jobs = handler = None
    try:
        link.when_back(lambda: services.outbox.release_waiting(services.context.clock.now()))
        if socket_mode:
            handler = socket_mode_handler(slack_app.bolt, settings.slack_app_token)
            link.when_back(once(handler.connect))
            asgi = create_app(services, settings)
        else:
            asgi = create_app(services, settings, slack=routes(slack_app.bolt))
        asgi.state.slack_status = link.status
        try:
            link.check()
        except Refused as refused:
            print(f"maintbot run: Slack refused SLACK_BOT_TOKEN ({refused}); check the token and SLACK_API_URL.",
                  file=sys.stderr)
            return EXIT_REFUSED
        if link.connected:
            who = link.identity.get("user") or link.identity.get("user_id")
            team = link.identity.get("team") or link.identity.get("team_id")
            print(f"maintbot: connected to Slack as {who} ({team}) in {mode}; HTTP on http://{host}:{port}",
                  file=sys.stderr)
        else:
            print(f"maintbot: cannot reach Slack at {settings.slack_api_url} ({link.status().get('detail')}); "
                  f"serving HTTP on http://{host}:{port} meanwhile and trying again; notices wait until it answers",
                  file=sys.stderr)
        jobs = start_jobs(services, settings, dispatcher_for(services, client, settings)) if scheduler else None
        link.start()
        uvicorn.run(asgi, host=host, port=port, log_level="info", log_config=None, access_log=False)
        return 0
    finally:
        link.stop()
        if handler is not None:
            handler.close()
        if jobs is not None:
            jobs.stop()
        slack_app.close()


def serve_api_only(settings: Settings, services: Services, host: str, port: int) -> int:
    """`maintbot run --no-slack`: the HTTP API (and /healthz, /readyz) alone. No Slack endpoint, no jobs: notices
    wait in the outbox for a process that has Slack."""
    print(f"maintbot: serving the HTTP API only (--no-slack) on http://{host}:{port}; notices wait in the outbox "
          "for a `maintbot run` connected to Slack", file=sys.stderr)
    uvicorn.run(create_app(services, settings), host=host, port=port, log_level="info", log_config=None,
                access_log=False)
    return 0


def once(action: Callable[[], None]) -> Callable[[], None]:
    """`action` the first time it succeeds, nothing after (Socket Mode reconnects by itself once connected)."""
    done = threading.Event()

    def run_once() -> None:
        if not done.is_set():
            action()
            done.set()

    return run_once


def socket_mode_handler(bolt: Any, app_token: str | None) -> Any:
    """Bolt's Socket Mode handler, each envelope handled once, as one `bot.logs` request named by its envelope id
    (`bot.slack.socket_mode`)."""
    return socket_mode.socket_mode_handler(bolt, app_token or "")
