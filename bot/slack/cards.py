"""The announcement card: one Block Kit message per announcement, a pure function of its view.

Every change re-renders the card from the database and updates each posted copy in place. User text
(name, message, offering names and descriptions) only ever goes into plain_text objects, so nothing a
user types can ping a channel or change formatting. Cards never carry internal notes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.domain.enums import Impact, MaintenanceType, State
from bot.domain.lifecycle import DEEDS, EXTENSIONS, FORWARD, available
from bot.domain.views import AnnouncementView
from bot.slack import progress
from bot.slack.second_thoughts import overlap_text
from bot.slack.text import clip, date_token, duration, escape

ACTION_PREFIX = "maint."
TYPE_EMOJI = {
    MaintenanceType.SCHEDULED: "🔧",
    MaintenanceType.EMERGENCY: "🚨",
    MaintenanceType.SECURITY: "🔒",
    MaintenanceType.UPGRADE: "⬆️",
    MaintenanceType.PATCH: "🩹",
}
STATE_EMOJI = {
    State.DRAFT: "📝",
    State.SCHEDULED: "🗓️",
    State.IN_PROGRESS: "🛠️",
    State.COMPLETED: "✅",
    State.CANCELLED: "🚫",
}
IMPACT_EMOJI = {Impact.NONE: "⚪", Impact.DEGRADED: "🟡", Impact.PARTIAL: "🟠", Impact.FULL: "🔴"}

BUTTON_LABELS = {
    "schedule": "Schedule",
    "edit": "Edit",
    "start": "Start",
    "complete": "Complete",
    "unschedule": "Unschedule",
    "cancel": "Cancel",
    "delete": "Delete",
}
#: The step forward is the primary (green) button; it loses nothing, so it needs no static confirm dialog (a
#: doubtful press, an ended window or a start hours early, is asked about when pressed: `actions.ask`).
PRIMARY = FORWARD
#: The emoji a confirmation of what was done starts with; its words are the domain's DEEDS.
DONE_EMOJI = {
    "published": "📣",
    "withdrawn": "↩️",
    "started": "🛠️",
    "completed": "✅",
    "cancelled": "🚫",
    "extended": "⏱️",
    "deleted": "🗑️",
}
CONFIRM = {
    "cancel": ("Cancel this maintenance?", "Everyone following it is told it is cancelled. This cannot be undone."),
    "delete": ("Delete this announcement?", "It disappears for everyone, with its history of notices."),
    "unschedule": ("Withdraw this announcement?", "It goes back to Draft and is hidden from everyone else."),
}
HEADER_MAX = 150
SECTION_MAX = 3000
OFFERINGS_SHOWN = 20


def action_id(verb: str) -> str:
    return f"{ACTION_PREFIX}{verb}"


#: The Extend buttons (on overrun alerts) by verb, `extend30` → 30 minutes: the domain's EXTENSIONS.
EXTEND_VERBS: dict[str, timedelta] = {f"extend{int(by.total_seconds() // 60)}": by for by in EXTENSIONS}


def done(outcome: str) -> str:
    """How a confirmation to the person who acted starts: `📣 Published`."""
    return f"{DONE_EMOJI[outcome]} {DEEDS[outcome].verb.capitalize()}"


def buttons_of(view: AnnouncementView) -> tuple[str, ...]:
    """The card's buttons: what the announcement's managers may do now (`lifecycle.available`). A card is
    one message for everyone who sees it, so it offers the managers' actions and the domain refuses anyone
    else's press."""
    return available(view.state, manager=True)


def extend_label(verb: str) -> str:
    return f"Extend {duration(EXTEND_VERBS[verb])}"


def extend_value(view: AnnouncementView) -> str:
    """An Extend button's value: the announcement, and the end the presser sees (the press is refused once
    that end has moved)."""
    return f"{view.uuid.hex}:{view.scheduled_end.isoformat()}"


def extend_target(value: str) -> tuple[str, datetime | None]:
    """(announcement, end the presser saw) from an Extend button's value; no end when it carries none."""
    reference, _, seen = value.partition(":")
    try:
        end = datetime.fromisoformat(seen)
    except ValueError:
        return reference, None
    return reference, end if end.tzinfo is not None else None


def card_text(view: AnnouncementView) -> str:
    """The notification and screen-reader text of a card (plain words, user text escaped)."""
    return (
        f"{TYPE_EMOJI[view.maintenance_type]} {escape(view.name)} — {view.state.label}, "
        f"{date_token(view.scheduled_start)} to {date_token(view.scheduled_end)}"
    )


