"""Field rules for announcements and their offerings (DESIGN §2), returning messages per field."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from bot.domain.enums import Impact, MaintenanceType

NAME_MAX = 150
TEXT_MAX = 2000
URL_MAX = 500

REQUIRED = "This field is required."


def _text(value: Any, limit: int, *, blank_ok: bool) -> str | None:
    if not isinstance(value, str):
        return "Not a valid string."
    if "\x00" in value or not _encodable(value):
        return "Null characters and broken unicode are not allowed."
    if not blank_ok and not value.strip():
        return "This field may not be blank."
    if len(value) > limit:
        return f"Ensure this field has no more than {limit} characters."
    return None


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


def _url(value: Any) -> str | None:
    if not isinstance(value, str):
        return "Not a valid string."
    if value == "":
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value or len(value) > URL_MAX:
        return "Enter a valid URL."
    return None


def _moment(value: Any) -> str | None:
    if not isinstance(value, datetime):
        return "Datetime has wrong format."
    if value.tzinfo is None:
        return "Datetime needs a time zone."
    return None


CHECKS = {
    "name": lambda v: _text(v, NAME_MAX, blank_ok=False),
    "message": lambda v: _text(v, TEXT_MAX, blank_ok=True),
    "internal_notes": lambda v: _text(v, TEXT_MAX, blank_ok=True),
    "maintenance_type": lambda v: _choice(v, MaintenanceType),
    "external_reference_url": _url,
    "scheduled_start": _moment,
    "scheduled_end": _moment,
    "impact_level": lambda v: _choice(v, Impact),
    "impact_description": lambda v: _text(v, TEXT_MAX, blank_ok=True),
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
