"""Posting a progress update from Slack: `/maint update ID TEXT`, and the card's Post update button and its form.

Each is one call of `services.updates.post`; the update reaches channels through the outbox (a thread reply
under every copy of the card, and the card's latest-update line), never from here. The command answers in
the ack. The button is acked at once and the form opened right after (a trigger id lives three seconds),
once the domain has said the presser may post (a refusal is told instead of a form that could not be saved).
A refused submission is answered beside the text field, and nothing is posted.

The text after the id is taken as typed, not split into words: quotes, apostrophes and `key=value` in an
update are words of the update. Slack's escaped mentions read as their names (`<@U1|ann>` → `@ann`).
"""

from __future__ import annotations

import json
import re

from slack_bolt import Ack
from slack_sdk.models.blocks import InputBlock, PlainTextInputElement, PlainTextObject, SectionBlock
from slack_sdk.models.views import View

from bot.domain.errors import Invalid
from bot.domain.updates import UPDATE_MAX
from bot.slack import modals
from bot.slack.answer import Answer
from bot.slack.listening import DOING, FOLLOW_UP, Act
from bot.slack.parsing import Arguments, BadArguments, unescape
from bot.slack.payloads import BlockActions, ViewSubmission, json_object
from bot.slack.replies import EXPLAINED_ERRORS, error_text
from bot.slack.subcommand import ANNOUNCING, subcommand
from bot.slack.text import clip, escape

NAME = "update"
CALLBACK_ID = "maint.progress_update"
FIELD = "message"
USAGE = "Write `/maint update ID TEXT`, e.g. `/maint update 3f9a2c Storage nodes 1–4 done, 5–8 in progress`."
OUT_OF_DATE = "This form is out of date: close it and press Post update again."
#: `/maint update ID TEXT…`: the subcommand, the id, and the rest exactly as typed.
COMMAND_TEXT = re.compile(r"\s*(\S+)(?:\s+(\S+))?(?:\s+(.*))?", re.S)
MENTION = re.compile(r"<(@|#|!subteam\^)([A-Z0-9]+)(?:\|([^>]*))?>")


def as_typed(text: str) -> str:
    """Slack's escaped command text as the person typed it: mentions by their names, `&lt;` as `<`."""

    def name(match: re.Match[str]) -> str:
        sigil, ident, label = match.groups()
        if label:
            return label if label[:1] in "@#" else ("#" if sigil == "#" else "@") + label
        return ("#" if sigil == "#" else "@") + ident

    return unescape(MENTION.sub(name, text))


def command_words(text: str) -> list[str] | None:
    """`/maint update …` as [subcommand, id, text] (the text untouched, quotes and all); None for any other
    subcommand, whose words are read as usual (`parsing.words`)."""
    match = COMMAND_TEXT.fullmatch(text or "")
    if match is None or match[1].lower() != NAME:
        return None
    return [part for part in (match[1], match[2], match[3]) if part]


def posted(name: str, short_id: str) -> str:
    """What the author is told once an update is posted."""
    return (f"📣 Posted an update on *{escape(clip(name, 150))}* (`{short_id}`): everyone following it sees it in "
            "the card's thread.")


@subcommand(NAME, group=ANNOUNCING, usage="`/maint update ID TEXT`",
            help="tell everyone following a maintenance how it is going (Scheduled or In progress)")
def update(act: Act, args: Arguments) -> Answer:
    words = command_words(act.payload.text) or []
    if len(words) < 3:
        raise BadArguments(USAGE)
    reference, message = words[1], as_typed(words[2])
    services = act.services
    posted_update = services.updates.post(act.actor, reference, message)
    view = services.announcements.get(act.actor, posted_update.announcement_uuid)
    text = posted(view.name, view.short_id)
    return Answer(text, [SectionBlock(text=text), SectionBlock(text=PlainTextObject(text=clip(posted_update.message,
                                                                                              3000), emoji=False))])


# -- the card's button and its form ------------------------------------------------------------------


def update_form(uuid_hex: str, name: str, channel: str | None) -> View:
    meta = {"uuid": uuid_hex, **({"channel": channel} if channel else {})}
    return View(
        type="modal",
        callback_id=CALLBACK_ID,
        title=PlainTextObject(text="Post update"),
        submit=PlainTextObject(text="Post"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=json.dumps(meta, separators=(",", ":")),
        blocks=[
            SectionBlock(text=PlainTextObject(text=clip(f"Update on {name}", 3000), emoji=False)),
            InputBlock(
                block_id=FIELD,
                label=PlainTextObject(text="What is the news?"),
                hint=PlainTextObject(text="Posted in the card's thread in every channel that shows it, and shown "
                                          "on the card."),
                element=PlainTextInputElement(action_id=modals.VALUE, multiline=True, max_length=UPDATE_MAX,
                                              placeholder="Storage nodes 1–4 done, 5–8 in progress"),
            ),
        ],
    )


def open_update_form(act: Act) -> None:
    """After the ack of Post update: the form, once the domain says this person may post on it now."""
    press: BlockActions = act.payload
    act.context[DOING] = NAME
    reference = (press.action.value or "").split(":", 1)[0]
    uuid, name = act.services.updates.check_postable(act.actor, reference)
    responder = act.deps.responder
    form = update_form(uuid.hex, name, act.origin.channel)
    opened = responder.call(responder.client.views_open, trigger_id=act.origin.trigger_id, view=form.to_dict())
    if opened is None:
        responder.tell(act.origin, "⚠️ Slack did not open the form in time. Please try again.")


def save_update(ack: Ack, act: Act) -> None:
    """The ack of the form: posted (the form closes), or refused beside the text field (nothing posted)."""
    submission: ViewSubmission = act.payload
    meta = json_object(submission.view.private_metadata or "") or {}
    reference, channel = meta.get("uuid"), meta.get("channel")
    if not isinstance(reference, str) or not reference:
        ack(response_action="errors", errors={FIELD: OUT_OF_DATE})
        return
    message = modals.submitted({"state": submission.view.state}).get(FIELD)
    try:
        update = act.services.updates.post(act.actor, reference, message)
    except EXPLAINED_ERRORS as error:  # beside the field, in the ack: the app's handler would name another block
        said = " ".join(error.fields.get(FIELD) or [error.message]) if isinstance(error, Invalid) else error_text(
            error, NAME)
        ack(response_action="errors", errors={FIELD: clip(said, 150)})
        return
    act.context[FOLLOW_UP] = (channel if isinstance(channel, str) else None, update.announcement_uuid.hex)
    ack()


def show_posted(act: Act) -> None:
    """After the ack of a posted update: a word to its author, where they pressed the button."""
    if act.follow_up is None:
        return
    channel, reference = act.follow_up
    view = act.services.announcements.get(act.actor, reference)
    text = posted(view.name, view.short_id)
    responder = act.deps.responder
    if channel:
        responder.call(responder.client.chat_postEphemeral, channel=channel, user=act.origin.user, text=text)
