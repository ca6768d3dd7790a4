"""Block Kit for everything `/maint` answers besides cards: lists, statistics, the catalog, help.

Pure functions from domain views to blocks. User text is escaped (mrkdwn) or kept in plain_text, and
every message stays inside Block Kit's limits: at most 50 blocks, 3,000 characters per section, and
long lists are paginated with a hint saying how to see the rest.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime

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

from bot.domain.changes import Change, changes
from bot.domain.views import (
    AnnouncementView,
    EventView,
    OfferingView,
    Page,
    ProviderView,
    Stats,
    SubscriptionView,
    TemplateView,
)
from bot.slack.cards import STATE_EMOJI, TYPE_EMOJI, card_blocks
from bot.slack.text import clip, date_token, escape

SECTION_MAX = 3000
MESSAGE_BLOCKS_MAX = 50
LINES_PER_SECTION = 10
PAGE_ACTION = "maint.page"
LIST_PAGE_SIZE = 20


def note(text: str) -> list[Block]:
    return [SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_MAX)))]


def sections(lines: Iterable[str], limit: int = MESSAGE_BLOCKS_MAX) -> list[Block]:
    """Lines packed into sections of at most 3,000 characters and LINES_PER_SECTION lines."""
    blocks: list[Block] = []
    chunk: list[str] = []
    for line in lines:
        line = clip(line, SECTION_MAX)
        if chunk and (len(chunk) == LINES_PER_SECTION or len("\n".join([*chunk, line])) > SECTION_MAX):
            blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(chunk))))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(chunk))))
    return blocks[:limit]


def announcement_line(view: AnnouncementView) -> str:
    return (
        f"{STATE_EMOJI[view.state]} `{view.short_id}` *{escape(clip(view.name, 90))}* — "
        f"{date_token(view.scheduled_start)} → {date_token(view.scheduled_end, '{time}')} · "
        f"{view.state.label} · {escape(clip(view.provider_name, 40))}"
    )


def announcement_list(page: Page[AnnouncementView], title: str, query_text: str) -> list[Block]:
    """One page of announcements with a pager; the hint names the command for the next page."""
    if not page.items:
        return note(f"{escape(title)}: nothing to show. Try `/maint list` with other filters, or `/maint help list`.")
    first = (page.page - 1) * page.page_size + 1
    last = first + len(page.items) - 1
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=f"*{escape(title)}*"))]
    blocks += sections(announcement_line(view) for view in page.items)
    hint = f"Showing {first}–{last} of {page.count} · page {page.page} of {page.pages}"
    if page.has_next:
        hint += f" · next: `/maint list {escape(query_text)} page={page.page + 1}`".replace("  ", " ")
    hint += " · details: `/maint show ID`"
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=clip(hint, SECTION_MAX))]))
    pager = []
    if page.has_previous:
        pager.append(_page_button("‹ Previous", query_text, page.page - 1))
    if page.has_next:
        pager.append(_page_button("Next ›", query_text, page.page + 1))
    if pager:
        blocks.append(ActionsBlock(block_id="pager", elements=pager))
    return blocks


def _page_button(label: str, query_text: str, page: int) -> ButtonElement:
    value = json.dumps({"q": clip(query_text, 1500), "p": page})
    return ButtonElement(text=label, action_id=f"{PAGE_ACTION}.{page}", value=value)


def announcement_detail(view: AnnouncementView) -> list[Block]:
    """`/maint show`: the card, with internal notes for those who may see them (this reply is ephemeral)."""
    blocks = card_blocks(view, buttons=view.can_manage)
    if view.internal_notes:
        notes = PlainTextObject(text=clip(f"🔒 Internal notes: {view.internal_notes}", 2000))
        blocks.insert(-1 if view.can_manage else len(blocks), ContextBlock(elements=[notes]))
    return blocks


def history(view: AnnouncementView, events: Sequence[EventView]) -> list[Block]:
    """The trail, latest 40 events: who, where, what; an update's changes as readable before → after."""
    lines = []
    for event in events[-40:]:
        found = changes(event)
        said = event.message.partition(". Details: ")[0] if found else event.message  # the changes follow, readable
        what = escape(clip(said, 400))
        line = f"{date_token(event.created)} — `{escape(event.actor)}` via {event.interface}: {what}"
        lines.append("\n".join([line, *(f"  ↳ {_change_line(change)}" for change in found[:8])]))
    return [SectionBlock(text=MarkdownTextObject(text=f"*History of* `{view.short_id}`")), *sections(lines, 45)]


def _change_line(change: Change) -> str:
    def shown(value: object) -> str:
        if value is None:
            return "_(none)_"
        return date_token(value) if isinstance(value, datetime) else f"“{escape(clip(str(value), 120))}”"

    name = escape(clip(change.field.replace("_", " ").capitalize(), 80))
    return f"{name}: {shown(change.before)} → {shown(change.after)}"


