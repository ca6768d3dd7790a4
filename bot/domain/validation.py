"""Field rules for announcements and their offerings (DESIGN §2), returning messages per field.

What is stored is also shown: in Slack, in calendar apps, in terminals (`maintbot console`, logs). So
text that would show something other than it says is refused, not cleaned: control characters (ANSI
escapes start with ESC) and the bidirectional embeddings, overrides and isolates that reorder what a
reader sees. Longer texts (messages, notes, impact descriptions) keep their line breaks and tabs; names
are one line. A reference URL holds no whitespace or invisible characters at all (`urlsplit` quietly
drops tabs and newlines, so it is checked before it is split). Scheduled times lie in the years
2000–2100, lead times of reminders within `LEAD_MAX`: anything farther is a typo that would overflow
the arithmetic of reminders, alerts and extensions.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from bot.domain.enums import Impact, MaintenanceType
from bot.domain.errors import Invalid

NAME_MAX = 150
TEXT_MAX = 2000
URL_MAX = 500
#: Scheduled times are refused outside [EARLIEST, LATEST).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2101, 1, 1, tzinfo=UTC)
#: The longest lead time of a reminder (before the scheduled start).
LEAD_MAX = timedelta(days=90)

REQUIRED = "This field is required."
OUT_OF_RANGE = f"Must lie in the years {EARLIEST.year}–{LATEST.year - 1}."

_BIDI_AND_SEPARATORS = "\u2028\u2029\u202a-\u202e\u2066-\u2069"
#: In a one-line text: every C0 and C1 control (ESC, CR, LF, tab, NEL…), DEL, line separators, bidi controls.
_UNSAFE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI_AND_SEPARATORS}]")
#: In a longer text: the same, except line feeds and tabs (a CR counts only as part of CRLF).
_UNSAFE_TEXT = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI_AND_SEPARATORS}]")
_LEAD_TIME = re.compile(r"^\s*(\d{1,7})\s*([mhd])\s*$")
_UNIT = {"m": "minutes", "h": "hours", "d": "days"}


def unsafe_characters(value: str, *, multiline: bool) -> str | None:
    """Why `value` may not be stored as shown text, or None when it may."""
    if multiline and _UNSAFE_TEXT.search(value.replace("\r\n", "\n")):
        return "Control characters (other than line breaks and tabs) and bidirectional overrides are not allowed."
    if not multiline and _UNSAFE_LINE.search(value):
        return "Must be one line, without control characters or bidirectional overrides."
    return None


def parse_lead_times(text: str) -> tuple[timedelta, ...]:
    """Turn '72h,24h,1h' into lead times, longest first; raises ValueError on anything else, and on a lead
    time longer than LEAD_MAX."""
    leads = []
    for part in text.split(","):
        if not part.strip():
            continue
        match = _LEAD_TIME.match(part)
        if not match:
            raise ValueError(f"{part.strip()[:40]!r} is not a lead time like 72h, 30m or 2d")
        lead = timedelta(**{_UNIT[match[2]]: int(match[1])})
        if lead > LEAD_MAX:
            raise ValueError(f"{part.strip()!r} is longer than the longest lead time, {LEAD_MAX.days}d")
        leads.append(lead)
    return tuple(sorted(set(leads), reverse=True))


def _text(value: Any, limit: int, *, blank_ok: bool, multiline: bool) -> str | None:
    if not isinstance(value, str):
        return "Not a valid string."
    if "\x00" in value or not _encodable(value):
        return "Null characters and broken unicode are not allowed."
    if not blank_ok and not value.strip():
        return "This field may not be blank."
    if len(value) > limit:
        return f"Ensure this field has no more than {limit} characters."
    return unsafe_characters(value, multiline=multiline)


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return False
    return True


def _choice(value: Any, choices: type[MaintenanceType] | type[Impact]) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or value not in {int(c) for c in choices}:
        return f'"{value}" is not a valid choice.'
    return None


def _unsafe_in_url(char: str) -> bool:
    """Whitespace, or a control or format character (zero-width, bidi, soft hyphen, tags): nothing a reader sees."""
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf")


def _url(value: Any) -> str | None:
    if not isinstance(value, str):
        return "Not a valid string."
    if value == "":
        return None
    if len(value) > URL_MAX or any(_unsafe_in_url(char) for char in value):
        return "Enter a valid URL."
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "Enter a valid URL."
    return None


def _moment(value: Any) -> str | None:
    if not isinstance(value, datetime):
        return "Datetime has wrong format."
    if value.tzinfo is None:
        return "Datetime needs a time zone."
    if not EARLIEST <= value < LATEST:
        return OUT_OF_RANGE
    return None


CHECKS = {
    "name": lambda v: _text(v, NAME_MAX, blank_ok=False, multiline=False),
    "message": lambda v: _text(v, TEXT_MAX, blank_ok=True, multiline=True),
    "internal_notes": lambda v: _text(v, TEXT_MAX, blank_ok=True, multiline=True),
    "maintenance_type": lambda v: _choice(v, MaintenanceType),
    "external_reference_url": _url,
    "scheduled_start": _moment,
    "scheduled_end": _moment,
    "impact_level": lambda v: _choice(v, Impact),
    "impact_description": lambda v: _text(v, TEXT_MAX, blank_ok=True, multiline=True),
}


def check_fields(fields: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """Messages for every field that breaks its rule, and for every required field that is missing."""
    errors: dict[str, list[str]] = {}
    for name in required:
        if fields.get(name) is None:
            errors[name] = [REQUIRED]
    for name, value in fields.items():
        check = CHECKS.get(name)
        if check is not None and name not in errors and value is not None:
            message = check(value)
            if message:
                errors[name] = [message]
    return errors


def check_window(start: datetime, end: datetime) -> dict[str, list[str]]:
    if end < start:
        return {"scheduled_end": ["Scheduled end must not be before scheduled start."]}
    return {}


def extended_end(end: datetime, now: datetime, by: timedelta) -> datetime:
    """Where an extension by `by` moves an end: `by` after the end, or after now when the end has passed.
    Refused (Invalid) past LATEST."""
    start_from = max(end, now)
    if start_from >= LATEST - by:
        raise Invalid.one("scheduled_end", OUT_OF_RANGE)
    return start_from + by
