"""Warnings before a mistake reaches an audience: overlap notes and confirmation questions, in Slack's words.

The rules are the domain's (bot/domain/conflicts.py, bot/domain/confirmations.py); this module renders them.
- Overlaps are told to the person who published (ephemeral) and shown on the cards only managers see (their
  own `/maint show` card, the answer to a publish); never on a channel card, which everyone there sees and
  which is not re-rendered when the *other* announcement changes.
- A question is an ephemeral message with two buttons: go ahead (`maint.confirm.<verb>`, value
  `uuid hex:sequence`, so a press after the announcement changed is refused as stale) or leave it as it is
  (`maint.keep`, value `uuid hex:verb`).
"""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, MarkdownTextObject, SectionBlock

from bot.domain.confirmations import ENDED, Doubt
from bot.domain.views import AnnouncementView, ConflictView
from bot.slack.text import clip, date_token, escape

CONFIRM_PREFIX = "confirm."
KEEP = "keep"
#: Verbs that may be confirmed: the two transitions with second thoughts, and delete.
CONFIRMED_VERBS = ("schedule", "start", "delete")
#: (go-ahead label, keep label, what keeping says) per verb.
WORDS = {
    "schedule": ("Publish anyway", "Keep as draft", "Kept as a draft"),
    "start": ("Start now anyway", "Not yet", "Not started"),
    "delete": ("Delete", "Keep", "Kept"),
}


def window(start, end) -> str:
    return f"{date_token(start)} – {date_token(end, '{time}')}"


def conflict_line(conflict: ConflictView) -> str:
    return (f"`{conflict.short_id}` *{escape(clip(conflict.name, 150))}* ({conflict.state.label}, "
            f"{window(conflict.scheduled_start, conflict.scheduled_end)})")


def overlap_note(view: AnnouncementView) -> str:
    """What the publisher is told when the window overlaps published maintenance on a shared offering; ""
    when it overlaps none (or the reader does not manage it)."""
    if not view.conflicts:
        return ""
    lines = "\n".join(f"• {conflict_line(conflict)}" for conflict in view.conflicts)
    return f"\n⚠️ Overlaps other maintenance on the same offerings (published anyway):\n{lines}"


def overlap_text(view: AnnouncementView) -> str:
    """The card's line for managers: `⚠️ Overlaps …`."""
    return "⚠️ Overlaps " + "; ".join(conflict_line(conflict) for conflict in view.conflicts or ())


def doubt_text(verb: str, view: AnnouncementView, doubt: Doubt | None) -> str:
    name = f"*{escape(clip(view.name, 150))}* (`{view.short_id}`)"
    if verb == "delete":
        return f"🗑️ Delete {name} for good? It disappears for everyone, with its history of notices."
    if doubt is not None and doubt.kind == ENDED:
        return (f"⚠️ {name} ended {date_token(doubt.moment)}: publishing it now tells everyone about maintenance "
                "that is already over. Publish anyway?")
    moment = date_token(doubt.moment) if doubt is not None else date_token(view.scheduled_start)
    return (f"⚠️ {name} is scheduled to start {moment}, more than an hour from now: starting it now tells "
            "everyone the work has begun. Start now anyway?")


def question(verb: str, view: AnnouncementView, doubt: Doubt | None = None) -> tuple[str, list[Block]]:
    """The ephemeral question asked before `verb` (schedule, start, delete) on `view`."""
    text = doubt_text(verb, view, doubt)
    go, keep, _ = WORDS[verb]
    buttons = [
        ButtonElement(text=go, action_id=f"maint.{CONFIRM_PREFIX}{verb}", value=f"{view.uuid.hex}:{view.sequence}",
                      style="danger" if verb == "delete" else "primary"),
        ButtonElement(text=keep, action_id=f"maint.{KEEP}", value=f"{view.uuid.hex}:{verb}"),
    ]
    return text, [SectionBlock(text=MarkdownTextObject(text=text)),
                  ActionsBlock(block_id=f"confirm:{view.uuid.hex}", elements=buttons)]


def confirmed_target(value: str) -> tuple[str, int | None]:
    """(announcement, version asked about) from a go-ahead button's value; no version when it carries none."""
    reference, _, sequence = value.partition(":")
    return reference, int(sequence) if sequence.isdigit() and len(sequence) < 12 else None


def kept(verb: str, view: AnnouncementView) -> str:
    what = WORDS.get(verb, WORDS["delete"])[2]
    return f"↩️ {what}: *{escape(clip(view.name, 150))}* (`{view.short_id}`). Nothing changed."
