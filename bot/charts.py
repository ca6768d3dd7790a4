"""Maintenance per day as a PNG bar chart: the weekly summary's picture and `/maint stats … chart`.

A pure function of counts and words (no database, no Slack): the interfaces say what the title and the alt text
are, this module only draws. Each day's bar is stacked by state — Scheduled, In progress, Completed — and the
completed work that overran its scheduled end by more than the domain's tolerance is its own, hatched segment
(marked by pattern as well as colour, so the chart reads without colour too). The total stands above each bar.

Matplotlib draws with its Agg backend through `Figure` and `FigureCanvasAgg` directly, never `pyplot`: no display
is needed, no global state is shared, so the dispatcher's worker threads may render charts at the same time.
The title and the alt text are written into the PNG's own metadata (`Title`, `Description`) as well, so anyone
holding the file — a test, a newcomer opening the console's copy — can read what the picture claims to show.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

#: The picture's size in pixels: wide enough to read in Slack's preview, small enough to upload in a blink.
WIDTH, HEIGHT, DPI = 1200, 675, 150
#: Longest window drawn, in days (one bar a day stays readable up to about a year at this width).
MAX_DAYS = 366
#: Per-day labels (weekday and date under each bar, the count above it) up to this many days.
LABELLED_DAYS = 14

# Colour-blind-safe (Okabe–Ito), each also told apart by its place in the stack; overruns are hatched too.
SCHEDULED = "#9aa5b1"
IN_PROGRESS = "#0072b2"
COMPLETED = "#009e73"
OVERRAN = "#e69f00"
INK, FAINT = "#1f2933", "#616e7c"


@dataclass(frozen=True)
class Day:
    """One day's maintenance: how many are in each public state, and how many of the completed ones overran."""

    day: date
    scheduled: int = 0
    in_progress: int = 0
    completed: int = 0
    overran: int = 0  # of `completed`

    @property
    def total(self) -> int:
        return self.scheduled + self.in_progress + self.completed


def render(days: Sequence[Day], *, title: str, subtitle: str, alt_text: str) -> bytes:
    """The chart as PNG bytes, WIDTH × HEIGHT pixels; `title` and `alt_text` are also in its metadata."""
    if not days or len(days) > MAX_DAYS:
        raise ValueError(f"a chart covers 1 to {MAX_DAYS} days, not {len(days)}")
    # Loaded on the first chart, not with the Slack app: matplotlib takes a second or two to import.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.07, 0.2, 0.9, 0.6))
    positions = range(len(days))
    on_time = [d.completed - min(d.overran, d.completed) for d in days]
    overran = [min(d.overran, d.completed) for d in days]
    width = 0.7 if len(days) <= LABELLED_DAYS else 0.85
    bottom = [0] * len(days)
    segments = [
        ("Completed", on_time, COMPLETED, None),
        ("Completed, overran", overran, OVERRAN, "///"),
        ("In progress", [d.in_progress for d in days], IN_PROGRESS, None),
        ("Scheduled", [d.scheduled for d in days], SCHEDULED, None),
    ]
    for _label, counts, colour, hatch in segments:
        drawn = [i for i in positions if counts[i]]  # a year of mostly empty days draws only its bars
        axes.bar(drawn, [counts[i] for i in drawn], width, bottom=[bottom[i] for i in drawn], color=colour,
                 hatch=hatch, edgecolor="white", linewidth=0.8 if hatch else 0)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    peak = max(d.total for d in days)
    axes.set_ylim(0, max(peak * 1.18, 1))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    axes.grid(axis="y", color="#e4e7eb", linewidth=0.8)
    axes.set_axisbelow(True)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.spines["bottom"].set_color("#cbd2d9")
    axes.tick_params(axis="both", colors=FAINT, labelsize=8, length=0)
    axes.set_xlim(-0.6, len(days) - 0.4)
    _label_days(axes, days)
    if peak == 0:
        axes.text(0.5, 0.5, "No maintenance in this period", transform=axes.transAxes, ha="center", va="center",
                  color=FAINT, fontsize=11)
    figure.text(0.07, 0.93, title, fontsize=13, fontweight="bold", color=INK, ha="left", va="center")
    figure.text(0.07, 0.865, subtitle, fontsize=9, color=FAINT, ha="left", va="center")
    legend = [Patch(facecolor=colour, hatch=hatch, edgecolor="white", label=label)
              for label, _, colour, hatch in segments]
    figure.legend(handles=legend, loc="lower center", ncols=4, frameon=False, fontsize=8, labelcolor=INK,
                  bbox_to_anchor=(0.52, 0.0))
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, metadata={"Title": title, "Description": alt_text,
                                                         "Software": "maintbot"})
    return out.getvalue()


def _label_days(axes, days: Sequence[Day]) -> None:
    """Weekday and date under each bar and the count above it for a week or two; sparse dates for longer."""
    if len(days) <= LABELLED_DAYS:
        axes.set_xticks(range(len(days)), [f"{d.day:%a}\n{d.day:%d %b}" for d in days])
        for position, d in enumerate(days):
            if d.total:
                note = f"{d.total}" + (f"\n{d.overran} overran" if d.overran else "")
                axes.text(position, d.total, note, ha="center", va="bottom", fontsize=8, color=INK,
                          linespacing=1.1)
        return
    step = max(1, round(len(days) / 10))
    ticks = list(range(0, len(days), step))
    axes.set_xticks(ticks, [f"{days[i].day:%d %b}" for i in ticks])