def statistics(stats: Stats, window: str) -> list[Block]:
    summary = stats.summary

    def figure(key: str, unit: str = "", scale: float = 1.0, digits: int = 1) -> str:
        value = summary.get(key)
        return "—" if value is None else f"{value * scale:.{digits}f}{unit}"

    lines = [
        f"*Total* {summary['total']} · *In progress* {summary['active']} · *Scheduled* {summary['scheduled']} · "
        f"*Completed* {summary['completed']} · *Emergencies* {summary['emergency_count']}",
        f"*Average duration* {figure('average_duration_hours', ' h')} · "
        f"*On time* {figure('on_time_completion_rate', ' %', digits=0)} · "
        f"*Within 15 min* {figure('on_time_rate_15min', ' %', 100, 0)} · "
        f"*Average overrun* {figure('avg_overrun_hours', ' h')}",
    ]
    tallies = [
        ("By state", stats.by_state),
        ("By type", stats.by_type),
        ("By highest impact", stats.by_impact_level),
    ]
    for title, counts in tallies:
        text = ", ".join(f"{label} {count}" for label, count in counts.items()) or "none"
        lines.append(f"*{title}:* {text}")
    if stats.providers:
        top = ", ".join(f"{escape(p.name)} {p.total}" for p in stats.providers[:10])
        more = f" (and {len(stats.providers) - 10} more)" if len(stats.providers) > 10 else ""
        lines.append(f"*Providers:* {top}{more}")
    return [HeaderBlock(text=PlainTextObject(text=clip(f"📊 Maintenance {window}", 150))), *sections(lines)]


def providers(items: Sequence[ProviderView]) -> list[Block]:
    if not items:
        return note("No service providers yet. An admin adds one with `/maint provider add NAME channel=#channel`.")
    lines = []
    for provider in items:
        managers = [f"<@{u}>" for u in provider.manager_users] + [f"<!subteam^{g}>" for g in provider.manager_groups]
        stats = f" · stats in <#{provider.stats_channel_id}>" if provider.stats_channel_id else ""
        lines.append(
            f"*{escape(provider.name)}* `{provider.uuid.hex[:8]}` — announces in <#{provider.channel_id}>{stats}"
            f" · managers: {', '.join(managers) or 'admins only'}"
            f"{' · auto-start' if provider.auto_start else ''}"
        )
    return [SectionBlock(text=MarkdownTextObject(text="*Service providers*")), *_capped(lines, "/maint providers")]


def offerings(items: Sequence[OfferingView]) -> list[Block]:
    if not items:
        return note("No offerings yet. A provider's manager adds one with `/maint offering add PROVIDER/NAME`.")
    grouped: dict[str, list[str]] = {}
    for offering in items:
        grouped.setdefault(offering.provider_name, []).append(escape(offering.name))
    lines = [f"*{escape(provider)}:* {', '.join(names)}" for provider, names in grouped.items()]
    hint = "Subscribe this channel with `/maint subscribe PROVIDER/OFFERING`."
    return [*_capped(lines, "/maint offerings PROVIDER"), ContextBlock(elements=[MarkdownTextObject(text=hint)])]


def templates(page: Page[TemplateView]) -> list[Block]:
    if not page.items:
        return note("No templates you can use. Templates are kept per provider, for its managers.")
    lines = [
        f"{TYPE_EMOJI[t.maintenance_type]} *{escape(clip(t.name, 100))}* ({escape(t.provider_name)}) — "
        f"{len(t.offerings)} offering(s) · `/maint new from {escape(clip(t.name, 100))}`"
        for t in page.items
    ]
    blocks = [SectionBlock(text=MarkdownTextObject(text="*Templates*")), *sections(lines, 40)]
    if page.has_next:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f"{page.count} templates; showing the first "
                                                                          f"{len(page.items)}.")]))
    return blocks


def subscriptions(channel: str, items: Sequence[SubscriptionView]) -> list[Block]:
    if not items:
        return note(f"<#{channel}> follows nothing yet. `/maint subscribe OFFERING` or `/maint subscribe PROVIDER`.")
    lines = [f"• {escape(item.target)}" for item in items]
    return [SectionBlock(text=MarkdownTextObject(text=f"*<#{channel}> follows*")), *_capped(lines, "")]


def _capped(lines: list[str], hint_command: str) -> list[Block]:
    blocks = sections(lines, MESSAGE_BLOCKS_MAX - 3)
    shown = sum(block.text.text.count("\n") + 1 for block in blocks)
    if shown < len(lines):
        more = f"…and {len(lines) - shown} more."
        if hint_command:
            more += f" Narrow it down with `{hint_command}`."
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
    return blocks

