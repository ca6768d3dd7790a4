"""Buttons: on cards (`maint.<verb>`, value = the announcement's uuid hex), in the App Home, and pagers.

The payload arrives read by `bot.slack.payloads` (`context[PAYLOAD]`): its shape is checked before any
listener runs. Extend buttons carry the end the alert showed; the domain extends only from that end, so a
second press of the same alert (or ten at once) extends once and the others are told it already was.

A press is acked at once; the work runs right after (a Bolt lazy listener), as one domain call. What the
presser sees next:
- on their own ephemeral card: the card, replaced in place with its new state;
- on a card in a channel: the card updated in place by the dispatcher, with a thread reply (the domain
  queued those notices with the change — this module posts nothing to channels);
- in their App Home: the Home, republished.
A press the domain has second thoughts about (Schedule of a window that has ended, Start more than an hour
early) changes nothing yet: the presser alone gets the command's question (`ask`), answered by the same
`answer_question` as the command's.
A refusal goes to the presser only (`listening.after_ack` words it). A press on a stale card (the state
already moved on) is refused by the domain's compare-and-set, so it can never cause a second transition:
the presser is told what happened and their card is refreshed (`show_card_as_it_is`; a channel card exactly
as the dispatcher renders it).
"""

from __future__ import annotations

import re

from bot.domain.enums import Action
from bot.domain.errors import InvalidState, NotFound
from bot.domain.lifecycle import OFFERED, OUTCOMES
from bot.domain.views import AnnouncementView
from bot.slack import editor, messages, second_thoughts
from bot.slack.announcing import ask_first
from bot.slack.cards import EXTEND_VERBS, card_text, done, extend_target
from bot.slack.listening import DOING, Act
from bot.slack.notices import card as channel_card
from bot.slack.parsing import BadArguments
from bot.slack.payloads import BlockActions, json_object
from bot.slack.reading import list_page
from bot.slack.second_thoughts import CONFIRM_PREFIX, CONFIRMED_VERBS, KEEP
from bot.slack.text import clip, date_token, escape

QUESTION_VERBS = [f"{CONFIRM_PREFIX}{verb}" for verb in CONFIRMED_VERBS] + [KEEP]
CARD_ACTIONS = re.compile(rf"^maint\.({'|'.join(map(re.escape, [*OFFERED, *EXTEND_VERBS, *QUESTION_VERBS]))})$")
PAGE_ACTIONS = re.compile(r"^maint\.page\.\d+$")
GONE = "🔍 It was deleted meanwhile: nothing to do."
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


def verb_of(press: BlockActions) -> str:
    return press.action.action_id.removeprefix("maint.")


# -- after the ack (Bolt lazy listeners; refusals are told by `listening.after_ack`) -------------------


def press_card_button(act: Act) -> None:
    press: BlockActions = act.payload
    verb, value = verb_of(press), press.action.value or ""
    if verb in EXTEND_VERBS:
        act.context[DOING] = "extend"
        return extend(act, verb, value)
    if verb == KEEP or verb.startswith(CONFIRM_PREFIX):
        return answer_question(act, verb, value)
    act.context[DOING] = verb
    reference = announcement_of(value)
    if verb == "edit":
        return editor.open_edit(act, reference)
    announcements = act.services.announcements
    if verb == "delete":
        view = announcements.delete(act.actor, reference)
        return show_deleted(act, view)
    if (asked := ask_first(act, reference, Action(verb))) is not None:
        return ask(act, *asked)
    return transition(act, reference, Action(verb))


def ask(act: Act, text: str, blocks: list) -> None:
    """A press the domain has second thoughts about (`confirmations.doubt`): nothing changes yet; the presser
    alone gets the command's question, with its go-ahead and keep buttons. A card is posted once and pressed
    days later, so only the press knows whether to ask: a static confirm dialog would ask every time."""
    origin = act.origin
    if origin.ephemeral:
        act.deps.responder.replace(origin, text, blocks)
    elif origin.home:  # a Home notice holds no buttons: the command asks with them
        act.deps.homes.publish(origin.user, notice=f"{text} Type the command (`/maint {act.context[DOING]} ID`) "
                                                   "to answer.")
    else:
        act.deps.responder.tell(origin, text, blocks)


def transition(act: Act, reference: str, action: Action, seen_sequence: int | None = None) -> None:
    view = act.services.announcements.transition(act.actor, reference, action, seen_sequence=seen_sequence)
    said = f"{done(OUTCOMES[action])} *{escape(clip(view.name, 150))}* (`{view.short_id}`)."
    warning = second_thoughts.overlap_note(view) if action is Action.SCHEDULE else ""
    show_changed(act, view, said + warning)
    if warning and not act.origin.ephemeral and not act.origin.home and act.origin.message_ts is not None:
        act.deps.responder.tell(act.origin, said + warning)  # a card in a channel: the warning to the presser only


