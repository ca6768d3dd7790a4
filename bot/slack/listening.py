"""What listeners are given: the app's `Dependencies`, and per request an `Act` (who, from where).

Bolt middleware (`identify`) reads who acted and where, once per request, and puts both in the listener
context (`context[ORIGIN]`, `context[ACTOR]`: the Slack user as a domain `Actor`, with their user groups).
Listeners are plain functions of an `Act`, wrapped for Bolt by `in_ack` (the ack function: its refusals are
answered by the app's one error handler, `bot.slack.ack_errors`) and `after_ack` (a lazy function: the one
place where a refusal raised after the ack is told to the person who acted). An ack function may leave plain
values in the context for the lazy work after it (`DOING`, `FOLLOW_UP`): Bolt hands lazy functions a copy of
the context taken when the ack function returns, and runs them on `App(listener_executor=…)`.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltRequest
from slack_bolt.context import BoltContext
from slack_bolt.response import BoltResponse

from bot import logs
from bot.config import Settings
from bot.domain.actors import Actor
from bot.domain.catalog import USER as SLACK_USER_ID
from bot.domain.enums import Action
from bot.domain.errors import UNAVAILABLE
from bot.domain.service import Services
from bot.metrics import Metrics, metrics_for
from bot.slack import modals
from bot.slack.executor import ListenerExecutor
from bot.slack.home import Homes
from bot.slack.origin import Origin
from bot.slack.payloads import PAYLOAD, BlockActions, Command, EventCallback, FormMetadata, Interaction, ViewSubmission
from bot.slack.people import People
from bot.slack.replies import EXPLAINED_ERRORS, error_text
from bot.slack.responder import Responder

log = logging.getLogger(__name__)

ORIGIN = "maintbot_origin"
ACTOR = "maintbot_actor"
#: The action being attempted ("start", "edit", a subcommand), named in the words of a refusal.
DOING = "maintbot_doing"
#: What the ack decided the lazy work should do; absent when the ack refused.
FOLLOW_UP = "maintbot_follow_up"
#: How the ack ended when not plainly ("refused", "unavailable", "error"), set by the app's error handler.
OUTCOME = "maintbot_outcome"
TRANSITIONS = frozenset(action.value for action in Action)


@dataclass
class Dependencies:
    """What the listeners are built with, once per app."""

    services: Services
    settings: Settings
    responder: Responder
    people: People
    homes: Homes
    executor: ListenerExecutor


@dataclass(frozen=True)
class Act:
    """One request as a listener sees it: the app's dependencies, who acted, where, and the ack's notes."""

    deps: Dependencies
    origin: Origin
    actor: Actor
    context: BoltContext

    @classmethod
    def of(cls, deps: Dependencies, context: BoltContext) -> Act:
        return cls(deps, context[ORIGIN], context[ACTOR], context)

    @property
    def services(self) -> Services:
        return self.deps.services

    @property
    def responder(self) -> Responder:
        return self.deps.responder

    @property
    def payload(self) -> Any:
        return self.context[PAYLOAD]

    @property
    def follow_up(self) -> Any:
        return self.context.get(FOLLOW_UP)


def identify(people: People) -> Callable[..., BoltResponse]:
    """Bolt middleware: who acted and where, for every command, interaction and Home event (groups are cached
    for minutes, so this rarely asks Slack); the open log request (`dispatch_logged`) learns who and which
    announcement, and what it must never show."""

    def identify_actor(context: BoltContext, next: Callable[[], BoltResponse]) -> BoltResponse:
        payload = context.get(PAYLOAD)
        logs.bind(**what_to_log(payload))
        if isinstance(payload, Command | Interaction):
            origin = Origin.of(payload)
            context[ORIGIN] = origin
            context[ACTOR] = people.actor_of(origin.user)
        elif isinstance(payload, EventCallback) and payload.event.user:  # app_home_opened: the Home's viewer
            context[ORIGIN] = Origin(user=payload.event.user, home=True)
            context[ACTOR] = people.actor_of(payload.event.user)
        return next()

    return identify_actor


def kind_of(payload: object) -> str | None:
    """What Slack sent, as the ack histogram's label: command, button, modal, event (None: anything else)."""
    if isinstance(payload, Command):
        return "command"
    if isinstance(payload, BlockActions):
        return "button"
    if isinstance(payload, ViewSubmission):
        return "modal"
    if isinstance(payload, EventCallback):
        return "event"
    return None


def record_ack(metrics: Metrics, interface: str, context: BoltContext, response: BoltResponse | None,
               seconds: float) -> None:
    """One request answered: the ack's time by kind, and the request by outcome (ok, refused, unavailable, error;
    a forgery refused before its payload was read has no kind)."""
    kind = kind_of(context.get(PAYLOAD))
    if kind is not None:
        metrics.ack_seconds.labels(kind).observe(seconds)
    status = response.status if response is not None else 500
    outcome = context.get(OUTCOME) or ("ok" if status < 400 else "error" if status >= 500 else "refused")
    metrics.requests.labels(interface, outcome).inc()


def answered_error(metrics: Metrics, interface: str, handler: Callable[..., Any]) -> Callable[..., Any]:
    """The app's error handler (`ack_errors.answer_error`), noting first how the ack ended."""

    def answer(error: Exception, context: BoltContext) -> Any:
        if isinstance(error, UNAVAILABLE):
            metrics.database_errors.labels(interface).inc()
            context[OUTCOME] = "unavailable"
        else:
            context[OUTCOME] = "refused" if isinstance(error, EXPLAINED_ERRORS) else "error"
        return handler(error, context)

    return answer


