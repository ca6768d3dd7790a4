"""How a progress update reads in Slack: its thread reply, the card's latest-update line, the Post update button.

Pure functions (bot/slack/notices.py and bot/slack/cards.py call them). The update's text goes into plain_text
objects only, so nothing typed in it can ping anyone or change formatting; where mrkdwn must carry it (the
notification text) it is escaped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.domain.updates import POSTABLE
from bot.domain.views import AnnouncementView
from bot.slack.text import clip, date_token, escape

#: The card's Post update button (opens the update form; value = the announcement's uuid hex).
POST_UPDATE = "maint.post_update"
POST_UPDATE_LABEL = "Post update"
EDIT_ACTION = "maint.edit"
EMOJI = "📣"
SECTION_MAX = 3000
#: The card shows the start of a long update; the thread reply carries all of it.
CARD_EXCERPT = 500


def reply(payload: dict[str, Any], who: str) -> tuple[str, list[Block]]:
    """The thread reply of a `progress` notice: who posted it, when, and the update itself."""
    message = str(payload.get("message", ""))
    created = _moment(payload.get("created"))
    when = f" · {date_token(created, '{time}')}" if created else ""
    heading = f"{EMOJI} *Update* from {who}{when}"
    text = clip(f"{EMOJI} Update from {who}: {escape(message)}", SECTION_MAX)
    blocks: list[Block] = [
        ContextBlock(elements=[MarkdownTextObject(text=clip(heading, SECTION_MAX))]),
        SectionBlock(text=PlainTextObject(text=clip(message, SECTION_MAX) or "…", emoji=False)),
    ]
    return text, blocks


def card_blocks(view: AnnouncementView) -> list[Block]:
    """The card's latest-update lines: the latest update the card's reader may see, and when it was posted."""
    update = view.latest_update
    if update is None:
        return []
    return [
        SectionBlock(text=PlainTextObject(text=clip(f"{EMOJI} Latest update: {update.message}", CARD_EXCERPT),
                                          emoji=False)),
        ContextBlock(elements=[MarkdownTextObject(text=f"Posted {date_token(update.created)}")]),
    ]


def with_post_button(view: AnnouncementView, elements: list[ButtonElement]) -> list[ButtonElement]:
    """The card's buttons with Post update right after Edit, while updates may be posted (the domain refuses
    anyone but its managers). The step forward stays the first button."""
    if view.state not in POSTABLE:
        return elements
    button = ButtonElement(text=POST_UPDATE_LABEL, action_id=POST_UPDATE, value=view.uuid.hex)
    after = next((at + 1 for at, element in enumerate(elements) if element.action_id == EDIT_ACTION), len(elements))
    return [*elements[:after], button, *elements[after:]]


def _moment(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
