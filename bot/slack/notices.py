"""What the outbox's notices say in Slack: the card in each of its states, the thread replies, nudges, alerts,
summaries (delivered by bot/slack/delivery.py).

Pure functions of a notice's payload and the announcement as it is now (None once deleted). Cards come
from bot/slack/cards.py, so a card posted by the dispatcher is the card people see everywhere; the
withdrawn and deleted cards are short on purpose (a withdrawn announcement is a draft again, private).
User text is escaped (mrkdwn) or kept in plain_text.

Buttons on nudges and alerts (handled by bot/slack, value = the announcement's uuid hex):
  maint.start      Start            on the "due to start" nudge (the card's own Start action)
  maint.complete   Complete         on the overrun alert (the card's own Complete action)
  maint.extendN    Extend …         on the overrun alert, one per `EXTENSIONS` of the domain (30 min, 1 h);
                                    value = uuid hex and the end the alert shows (`cards.extend_value`)
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.domain.catalog import USER as SLACK_USER_ID
from bot.domain.enums import State
from bot.domain.lifecycle import DEEDS
from bot.domain.notices import DUE, OVERRUN, REMINDER
from bot.domain.silences import REFUSED, SILENCED, TROUBLE, UNSILENCED
from bot.domain.updates import PROGRESS
from bot.domain.views import AnnouncementView
from bot.slack import progress
from bot.slack.cards import (
    DONE_EMOJI,
    EXTEND_VERBS,
    action_id,
    card_blocks,
    card_text,
    extend_label,
    extend_value,
)
from bot.slack.text import clip, date_token, duration, escape

NO_LONGER_PLANNED = "is no longer planned as announced"
#: What a thread reply adds to the domain's words (`lifecycle.DEEDS`).
AFTERWORDS = {
    "published": " again",  # a thread reply means the card was out before: this is a re-publication
    "withdrawn": f": this maintenance {NO_LONGER_PLANNED}",
}
#: Replies that also show in the channel: news people act on. Edits and withdrawals stay in the thread.
BROADCAST = {"started", "completed", "cancelled", "rescheduled", "extended", REMINDER, DUE, OVERRUN}
BAR = "█"
BAR_WIDTH = 12

Message = tuple[str, list[Block]]


# -- cards -----------------------------------------------------------------------------------------


def card(view: AnnouncementView | None, name: str, short_id: str, page: str | None = None) -> Message:
    """The card as it should read now: the full card while published, a short one once withdrawn or deleted."""
    if view is None:
        return _gone("deleted", name, "This announcement was deleted.", short_id)
    if view.state is State.DRAFT:
        return _gone("withdrawn", view.name, f"This maintenance {NO_LONGER_PLANNED}.", short_id)
    return card_text(view), card_blocks(view, page=page)


def _gone(outcome: str, name: str, text: str, short_id: str) -> Message:
    """The short card of an announcement its audience no longer has: `↩️ Withdrawn: name`."""
    emoji, title = DONE_EMOJI[outcome], f"{outcome.capitalize()}: {name}"
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=clip(f"{emoji} {title}", 150))),
        SectionBlock(text=MarkdownTextObject(text=text)),
        ContextBlock(elements=[MarkdownTextObject(text=f"`{short_id}`")]),
    ]
    return f"{emoji} {escape(title)} — {text}", blocks


# -- thread replies --------------------------------------------------------------------------------


def who(payload: dict[str, Any]) -> str:
    """Who acted, as Slack shows it: a mention for people, words for the scheduler, the API and the CLI."""
    actor, interface = str(payload.get("actor", "")), payload.get("interface")
    if interface == "scheduler":
        return "maintbot (on schedule)"
    if SLACK_USER_ID.fullmatch(actor):
        return f"<@{actor}>"
    if actor.startswith("token:"):
        return f"API token “{escape(actor.removeprefix('token:'))}”"
    return escape(actor) or "someone"


def reply(kind: str, payload: dict[str, Any], view: AnnouncementView | None, now: datetime) -> Message:
    """The thread reply of a notice."""
    if kind == REMINDER:
        return _reminder(view, now)
    if kind == DUE:
        return _due(view)
    if kind == OVERRUN:
        return _overrun(view, bool(payload.get("buttons")))
    if kind in (SILENCED, UNSILENCED, TROUBLE, REFUSED):
        return silence_note(kind, payload)
    if kind == PROGRESS:
        return progress.reply(payload, who(payload))
    text = f"{who(payload)} {_what(kind, payload, view)}"
    return text, [SectionBlock(text=MarkdownTextObject(text=clip(text, 3000)))]


def _what(kind: str, payload: dict[str, Any], view: AnnouncementView | None) -> str:
    if kind == "rescheduled" and view is not None:
        start = _old(payload, "scheduled_start") or view.scheduled_start
        end = _old(payload, "scheduled_end") or view.scheduled_end
        now_window = _window(view.scheduled_start, view.scheduled_end)
        return f"{DEEDS['rescheduled']}: {_window(start, end)} → *{now_window}*."
    if kind == "extended" and view is not None:
        old_end = _old(payload, "scheduled_end")
        was = f" (was {date_token(old_end, '{time}')})" if old_end else ""
        return f"{DEEDS['extended']} until *{date_token(view.scheduled_end)}*{was}."
    return f"{DEEDS[kind]}{AFTERWORDS.get(kind, '')}."


def _old(payload: dict[str, Any], name: str) -> datetime | None:
    change = payload.get(name)
    return datetime.fromisoformat(change[0]) if change else None


def _window(start: datetime, end: datetime) -> str:
    return f"{date_token(start)} – {date_token(end, '{time}')}"


def _reminder(view: AnnouncementView, now: datetime) -> Message:
    left = timedelta(minutes=math.ceil((view.scheduled_start - now).total_seconds() / 60))
    text = f"⏰ Reminder: *{escape(view.name)}* starts {date_token(view.scheduled_start)}, in {duration(left)}."
    return text, [SectionBlock(text=MarkdownTextObject(text=text))]


def _due(view: AnnouncementView) -> Message:
    text = (
        f"⏰ *{escape(view.name)}* was due to start {date_token(view.scheduled_start)} and is still Scheduled. "
        "Managers: press Start when the work begins."
    )
    buttons = [ButtonElement(text="Start", action_id=action_id("start"), value=view.uuid.hex, style="primary")]
    return text, [
        SectionBlock(text=MarkdownTextObject(text=text)),
        ActionsBlock(block_id=f"due:{view.uuid.hex}", elements=buttons),
    ]


def _overrun(view: AnnouncementView, buttons: bool) -> Message:
    text = f"⚠️ *{escape(view.name)}* was due to end {date_token(view.scheduled_end)} and is still in progress."
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=text))]
    if buttons:
        elements = [ButtonElement(text="Complete", action_id=action_id("complete"), value=view.uuid.hex,
                                  style="primary")]
        elements += [ButtonElement(text=extend_label(verb), action_id=action_id(verb), value=extend_value(view))
                     for verb in EXTEND_VERBS]
        blocks.append(ActionsBlock(block_id=f"overrun:{view.uuid.hex}", elements=elements))
    return text, blocks


def silenced_line(offerings: list[str], until: datetime) -> str:
    """`🔕 Alerts silenced: Virtual machines, Load balancers — until 04:15` (in each reader's time)."""
    names = ", ".join(escape(str(name)) for name in offerings)
    return f"🔕 Alerts silenced: {names} — until {date_token(until, '{time}')}"


def with_silences(card: Message, silenced: tuple[list[str], datetime]) -> Message:
    """The card with a line saying what its maintenance silences now, above its buttons."""
    text, blocks = card
    line = ContextBlock(elements=[MarkdownTextObject(text=clip(silenced_line(*silenced), 3000))]).to_dict()
    dicts = [block if isinstance(block, dict) else block.to_dict() for block in blocks]
    at = len(dicts) - 1 if dicts and dicts[-1].get("type") == "actions" else len(dicts)
    return text, [*dicts[:at], line, *dicts[at:]]


def silence_note(kind: str, payload: dict[str, Any]) -> Message:
    """What maintbot did in Alertmanager, in the card's thread of the provider's channel (managers read the ids
    there): `🔕 Alerts silenced: Virtual machines, Load balancers — until 04:15`, lifted, or failing."""
    offerings = ", ".join(escape(str(name)) for name in payload.get("offerings", ()))
    if kind == SILENCED:
        text = silenced_line(list(payload.get("offerings", ())), datetime.fromisoformat(str(payload["until"])))
    elif kind == UNSILENCED:
        text = f"🔔 Alert silences lifted: {offerings}"
    elif kind == REFUSED:
        text = (f"⚠️ Alertmanager refused the silence of {offerings} (`{escape(str(payload.get('matchers', '')))}`): "
                f"{escape(str(payload.get('error', '')))}. maintbot will not try it again; its alerts are not "
                "silenced. Admins: fix the offering's silence matchers.")
    else:
        text = (f"⚠️ maintbot could not update the Alertmanager silences of this maintenance after "
                f"{payload.get('attempts', 0)} tries ({escape(str(payload.get('error', '')))}); it keeps trying. "
                "Managers: check Alertmanager.")
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=clip(text, 3000)))]
    ids = [str(i) for i in payload.get("ids", ())]
    if ids:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=clip("Silences: " + ", ".join(
            f"`{escape(i)}`" for i in ids), 2000))]))
    return text, blocks


