"""Shortcuts: "New maintenance" from Slack's shortcuts menu anywhere, and "Announce maintenance" on a message.

Both open the modal of `/maint new` (`bot.slack.editor.open_new`) right after the ack, while the trigger id
lives. The message shortcut starts the form's message with the message's text, read back from Slack's markup
into what its reader saw (mentions, links and the escaped `&`, `<`, `>` as plain text), without the characters
the domain refuses in a message, and clipped to the field's limit: a message may be far longer than an
announcement's (40,000 characters) and hold anything. A global shortcut has no channel to answer in, so the
saved draft is shown in the App Home; a refusal there (someone who manages no provider) is a small modal.
`SHORTCUTS` is what manifest.yml declares (tests/slack/test_shortcuts.py).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Literal, NamedTuple

from slack_bolt import App
from slack_sdk.models.blocks import SectionBlock
from slack_sdk.models.views import View

from bot.domain.validation import TEXT_MAX
from bot.slack import editor
from bot.slack.listening import Act, Dependencies, acknowledge, after_ack
from bot.slack.payloads import MessageShortcut
from bot.slack.text import clip


class Declared(NamedTuple):
    """A shortcut as manifest.yml declares it (Slack allows names of at most 24 characters)."""

    callback_id: str
    type: Literal["global", "message"]
    name: str
    description: str


NEW = Declared("maint.new_shortcut", "global", "New maintenance",
               "New maintenance announcement: the form of /maint new")
FROM_MESSAGE = Declared("maint.announce_message", "message", "Announce maintenance",
                        "Announce maintenance from this message: a draft with its text")
SHORTCUTS = (NEW, FROM_MESSAGE)

_USER = re.compile(r"<@([A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#([A-Z0-9]+)(?:\|([^>]*))?>")
_SUBTEAM = re.compile(r"<!subteam\^([A-Z0-9]+)(?:\|([^>]*))?>")
_DATE = re.compile(r"<!date\^[^|>]*\|([^>]*)>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_LINK = re.compile(r"<([a-z][a-z0-9+.-]*:[^|>]*)\|([^>]*)>|<([a-z][a-z0-9+.-]*:[^>]*)>", re.IGNORECASE)
#: What a stored message may not hold (bot.domain.validation refuses it): controls but line feed and tab,
#: lone carriage returns, and the bidirectional controls and separators.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def readable(mrkdwn: str) -> str:
    """A Slack message's text as its reader saw it, fit to start an announcement's message."""
    text = _USER.sub(lambda m: f"@{m[2] or m[1]}", mrkdwn)
    text = _CHANNEL.sub(lambda m: f"#{m[2] or m[1]}", text)
    text = _SUBTEAM.sub(lambda m: m[2] or f"@{m[1]}", text)
    text = _DATE.sub(lambda m: m[1], text)
    text = _SPECIAL.sub(lambda m: f"@{m[1]}", text)
    text = _LINK.sub(lambda m: f"{m[2]} ({m[1]})" if m[1] else m[3], text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    text = _UNSAFE.sub("", text.replace("\r\n", "\n"))
    return clip(text.strip(), TEXT_MAX)


def new_from_anywhere(act: Act) -> None:
    """The global shortcut: the new-announcement form; the saved draft is shown in the App Home."""
    if refused(act):
        return
    editor.open_new(replace(act, origin=replace(act.origin, home=True)))


def announce_message(act: Act) -> None:
    """The message shortcut: the new-announcement form, its message started with the message's text."""
    if refused(act):
        return
    payload = act.payload
    text = readable(payload.message.text) if isinstance(payload, MessageShortcut) else ""
    editor.open_new(act, message=text or None)


def refused(act: Act) -> bool:
    """Someone who manages no provider is told so in a small modal (a shortcut has no place to reply in)."""
    if act.services.catalog.managed_providers(act.actor):
        return False
    modal = View(type="modal", title="maintbot", close="OK",
                 blocks=[SectionBlock(block_id="refusal", text=editor.NO_PROVIDERS)])
    responder = act.deps.responder
    responder.call(responder.client.views_open, trigger_id=act.origin.trigger_id, view=modal.to_dict())
    return True


def listen(bolt: App, deps: Dependencies) -> None:
    """Register the shortcuts' listeners: the ack at once, the modal right after it."""
    bolt.global_shortcut(NEW.callback_id)(ack=acknowledge, lazy=[after_ack(deps, new_from_anywhere)])
    bolt.message_shortcut(FROM_MESSAGE.callback_id)(ack=acknowledge, lazy=[after_ack(deps, announce_message)])
