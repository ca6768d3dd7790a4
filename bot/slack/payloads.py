"""What Slack sends, read once and totally: pydantic models of the parts of each payload maintbot reads.

Slack's payloads have documented shapes, but a request signed with the signing secret is still input: a
field of another type (`"user": "U1"`, `"container": "x"`, an action `value` that is a number) would
otherwise raise inside Bolt's listener matching or in our listeners, a 500 and a traceback. `PayloadShapes`
runs right after Bolt's signature check (`before_authorize`): it reads the payload into the model of its
kind and puts it in the context (`context[PAYLOAD]`), where listeners take it from; a payload that does not
fit is refused politely (a command gets a sentence, a form an error beside its first field, anything else
a 400) and nothing runs. A kind maintbot does not handle is answered as Bolt answers it, 404.

Models read only what is used and ignore the rest; nested values the listeners read themselves (a modal's
`state.values`, our own `private_metadata`) are read by total functions (`bot.slack.modals.submitted`,
`json_object`, `FormMetadata.read`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, Literal
from urllib.parse import parse_qsl

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from slack_bolt.middleware import Middleware
from slack_bolt.request import BoltRequest
from slack_bolt.request.internals import build_context
from slack_bolt.response import BoltResponse

log = logging.getLogger(__name__)

#: Where listeners find the payload, read (`context[PAYLOAD]`).
PAYLOAD = "maintbot_payload"
UNREADABLE = "⚠️ maintbot could not read that request, so it did nothing. Please try again."


class Shape(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Ref(Shape):
    id: str


class Container(Shape):
    type: str | None = None
    message_ts: str | None = None
    channel_id: str | None = None
    is_ephemeral: bool = False


class ResponseUrl(Shape):
    response_url: str


class ViewRef(Shape):
    id: str | None = None
    type: str | None = None
    callback_id: str | None = None  # a modal's: which form a choice was made in (`bot.slack.editor.redraw`)
    private_metadata: str = ""
    hash: str | None = None
    state: Any = None  # read by bot.slack.modals.submitted and kept, which ignore odd values


class SubmittedView(Shape):
    callback_id: str
    private_metadata: str = ""
    state: Any = None  # read by bot.slack.modals.submitted, which refuses odd values beside their fields


class ButtonAction(Shape):
    action_id: str
    block_id: str | None = None
    value: str | None = None


class Interaction(Shape):
    """What every interaction tells about where it came from (see `bot.slack.origin.Origin`)."""

    user: Ref
    channel: Ref | None = None
    container: Container | None = None
    response_url: str | None = None
    response_urls: list[ResponseUrl] = []
    trigger_id: str | None = None


class BlockActions(Interaction):
    type: Literal["block_actions"]
    actions: list[ButtonAction] = Field(min_length=1)
    view: ViewRef | None = None

    @property
    def action(self) -> ButtonAction:
        return self.actions[0]


class ViewSubmission(Interaction):
    type: Literal["view_submission"]
    view: SubmittedView


class Shortcut(Interaction):
    """A global shortcut, chosen from Slack's shortcuts menu anywhere (no channel, no response_url)."""

    type: Literal["shortcut"]
    callback_id: str


class ShortcutMessage(Shape):
    text: str = ""  # a message of attachments or blocks alone has none


class MessageShortcut(Interaction):
    """A message shortcut, chosen from a message's menu: the message comes with it."""

    type: Literal["message_action"]
    callback_id: str
    message: ShortcutMessage = ShortcutMessage()


class Command(Shape):
    command: str
    text: str = ""
    user_id: str
    channel_id: str | None = None
    response_url: str | None = None
    trigger_id: str | None = None


class Event(Shape):
    type: str
    user: str | None = None
    tab: str | None = None
    bot_id: str | None = None


class EventCallback(Shape):
    type: Literal["event_callback"]
    event: Event


class UrlVerification(Shape):
    type: Literal["url_verification"]
    challenge: str


Payload = Command | BlockActions | ViewSubmission | EventCallback | UrlVerification | Shortcut | MessageShortcut
KINDS: dict[str, type[Shape]] = {
    "shortcut": Shortcut,
    "message_action": MessageShortcut,
    "block_actions": BlockActions,
    "view_submission": ViewSubmission,
    "event_callback": EventCallback,
    "url_verification": UrlVerification,
}


class FormMetadata(Shape):
    """What the announcement modal carries in `private_metadata` (written by `bot.slack.editor`)."""

    mode: Literal["new", "edit"] = "new"
    uuid: str | None = None
    channel: str | None = None
    response_url: str | None = None
    home: bool | None = None
    shown: dict[str, int | str] | None = None

    @classmethod
    def read(cls, text: str | None) -> FormMetadata | None:
        """The metadata, or None when it is not what the editor wrote."""
        found = json_object(text or "{}")
        try:
            return cls.model_validate(found) if found is not None else None
        except ValidationError:
            return None

    def text(self) -> str:
        return self.model_dump_json(exclude_none=True)


def json_object(text: str) -> dict[str, Any] | None:
    """A JSON object, or None for anything else: not JSON, another type, too deep, a number too long."""
    try:
        found = json.loads(text)
    except (ValueError, TypeError, RecursionError):
        return None
    return found if isinstance(found, dict) else None


def kind_of(body: Any) -> type[Shape] | None:
    if not isinstance(body, dict):
        return None
    if "command" in body:
        return Command
    kind = body.get("type")
    return KINDS.get(kind) if isinstance(kind, str) else None


def refusal(model: type[Shape]) -> BoltResponse:
    """The polite answer to a payload of its kind that does not fit: in the words that kind can show."""
    if model is Command:
        return BoltResponse(status=200, body={"response_type": "ephemeral", "text": UNREADABLE})
    if model is ViewSubmission:
        return BoltResponse(status=200, body={"response_action": "errors", "errors": {"name": UNREADABLE}})
    return BoltResponse(status=400, body={"error": "maintbot could not read this request"})


def read_as_form(req: BoltRequest) -> None:
    """Bolt reads any form body that contains the word "payload" as an interaction's `payload=` field, so a
    `/maint` whose text says "payload" would reach us as nothing at all. Such a body is read as the form it is."""
    raw = req.raw_body
    if req.mode != "http" or req.body or not isinstance(raw, str) or not raw or raw.lstrip().startswith("{"):
        return
    form = dict(parse_qsl(raw, keep_blank_values=True))
    if "payload" not in form:
        req.body = form
        build_context(req.context, form)


class PayloadShapes(Middleware):
    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse:
        read_as_form(req)
        model = kind_of(req.body)
        if model is None:
            log.info("ignored a Slack request of a kind maintbot does not handle")
            return BoltResponse(status=404, body={"error": "unhandled request"})
        try:
            req.context[PAYLOAD] = model.model_validate(req.body)
        except (ValidationError, RecursionError) as error:
            where = error.errors()[0]["loc"] if isinstance(error, ValidationError) else "nesting"
            log.warning("refused a Slack %s payload of another shape (at %s)", model.__name__, where)
            return refusal(model)
        return next()