# -- the weekly summary ----------------------------------------------------------------------------


def summary_title(figures: dict[str, Any]) -> str:
    """The week and whose it is: the summary's header and its chart's title (bot/slack/pictures.py)."""
    scope = figures.get("provider") or "all providers"
    first, last = date.fromisoformat(figures["week_start"]), date.fromisoformat(figures["week_end"])
    return f"Maintenance, week of {first:%d %b} – {last:%d %b %Y}: {scope}"


def on_time(figures: dict[str, Any]) -> str:
    return on_time_rate(figures.get("on_time_rate"))


def on_time_rate(rate: float | None) -> str:
    """The share of completions within 15 minutes of their scheduled end, in words."""
    return f"{round(rate * 100)}% on time (±15 min)" if rate is not None else "no completions to time"


def summary(figures: dict[str, Any]) -> Message:
    """Last week in numbers, a bar per day, and the week ahead."""
    title = f"📊 {summary_title(figures)}"
    states = ", ".join(f"{label} {count}" for label, count in figures["by_state"].items()) or "none"
    lines = [
        f"*{figures['total']}* announcements ({states}) · {on_time(figures)}",
        f"Overruns: *{figures['overruns']}* · Emergencies: *{figures['emergencies']}*",
    ]
    if figures["busiest"]:
        lines.append("Busiest: " + ", ".join(f"{escape(name)} ({count})" for name, count in figures["busiest"]))
    chart = bar_chart([(date.fromisoformat(day), count) for day, count in figures["daily"]])
    ahead = figures["next_week"]
    upcoming = [
        f"• {date_token(datetime.fromisoformat(start))} {escape(name)}"
        + (f" ({escape(provider)})" if not figures.get("provider") else "")
        for _, name, start, _, provider in ahead["items"]
    ]
    more = ahead["count"] - len(upcoming)
    if more > 0:
        upcoming.append(f"…and {more} more")
    planned = f"{ahead['count']} planned\n" + "\n".join(upcoming) if upcoming else "nothing planned"
    next_week = f"*Next 7 days:* {planned}"
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=clip(title, 150))),
        SectionBlock(text=MarkdownTextObject(text="\n".join(lines))),
        SectionBlock(text=MarkdownTextObject(text=f"```\n{chart}\n```")),
        SectionBlock(text=MarkdownTextObject(text=clip(next_week, 3000))),
    ]
    overruns = f"{figures['overruns']} overrun{'' if figures['overruns'] == 1 else 's'}"
    return f"{escape(title)}: {figures['total']} announcements, {overruns}", blocks


def bar_chart(days: list[tuple[date, int]]) -> str:
    """One line per day: 'Mon ████ 4', bars scaled to the busiest day."""
    peak = max((count for _, count in days), default=0)
    lines = []
    for day, count in days:
        width = round(count / peak * BAR_WIDTH) if peak else 0
        bar = BAR * max(width, 1 if count else 0)
        lines.append(f"{day:%a} {bar.ljust(BAR_WIDTH)} {count}")
    return "\n".join(lines)

