"""Charts as Slack shows them: the weekly summary's picture and `/maint stats … chart`, with a file name, a title
and alt text (the numbers in words, for those who cannot see the picture). bot/charts.py draws; this module says
what to draw and in which words. Uploading is the dispatcher's (bot/slack/delivery.py) and the Responder's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot import charts
from bot.domain.stats import DayTally
from bot.slack.notices import on_time, on_time_rate, summary_title
from bot.slack.text import clip

#: Slack takes at most 1,000 characters of alt text for a file (files.getUploadURLExternal `alt_txt`).
ALT_TEXT_MAX = 1000
SUMMARY_COMMENT = "The week above as a chart: each day by state; hatched, work that ended past its scheduled end."


@dataclass(frozen=True)
class Chart:
    """A chart as uploaded: its file name (unique in its channel, so that a retry finds it by name), title, alt
    text, the PNG itself, and the words shown with it."""

    filename: str
    title: str
    alt_text: str
    png: bytes
    comment: str = ""


def summary_chart(figures: dict[str, Any]) -> Chart:
    """The weekly summary's picture: last week per day, by state, overruns marked."""
    days = [charts.Day(date.fromisoformat(day), by_state.get("Scheduled", 0), by_state.get("In progress", 0),
                       by_state.get("Completed", 0), overran)
            for day, by_state, overran in figures["days"]]
    total, overruns, emergencies = figures["total"], figures["overruns"], figures["emergencies"]
    subtitle = (f"{plural(total, 'announcement')} · {on_time(figures)} · {plural(overruns, 'overrun')} · "
                f"{plural(emergencies, 'emergency', 'emergencies')}")
    filename = f"maintenance-week-{figures['week_start']}-{slug(figures.get('provider') or 'all providers')}.png"
    return _chart(days, summary_title(figures), subtitle, filename, SUMMARY_COMMENT)


def stats_chart(days: list[DayTally], window: str, summary: dict[str, Any]) -> Chart:
    """`/maint stats … chart`: the chosen window per day. Drawn are the states everyone may see; drafts and
    cancellations a manager's statistics count are in the text only."""
    tallies = [charts.Day(t.day, t.by_state.get("Scheduled", 0), t.by_state.get("In progress", 0),
                          t.by_state.get("Completed", 0), t.overran) for t in days]
    total, drawn = int(summary["total"] or 0), sum(t.total for t in tallies)
    subtitle = f"{plural(total, 'announcement')} · {on_time_rate(summary.get('on_time_rate_15min'))}"
    if drawn != total:
        subtitle += f" · {total - drawn} draft or cancelled, not drawn"
    filename = f"maintenance-{days[0].day.isoformat()}-{days[-1].day.isoformat()}.png"
    return _chart(tallies, f"Maintenance {window}", subtitle, filename, "")


def _chart(days: list[charts.Day], title: str, subtitle: str, filename: str, comment: str) -> Chart:
    alt = alt_text(title, days)
    png = charts.render(days, title=title, subtitle=subtitle, alt_text=alt)
    return Chart(filename, title, alt, png, comment)


def alt_text(title: str, days: list[charts.Day]) -> str:
    """What the chart shows, in words: every day of a week, or the days with maintenance of a longer window."""
    described = []
    for d in days:
        if not d.total and len(days) > 7:
            continue
        parts = [f"{n} {label}" for n, label in ((d.completed, "completed"), (d.in_progress, "in progress"),
                                                  (d.scheduled, "scheduled")) if n]
        if d.overran:
            parts.append(f"{d.overran} overran")
        described.append(f"{d.day:%a %d %b}: {d.total}" + (f" ({', '.join(parts)})" if parts else ""))
    text = f"Bar chart, {title}, per day by state. " + ("; ".join(described) + "." if described else "No maintenance.")
    return clip(text, ALT_TEXT_MAX)


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"


def slug(name: str) -> str:
    """A file-name-safe form of a name: `Cloud Platform` → `cloud-platform`."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "provider"