def page_link(view: AnnouncementView, page: str | None) -> str | None:
    """Where the announcement is on the public page (`page`: Settings.status_page), its provider's page anchored
    at its uuid; None for a draft, which the page never shows, or without a page address."""
    if page is None or view.state is State.DRAFT:
        return None
    return f"{page}/{view.provider_uuid.hex}#{view.uuid.hex}"


def card_blocks(view: AnnouncementView, *, buttons: bool = True, page: str | None = None) -> list[Block]:
    """The card's blocks, with the buttons of `buttons_of` (what the managers may do), or none with
    `buttons=False`: a person's own card passes whether they manage it, so it offers what they may do. With the
    public page's address (`page`), the card links to the announcement's place on it."""
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=clip(f"{TYPE_EMOJI[view.maintenance_type]} {view.name}", HEADER_MAX))),
        SectionBlock(text=MarkdownTextObject(text=_when(view))),
    ]
    if view.conflicts:  # managers' views only: channel cards are rendered as the audience sees them
        blocks.append(SectionBlock(text=MarkdownTextObject(text=clip(overlap_text(view), SECTION_MAX))))
    if view.message:
        blocks.append(SectionBlock(text=PlainTextObject(text=clip(view.message, SECTION_MAX))))
    if view.affected:
        blocks.append(SectionBlock(text=PlainTextObject(text=_affected(view))))
    if view.external_reference_url:
        link = escape(view.external_reference_url).replace("|", "%7C")  # a `|` would end the link's target
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"🔗 <{link}|External reference>")))
    blocks += progress.card_blocks(view)
    blocks.append(
        ContextBlock(
            elements=[
                PlainTextObject(text=clip(f"{view.maintenance_type.label} · {view.provider_name}", 200)),
                MarkdownTextObject(text=f"`{view.short_id}`"),
                *([MarkdownTextObject(text=f"<{link}|Status page>")] if (link := page_link(view, page)) else []),
                *series_mark(view),
            ]
        )
    )
    if buttons and buttons_of(view):
        blocks.append(ActionsBlock(block_id=f"card:{view.uuid.hex}", elements=_buttons(view)))
    return blocks


def _when(view: AnnouncementView) -> str:
    lines = [
        f"{STATE_EMOJI[view.state]} *{view.state.label}*",
        f"*When:* {date_token(view.scheduled_start)} → {date_token(view.scheduled_end, '{time}')}"
        f" ({duration(view.scheduled_end - view.scheduled_start)})",
    ]
    lines += extended_lines(view)
    if view.actual_start:
        lines.append(f"*Started:* {date_token(view.actual_start)}")
    if view.actual_end:
        lines.append(f"*Finished:* {date_token(view.actual_end)}")
    return "\n".join(lines)


def _affected(view: AnnouncementView) -> str:
    """One line per offering, as many as fit in a section; the rest are counted."""
    lines = ["Affected:"]
    budget = SECTION_MAX - 40
    for shown, item in enumerate(view.affected):
        line = f"{IMPACT_EMOJI[item.impact_level]} {clip(item.offering.name, 80)} — {item.impact_level.label}"
        if item.impact_description:
            line += f": {clip(item.impact_description, 100)}"
        if shown == OFFERINGS_SHOWN or budget - len(line) - 1 < 0:
            lines.append(f"…and {len(view.affected) - shown} more offerings")
            break
        budget -= len(line) + 1
        lines.append(line)
    return "\n".join(lines)


def _buttons(view: AnnouncementView) -> list[ButtonElement]:
    elements = []
    for verb in buttons_of(view):
        confirm = None
        if verb in CONFIRM:
            title, text = CONFIRM[verb]
            confirm = ConfirmObject(title=title, text=text, confirm=BUTTON_LABELS[verb], deny="Keep it", style="danger")
        elements.append(
            ButtonElement(
                text=BUTTON_LABELS[verb],
                action_id=action_id(verb),
                value=view.uuid.hex,
                style="primary" if verb in PRIMARY else "danger" if verb in CONFIRM else None,
                confirm=confirm,
            )
        )
    return progress.with_post_button(view, elements)


def extended_lines(view: AnnouncementView) -> list[str]:
    """The end planned when it started and the end it was extended to, when an extension moved it."""
    if view.planned_end is None or view.planned_end == view.scheduled_end:
        return []
    return [f"*Planned end:* {date_token(view.planned_end)} · *extended to* {date_token(view.scheduled_end)}"]


def series_mark(view: AnnouncementView) -> list[MarkdownTextObject]:
    """Which series an occurrence belongs to (`/maint series show ID` tells the rest); nothing for the others."""
    if view.series_uuid is None:
        return []
    which = f", the occurrence of {view.series_occurrence:%Y-%m-%d}" if view.series_occurrence else ""
    return [MarkdownTextObject(text=f"🔁 Series `{view.series_uuid.hex[:8]}`{which}")]