def answer_question(act: Act, verb: str, value: str) -> None:
    """A press on a question of `second_thoughts.question`: go ahead with the version asked about, or keep it.

    The question is replaced by the outcome. A press after the announcement changed is refused (Stale, told by
    `listening.after_ack`); after it was deleted, the question says so."""
    announcements = act.services.announcements
    if verb == KEEP:
        reference, _, asked = value.partition(":")
        act.context[DOING] = asked if asked in CONFIRMED_VERBS else "keep"
        try:
            view = announcements.get(act.actor, reference)
        except NotFound:
            return act.deps.responder.replace(act.origin, GONE, messages.note(GONE))
        said = second_thoughts.kept(asked, view)
        return act.deps.responder.replace(act.origin, said, messages.note(said))
    confirmed = verb.removeprefix(CONFIRM_PREFIX)
    act.context[DOING] = confirmed
    reference, seen = second_thoughts.confirmed_target(value)
    if seen is None:
        raise BadArguments("That button is out of date: run the command again.")
    try:
        if confirmed == "delete":
            show_deleted(act, announcements.delete(act.actor, reference, seen_sequence=seen))
            return act.deps.homes.refresh(act.origin.user)
        return transition(act, reference, Action(confirmed), seen)
    except NotFound:
        return act.deps.responder.replace(act.origin, GONE, messages.note(GONE))


def extend(act: Act, verb: str, value: str) -> None:
    """Extend from the end the alert showed; a press after that end moved is told so (Stale)."""
    reference, seen_end = extend_target(value)
    if seen_end is None:
        raise BadArguments(OUT_OF_DATE)
    view = act.services.announcements.extend(act.actor, reference, seen_end, EXTEND_VERBS[verb])
    said = f"{done('extended')} *{escape(clip(view.name, 150))}* to {date_token(view.scheduled_end)}."
    return show_changed(act, view, said)


def show_changed(act: Act, view: AnnouncementView, said: str) -> None:
    origin, responder, homes = act.origin, act.deps.responder, act.deps.homes
    if origin.ephemeral:
        responder.replace(origin, card_text(view), [*messages.note(said), *messages.announcement_detail(view)])
    elif origin.home:
        homes.publish(origin.user, notice=said)
    elif origin.message_ts is None:
        responder.tell(origin, said)
    if not origin.home:
        homes.refresh(origin.user)


def show_deleted(act: Act, view: AnnouncementView) -> None:
    origin, responder = act.origin, act.deps.responder
    said = f"{done('deleted')} *{escape(clip(view.name, 150))}* (`{view.short_id}`)."
    if origin.ephemeral:
        responder.replace(origin, said, messages.note(said))
    elif origin.home:
        act.deps.homes.publish(origin.user, notice=said)
    else:
        responder.tell(origin, said)


def show_card_as_it_is(act: Act, error: Exception) -> None:
    """After a stale press (the state moved on; nothing changed), show the presser the card as it is now.

    A message in a channel is updated only if it is that announcement's card on record: not a nudge or an
    alert in its thread, and never another message a button was made to name this announcement from.
    """
    verb = verb_of(act.payload)
    if not isinstance(error, InvalidState) or verb not in OFFERED or verb == "edit":
        return
    origin, responder, services = act.origin, act.deps.responder, act.services
    view = services.announcements.get(act.actor, announcement_of(act.payload.action.value))
    if origin.ephemeral:
        responder.replace(origin, card_text(view), messages.announcement_detail(view))
    elif origin.home:
        act.deps.homes.publish(origin.user)
    elif origin.message_ts and origin.message_ts == services.outbox.card(view.uuid, origin.channel):
        shown = services.announcements.as_published(view.uuid)  # the channel's, not the presser's
        text, blocks = channel_card(shown, shown.name, shown.short_id, act.deps.settings.status_page)
        responder.call(responder.client.chat_update, channel=origin.channel, ts=origin.message_ts, text=text,
                       blocks=[block.to_dict() for block in blocks])


def turn_page(act: Act) -> None:
    answer = list_page(act, *pager_state(act.payload.action.value or "{}"))
    act.deps.responder.replace(act.origin, answer.text, answer.blocks)


def open_new_form(act: Act) -> None:
    """The App Home's New button."""
    editor.open_new(act, None)