def count_transition(act: Act) -> None:
    """A transition the domain made for this request (a `/maint start …` or a card's Start button)."""
    doing = act.context.get(DOING)
    if doing in TRANSITIONS:
        metrics_for(act.services).transitions.labels(doing, act.actor.interface.value).inc()


def dispatch_logged(bolt: App, request: BoltRequest) -> BoltResponse:
    """`bolt.dispatch(request)` as one logged request (`bot.logs`: the one open, e.g. a Socket Mode envelope's,
    or a new one), ended by a line with the ack's status and outcome. Its lazy work carries it on
    (`ListenerExecutor` runs work in a copy of the submitter's context)."""
    with logs.request(None, "slack", actor=user_in(request.body)):
        started = time.perf_counter()
        response = bolt.dispatch(request)
        outcome = ack_outcome(response)
        entry = logs.current()
        if outcome == "ok" and entry is not None and entry.outcome:  # refused in the ack (`ack_errors`)
            outcome = entry.outcome
        logs.bind(outcome=outcome)
        log.info("%s acked %s in %.0f ms", body_kind(request.body), response.status,
                 (time.perf_counter() - started) * 1000, extra={"outcome": outcome})
        return response


_HEX_UUID = re.compile(r"^[0-9a-f]{32}$")


def what_to_log(payload: Any) -> dict[str, Any]:
    """Who acted and the announcement a payload names, and what its log lines must never show (its
    response_urls, internal notes typed into the form)."""
    actor = announcement = None
    hidden: list[str | None] = []
    if isinstance(payload, Command):
        actor, hidden = payload.user_id, [payload.response_url]
    elif isinstance(payload, Interaction):
        actor = payload.user.id
        hidden = [payload.response_url, *(url.response_url for url in payload.response_urls)]
        if isinstance(payload, BlockActions):
            value = (payload.actions[0].value or "").split(":", 1)[0]
            announcement = value if _HEX_UUID.match(value) else None
        if isinstance(payload, ViewSubmission):
            meta = FormMetadata.read(payload.view.private_metadata)
            if meta is not None:
                announcement = meta.uuid if meta.uuid and _HEX_UUID.match(meta.uuid) else None
                hidden.append(meta.response_url)
            notes = modals.submitted(payload.view.model_dump()).get("internal_notes")
            hidden.append(notes if isinstance(notes, str) else None)
    elif isinstance(payload, EventCallback):
        actor = payload.event.user
    return {"actor": actor, "announcement": announcement, "hidden": tuple(hidden)}


def user_in(body: Any) -> str | None:
    """The user a request's body names, read before Bolt reads it, so that its first log lines name them too;
    only when it has the shape of a Slack user id."""
    if not isinstance(body, dict):
        return None
    event = body.get("event")
    user = body.get("user_id") or body.get("user") or (event.get("user") if isinstance(event, dict) else None)
    user = user.get("id") if isinstance(user, dict) else user
    return user if isinstance(user, str) and SLACK_USER_ID.fullmatch(user) else None


def body_kind(body: Any) -> str:
    """What a request's body is, in a word (never its content)."""
    kind = body.get("type") if isinstance(body, dict) else None
    if isinstance(body, dict) and "command" in body:
        return "command"
    return {"block_actions": "button", "view_submission": "modal", "event_callback": "event"}.get(
        kind if isinstance(kind, str) else "", "request")


def ack_outcome(response: BoltResponse) -> str:
    """ok, refused (a form's field errors, a request refused) or error."""
    if response.status >= 500:
        return "error"
    if response.status >= 400 or '"response_action": "errors"' in (response.body or ""):
        return "refused"
    return "ok"


def in_ack(deps: Dependencies, listener: Callable[..., Any]) -> Callable[..., Any]:
    """An ack function for Bolt: `listener(ack, act)`. What it raises goes to the app's error handler."""

    def run(ack: Ack, context: BoltContext) -> Any:
        act = Act.of(deps, context)
        answer = listener(ack, act)
        if isinstance(act.payload, Command):
            count_transition(act)
        return answer

    run.__name__ = run.__qualname__ = listener.__name__
    return run


def acknowledge(ack: Ack) -> None:
    """The ack of a press or an event whose work all comes after it."""
    ack()


def after_ack(
    deps: Dependencies, work: Callable[[Act], None], *, after_refusal: Callable[[Act, Exception], None] | None = None
) -> Callable[[BoltContext], None]:
    """A Bolt lazy function running `work(act)`: the one boundary for work after the ack.

    A refusal, a bad argument, the database away or a statement too costly is told to the person who acted,
    where they acted (`replies.error_text`, naming `context[DOING]`); then `after_refusal`, if given, may show
    more (best effort: a second refusal there adds nothing). Anything else is logged with its traceback.
    """

    def run(context: BoltContext) -> None:
        if ORIGIN not in context:  # nobody acted (an event naming no user): there is no one to work for
            return
        try:
            act = Act.of(deps, context)
            try:
                work(act)
                if isinstance(act.payload, BlockActions):
                    count_transition(act)
            except EXPLAINED_ERRORS as error:
                if isinstance(error, UNAVAILABLE):
                    metrics_for(deps.services).database_errors.labels(act.actor.interface.value).inc()
                logs.bind(outcome="refused")
                log.info("refused after the ack: %s", type(error).__name__)
                deps.responder.tell(act.origin, error_text(error, context.get(DOING)))
                if after_refusal is not None:
                    with suppress(*EXPLAINED_ERRORS):
                        after_refusal(act, error)
        except Exception:
            log.exception("work after the ack (%s) failed", work.__name__)

    run.__name__ = run.__qualname__ = work.__name__
    return run
