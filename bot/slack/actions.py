"""Buttons: on cards (`maint.<verb>`, value = the announcement's uuid hex), in the App Home, and pagers.

The payload arrives read by `bot.slack.payloads` (`context[PAYLOAD]`): its shape is checked before any
listener runs. Extend buttons carry the end the alert showed; the domain extends only from that end, so a
second press of the same alert (or ten at once) extends once and the others are told it already was.

A press is acked at once; the work runs right after, as one domain call. What the presser sees next:
- on their own ephemeral card: the card, replaced in place with its new state;
- on a card in a channel: the card updated in place by the dispatcher, with a thread reply (the domain
  queued those notices with the change — this module posts nothing to channels);
- in their App Home: the Home, republished.
A refusal goes to the presser only. A press on a stale card (the state already moved on) is refused by
the domain's compare-and-set, so it can never cause a second transition: the presser is told what
happened and their card is refreshed (a channel card exactly as the dispatcher renders it).
"""

from __future__ import annotations

import re
from typing import Any

from bot.domain.enums import Action
from bot.domain.errors import InvalidState
from bot.domain.lifecycle import OFFERED, OUTCOMES
from bot.slack import messages
from bot.slack.bot import Bot, Origin
from bot.slack.cards import EXTEND_VERBS, card_text, done, extend_target
from bot.slack.commands import Commands
from bot.slack.editor import Editor
from bot.slack.notices import card as channel_card
from bot.slack.parsing import BadArguments
from bot.slack.payloads import PAYLOAD, BlockActions, json_object
from bot.slack.replies import SHOWN, error_text
from bot.slack.text import clip, date_token, escape

CARD_ACTIONS = re.compile(rf"^maint\.({'|'.join([*OFFERED, *EXTEND_VERBS])})$")
PAGE_ACTIONS = re.compile(r"^maint\.page\.\d+$")
OUT_OF_DATE = "That button is out of date: look for the newest alert, or use `/maint edit`."


def announcement_of(value: str | None) -> str:
    """The announcement a button names: its value is the uuid hex (anything after a colon is ignored)."""
    return (value or "").split(":", 1)[0]


def pager_state(value: str | None) -> tuple[str, int]:
    """(the words typed, the page) a pager button carries (`messages._page_button`); anything else is refused."""
    state = json_object(value or "")
    if not (isinstance(state, dict) and isinstance(state.get("q", ""), str) and type(state.get("p")) is int):
        raise BadArguments("That button is out of date: run `/maint list` again.")
    return state.get("q") or "", state["p"]


class Buttons:
    def __init__(self, bot: Bot, editor: Editor, commands: Commands) -> None:
        self.bot = bot
        self.editor = editor
        self.commands = commands

    # -- listeners (ack first, work right after) ---------------------------------------------------

    def card(self, ack, context: dict[str, Any]) -> None:
        ack()
        press: BlockActions = context[PAYLOAD]
        verb = press.action.action_id.removeprefix("maint.")
        self.bot.followups.submit(self.press, Origin.of(press), verb, press.action.value or "")

    def page(self, ack, context: dict[str, Any]) -> None:
        ack()
        press: BlockActions = context[PAYLOAD]
        self.bot.followups.submit(self.turn_page, Origin.of(press), press.action.value or "{}")

    def new(self, ack, context: dict[str, Any]) -> None:
        ack()
        self.bot.followups.submit(self.editor.open_new, Origin.of(context[PAYLOAD]), None)

    # -- the work ----------------------------------------------------------------------------------

    def press(self, origin: Origin, verb: str, value: str) -> None:
        if verb in EXTEND_VERBS:
            return self.extend(origin, verb, value)
        reference = announcement_of(value)
        if verb == "edit":
            return self.editor.open_edit(origin, reference)
        actor = self.bot.actor(origin.user)
        announcements = self.bot.services.announcements
        try:
            if verb == "delete":
                view = announcements.get(actor, reference)
                announcements.delete(actor, reference)
                return self._deleted(origin, view)
            action = Action(verb)
            view = announcements.transition(actor, reference, action)
            said = f"{done(OUTCOMES[action])} *{escape(clip(view.name, 150))}* (`{view.short_id}`)."
        except InvalidState as error:
            self.bot.tell(origin, error_text(error, verb))
            return self._refresh(origin, reference)
        except SHOWN as error:
            return self.bot.tell(origin, error_text(error, verb))
        self._changed(origin, view, said)

    def extend(self, origin: Origin, verb: str, value: str) -> None:
        """Extend from the end the alert showed; a press after that end moved is told so (Stale)."""
        reference, seen_end = extend_target(value)
        if seen_end is None:
            return self.bot.tell(origin, error_text(BadArguments(OUT_OF_DATE)))
        try:
            view = self.bot.services.announcements.extend(self.bot.actor(origin.user), reference, seen_end,
                                                          EXTEND_VERBS[verb])
        except SHOWN as error:
            return self.bot.tell(origin, error_text(error, "extend"))
        said = f"{done('extended')} *{escape(clip(view.name, 150))}* to {date_token(view.scheduled_end)}."
        return self._changed(origin, view, said)

    def _changed(self, origin: Origin, view, done: str) -> None:
        if origin.ephemeral:
            self.bot.replace(origin, card_text(view), [*messages.note(done), *messages.announcement_detail(view)])
        elif origin.home:
            self.bot.homes.publish(origin.user, notice=done)
        elif origin.message_ts is None:
            self.bot.tell(origin, done)
        if not origin.home and self.bot.homes is not None:
            self.bot.homes.refresh(origin.user)

    def _deleted(self, origin: Origin, view) -> None:
        said = f"{done('deleted')} *{escape(clip(view.name, 150))}* (`{view.short_id}`)."
        if origin.ephemeral:
            self.bot.replace(origin, said, messages.note(said))
        elif origin.home:
            self.bot.homes.publish(origin.user, notice=said)
        else:
            self.bot.tell(origin, said)

    def _refresh(self, origin: Origin, reference: str) -> None:
        """Show the presser the card as it is now (a stale press changed nothing). A message in a channel is
        updated only if it is that announcement's card on record: not a nudge or an alert in its thread,
        and never another message a button was made to name this announcement from."""
        try:
            view = self.bot.services.announcements.get(self.bot.actor(origin.user), reference)
        except SHOWN:
            return None
        if origin.ephemeral:
            self.bot.replace(origin, card_text(view), messages.announcement_detail(view))
        elif origin.home:
            self.bot.homes.publish(origin.user)
        elif origin.message_ts and origin.message_ts == self.bot.services.outbox.card(view.uuid, origin.channel):
            shown = self.bot.services.announcements.as_published(view.uuid)  # the channel's, not the presser's
            text, blocks = channel_card(shown, shown.name, shown.short_id)
            self.bot.call(self.bot.client.chat_update, channel=origin.channel, ts=origin.message_ts, text=text,
                          blocks=[block.to_dict() for block in blocks])
        return None

    def turn_page(self, origin: Origin, value: str) -> None:
        try:
            answer = self.commands.list_page(origin, *pager_state(value))
        except (BadArguments, *SHOWN) as error:
            return self.bot.tell(origin, error_text(error))
        self.bot.replace(origin, answer.text, answer.blocks)
        return None

