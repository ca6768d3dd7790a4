"""Links are fixed once they exist: an affected offering's announcement and offering, a template's provider,
a template offering's template and offering. Saying the same end again is fine; pointing a link somewhere
else is refused, beside the field, with what to do instead. Moving a link would move its history (notices,
audit) with it, so it is deleted and created anew.
"""

from __future__ import annotations

from uuid import UUID

from bot.domain.errors import Invalid

FIXED = "This cannot be changed; delete the link and create a new one."


def require_unchanged(name: str, requested: UUID, current: UUID) -> None:
    """Refuse a request that would re-point the fixed link `name` from `current` to `requested`."""
    if requested != current:
        raise Invalid.one(name, FIXED)
