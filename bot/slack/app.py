"""The Bolt app: one `/maint` command, card buttons, the announcement modal, the App Home.

`build_app` wires the listeners to the domain services. The same app serves Socket Mode, HTTP mode
(`bot.slack.http.mount`, signatures verified by Bolt) and the offline console. It runs with
`process_before_response=True`: a listener's ack function is the ack, so fast answers travel in the ack
body, and anything needing the Web API runs right after it as Bolt lazy listeners on a `ListenerExecutor`
(`drain()` waits for them). Middleware puts who acted into the context (`listening.identify`); one error
handler answers refusals raised in an ack (`ack_errors.answer_error`), one wrapper those raised after it
(`listening.after_ack`).

The Web API client honours SLACK_API_URL and retries connection errors, HTTP 429 (after Retry-After)
and 5xx answers with slack-sdk's retry handlers.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.config import Settings
from bot.domain.enums import Interface
from bot.domain.service import Services
from bot.metrics import Metrics, counted, metrics_for
from bot.slack import actions, commands, editor, series, shortcuts, templating, updating
from bot.slack.ack_errors import answer_error
from bot.slack.actions import CARD_ACTIONS, PAGE_ACTIONS
from bot.slack.commands import COMMAND
from bot.slack.executor import ListenerExecutor
from bot.slack.home import NEW_ACTION, Homes
from bot.slack.listening import (
    Act,
    Dependencies,
    acknowledge,
    after_ack,
    answered_error,
    identify,
    in_ack,
    record_ack,
)
from bot.slack.modals import CALLBACK_ID
from bot.slack.payloads import EventCallback, PayloadShapes
from bot.slack.people import People
from bot.slack.progress import POST_UPDATE
from bot.slack.replays import ReplayGuard
from bot.slack.responder import Responder

log = logging.getLogger(__name__)

#: What the app subscribes to and answers; manifest.yml names exactly these (tests/slack/test_manifest.py).
COMMANDS = (COMMAND,)
EVENTS = ("app_home_opened",)
PLACEHOLDER_TOKEN = "xoxb-not-set"
#: Threads for the work after acks. It mostly waits on the database (and on a card's row lock while someone
#: else's press of it commits): with 4, presses under bench/reliability_load.py waited 3.2 s (p50) for a thread
#: before their work began; with 12 only 0.7 s, but so many transactions queued on the same cards' row locks
#: that some passed the statement timeout. 8 kept every check of the bench and halved the wait for the card.
LAZY_WORKERS = 8


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


class MeasuredApp(App):
    """Bolt's App, timing each request from its arrival to its ack (HTTP mode, Socket Mode and the console all
    dispatch here; Bolt's global middleware cannot, as it runs before the listener rather than around it)."""

    metrics: Metrics | None = None
    interface: str = Interface.SLACK.value

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        started = time.perf_counter()
        response = None
        try:
            response = super().dispatch(req)
            return response
        finally:
            if self.metrics is not None:
                record_ack(self.metrics, self.interface, req.context, response, time.perf_counter() - started)


@dataclass
class SlackApp:
    """The Bolt app and what its listeners are built with; `drain()` waits for work started after acks."""

    bolt: App
    deps: Dependencies

    @property
    def client(self) -> WebClient:
        return self.deps.responder.client

    @property
    def services(self) -> Services:
        return self.deps.services

    def drain(self, timeout: float = 10.0) -> bool:
        return self.deps.executor.drain(timeout)

    def close(self) -> None:
        self.deps.executor.shutdown(wait=True)


def open_home(act: Act) -> None:
    """After `app_home_opened` (the Home tab, not Messages): publish the viewer's Home."""
    event = act.payload.event if isinstance(act.payload, EventCallback) else None
    if event is not None and event.user and (event.tab or "home") == "home":
        act.deps.homes.opened(event.user)


def build_app(
    services: Services,
    settings: Settings,
    *,
    client: WebClient | None = None,
    verify_requests: bool = True,
    workers: int = LAZY_WORKERS,
    interface: Interface = Interface.SLACK,
) -> SlackApp:
    """The maintbot Bolt app. `verify_requests=False` only for Socket Mode (Slack's websocket is trusted);
    `interface` is what the audit trail records actions as (`maintbot console` runs these listeners too)."""
    metrics = metrics_for(services)
    client = counted(client or make_client(settings), metrics)  # every Web API call counted by method and result
    executor = ListenerExecutor(workers)
    bolt = MeasuredApp(
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        request_verification_enabled=verify_requests,
        token_verification_enabled=False,
        process_before_response=True,
        listener_executor=executor,
        before_authorize=PayloadShapes(),  # right after the signature check, before anything reads the body
        name="maintbot",
    )
    bolt.metrics, bolt.interface = metrics, interface.value  # the ack's time and outcome, per request
    if verify_requests:
        bolt.use(ReplayGuard())  # after Bolt's signature check: a signed request is accepted once
    responder, people = Responder(client), People(client, settings.zone, interface)
    homes = Homes(services, responder, people, executor, settings.status_page)
    responder.homes = homes
    deps = Dependencies(services, settings, responder, people, homes, executor)
    bolt.use(identify(people))
    bolt.error(answered_error(metrics, interface.value, answer_error))

    answer_command = in_ack(deps, commands.answer_command)
    bolt.command(COMMAND, matchers=[commands.has_follow_up])(
        ack=answer_command, lazy=[after_ack(deps, commands.follow_command)]
    )
    bolt.command(COMMAND)(answer_command)  # the subcommands that end in the ack
    bolt.action(CARD_ACTIONS)(
        ack=acknowledge, lazy=[after_ack(deps, actions.press_card_button, after_refusal=actions.show_card_as_it_is)]
    )
    bolt.action(PAGE_ACTIONS)(ack=acknowledge, lazy=[after_ack(deps, actions.turn_page)])
    bolt.action(NEW_ACTION)(ack=acknowledge, lazy=[after_ack(deps, actions.open_new_form)])
    bolt.view(CALLBACK_ID)(ack=in_ack(deps, editor.save_form), lazy=[after_ack(deps, editor.show_saved)])
    bolt.event("app_home_opened")(ack=acknowledge, lazy=[after_ack(deps, open_home)])
    bolt.action(POST_UPDATE)(ack=acknowledge, lazy=[after_ack(deps, updating.open_update_form)])
    bolt.view(updating.CALLBACK_ID)(
        ack=in_ack(deps, updating.save_update), lazy=[after_ack(deps, updating.show_posted)]
    )
    bolt.action(templating.OFFERINGS_CHOICE)(ack=acknowledge, lazy=[after_ack(deps, templating.redraw)])
    bolt.view(templating.CALLBACK_ID)(ack=in_ack(deps, templating.save_template),
                                      lazy=[after_ack(deps, templating.show_saved_template)])
    shortcuts.listen(bolt, deps)
    bolt.view(series.CALLBACK_ID)(ack=in_ack(deps, series.save_form), lazy=[after_ack(deps, series.show_saved)])
    bolt.action(series.CANCEL_PUBLISHED_ACTIONS)(ack=acknowledge, lazy=[after_ack(deps, series.press_cancel_published)])

    services.context.when_notices_queued(homes.refresh_all)
    return SlackApp(bolt, deps)
