"""What an audit event's changes mean: each field's value before and after, read back from how it was stored.

The trail stores every value as text (`str(value)`: a moment as "2026-11-03 09:00:00+00:00", a type or an
impact as its number). Readers want the moment as a moment and the number as its label; this is the one
place that knows which field holds what, so the API (ISO 8601) and Slack (date tokens) only render.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.enums import Impact, MaintenanceType
from bot.domain.views import EventView

MOMENTS = frozenset({"scheduled_start", "scheduled_end", "actual_start", "actual_end"})
LABELLED = {"maintenance_type": MaintenanceType, "impact_level": Impact}

Value = datetime | str | None


@dataclass(frozen=True)
class Change:
    field: str  # as recorded: "scheduled_end", or "VMs.impact_level" for an affected offering
    before: Value
    after: Value


def changes(event: EventView) -> list[Change]:
    """The event's changes in the order recorded, values read back (see the module)."""
    return [Change(name, value(name, pair[0]), value(name, pair[1])) for name, pair in _pairs(event.changes)]


def value(field: str, stored: object) -> Value:
    """One stored value as what it is: a moment (aware, UTC), a label, None for nothing, else the text."""
    if stored is None or stored in ("None", ""):
        return None
    text = str(stored)
    key = field.rpartition(".")[2]
    if key in MOMENTS:
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            return text
    if key in LABELLED:
        try:
            return LABELLED[key](int(text)).label
        except ValueError:
            return text
    return text


def _pairs(stored: object) -> list[tuple[str, tuple[object, object]]]:
    """(field, (before, after)) from the stored JSON; anything malformed is skipped, never fails a reader."""
    if not isinstance(stored, dict):
        return []
    pairs = []
    for name, pair in stored.items():
        if isinstance(pair, list | tuple) and len(pair) == 2:
            pairs.append((str(name), (pair[0], pair[1])))
    return pairs
