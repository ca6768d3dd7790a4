"""`maintbot run`: the Slack app and the HTTP API in one process, in Socket Mode or HTTP mode.

- Socket Mode (SLACK_APP_TOKEN set): Slack's events come over a websocket opened from here, so no public
  URL is needed; the HTTP API is still served on HOST:PORT.
- HTTP mode (otherwise): Slack posts to `POST /slack/events` on the same ASGI app as the HTTP API, and
  Bolt verifies each request with SLACK_SIGNING_SECRET.

With `scheduler=True` this process also runs the jobs (bot.jobs.scheduler: the outbox dispatcher that
posts and updates cards, the periodic tick and the weekly summary); several processes may, safely.
Without the tokens the chosen mode needs, it says which variables are missing, points to
`maintbot console`, and returns 2.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

import uvicorn
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.config import Settings
from bot.domain.service import Services
from bot.jobs.scheduler import start_jobs
from bot.slack.app import build_app, make_client
from bot.slack.http import routes

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
    print("  Create the app from manifest.yml to get them. To try maintbot without Slack: `maintbot console`.",
          file=out)


def run(settings: Settings, services: Services, host: str, port: int, *, scheduler: bool) -> int:
    """Serve until interrupted; returns the process exit code."""
    mode, missing = missing_settings(settings)
    if missing:
        explain_missing(mode, missing, sys.stderr)
        return EXIT_MISSING
    client = make_client(settings)
    try:
        identity = client.auth_test()
    except (SlackApiError, SlackClientError) as error:
        print(f"maintbot run: Slack refused SLACK_BOT_TOKEN ({error}); check the token and SLACK_API_URL.",
              file=sys.stderr)
        return EXIT_REFUSED
    except OSError as error:  # connection refused, DNS, TLS: urllib's URLError is an OSError
        reason = getattr(error, "reason", error)
        print(f"maintbot run: cannot reach Slack at {settings.slack_api_url} ({reason}); check SLACK_API_URL "
              "and the network.", file=sys.stderr)
        return EXIT_REFUSED
    socket_mode = bool(settings.slack_app_token)
    slack = build_app(services, settings, client=client, verify_requests=not socket_mode)
    jobs = start_jobs(services, client, settings) if scheduler else None
    handler = None
    try:
        from bot.web import create_app

        if socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            handler = SocketModeHandler(slack.bolt, settings.slack_app_token)
            handler.connect()
            asgi = create_app(services, settings)
        else:
            asgi = create_app(services, settings, slack=routes(slack.bolt))
        who = identity.get("user") or identity.get("user_id")
        print(f"maintbot: connected to Slack as {who} ({identity.get('team') or identity.get('team_id')}) in {mode}; "
              f"HTTP on http://{host}:{port}", file=sys.stderr)
        uvicorn.run(asgi, host=host, port=port, log_level="info")
        return 0
    finally:
        if handler is not None:
            handler.close()
        if jobs is not None:
            jobs.stop()
        slack.close()
