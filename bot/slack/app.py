"""The Bolt app: one `/maint` command, card buttons, the announcement modal, the App Home.

`build_app` wires the listeners to the domain services. The same app serves Socket Mode, HTTP mode
(`bot.slack.http.mount`, signatures verified by Bolt) and the offline console. It runs with
`process_before_response=True`: a listener's return is the ack, so fast answers travel in the ack body
and anything needing the Web API runs right after it (`Followups`).

The Web API client honours SLACK_API_URL and retries connection errors, HTTP 429 (after Retry-After)
and 5xx answers with slack-sdk's retry handlers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.config import Settings
from bot.domain.service import Services
from bot.slack.actions import CARD_ACTIONS, PAGE_ACTIONS, Buttons
from bot.slack.bot import Bot
from bot.slack.commands import COMMAND, Commands
from bot.slack.editor import Editor
from bot.slack.followups import Followups
from bot.slack.home import NEW_ACTION, Homes
from bot.slack.modals import CALLBACK_ID
from bot.slack.payloads import PAYLOAD, EventCallback, PayloadShapes
from bot.slack.replays import ReplayGuard

log = logging.getLogger(__name__)

#: What the app subscribes to and answers; manifest.yml names exactly these (tests/slack/test_manifest.py).
COMMANDS = (COMMAND,)
EVENTS = ("app_home_opened",)
PLACEHOLDER_TOKEN = "xoxb-not-set"


def make_client(settings: Settings, token: str | None = None) -> WebClient:
    """A Web API client on SLACK_API_URL that retries what is worth retrying."""
    base_url = settings.slack_api_url if settings.slack_api_url.endswith("/") else settings.slack_api_url + "/"
    return WebClient(
        token=token or settings.slack_bot_token or PLACEHOLDER_TOKEN,
        base_url=base_url,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


@dataclass
class SlackApp:
    """The Bolt app and what its listeners share; `drain()` waits for work started after acks."""

    bolt: App
    bot: Bot

    def drain(self, timeout: float = 10.0) -> bool:
        return self.bot.followups.drain(timeout)

    def close(self) -> None:
        self.bot.followups.shutdown()


def build_app(
    services: Services,
    settings: Settings,
    *,
    client: WebClient | None = None,
    verify_requests: bool = True,
    workers: int = 4,
) -> SlackApp:
    """The maintbot Bolt app. `verify_requests=False` only for Socket Mode (Slack's websocket is trusted)."""
    client = client or make_client(settings)
    bolt = App(
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        request_verification_enabled=verify_requests,
        token_verification_enabled=False,
        process_before_response=True,
        before_authorize=PayloadShapes(),  # right after the signature check, before anything reads the body
        name="maintbot",
    )
    if verify_requests:
        bolt.use(ReplayGuard())  # after Bolt's signature check: a signed request is accepted once
    bot = Bot(services, settings, client, Followups(workers))
    bot.homes = Homes(bot)
    editor = Editor(bot)
    commands = Commands(bot, editor)
    buttons = Buttons(bot, editor, commands)

    bolt.command(COMMAND)(commands.handle)
    bolt.action(CARD_ACTIONS)(buttons.card)
    bolt.action(PAGE_ACTIONS)(buttons.page)
    bolt.action(NEW_ACTION)(buttons.new)
    bolt.view(CALLBACK_ID)(editor.submit)

    @bolt.event("app_home_opened")
    def home_opened(context: dict[str, Any]) -> None:
        event = context[PAYLOAD].event if isinstance(context[PAYLOAD], EventCallback) else None
        if event is not None and event.user and (event.tab or "home") == "home":
            bot.followups.submit(bot.homes.opened, event.user)

    @bolt.error
    def unexpected(error: Exception, body: dict[str, Any]) -> None:
        log.exception("unhandled error in a Slack listener", exc_info=error)

    services.context.when_notices_queued(bot.homes.refresh_all)
    return SlackApp(bolt, bot)
