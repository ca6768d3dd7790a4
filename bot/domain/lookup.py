"""Finding things by what users type: full uuids, unique short ids, or names (an announcement: words)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from bot.domain.enums import State
from bot.domain.errors import Ambiguous, AmbiguousWords, Invalid, NotFound
from bot.domain.listing import SOONEST_TERMS, search_words, words_conditions
from storage.models import Announcement, Offering, Provider

MIN_PREFIX = 6
_HEX = re.compile(r"^[0-9a-f]+$")
Row = TypeVar("Row")


def parse_uuid(reference: object) -> UUID | None:
    """A full uuid in any common spelling, or None."""
    if isinstance(reference, UUID):
        return reference
    try:
        return UUID(str(reference).strip())
    except ValueError:
        return None


def uuid_condition(column, reference: object) -> ColumnElement[bool] | None:
    """SQL matching a full uuid, or every uuid starting with a hex prefix of at least 6 digits.

    A prefix becomes a range (prefix000… to prefixfff…), which works on both backends and uses the
    unique index on the uuid column.
    """
    full = parse_uuid(reference)
    if full is not None:
        return column == full
    text = str(reference).strip().lower().replace("-", "")
    if len(text) < MIN_PREFIX or len(text) >= 32 or not _HEX.match(text):
        return None
    return column.between(UUID(text.ljust(32, "0")), UUID(text.ljust(32, "f")))


def one(session: Session, query, reference: object, what: str, describe=lambda row: str(row)) -> Row:
    """The single row `query` yields; NotFound when none, Ambiguous (listing them) when several."""
    rows = list(session.scalars(query.limit(11)).unique())
    if not rows:
        raise NotFound(f"No {what} matches {str(reference)!r}.")
    if len(rows) > 1:
        raise Ambiguous(str(reference), [describe(row) for row in rows[:10]])
    return rows[0]


def findable(text: str, what: str) -> str:
    """`text` as a name to look for; no name holds a NUL (PostgreSQL cannot even compare one): not found."""
    if "\x00" in text:
        raise NotFound(f"No {what} matches {text!r}.")
    return text


def provider(session: Session, reference: object) -> Provider:
    """A provider by uuid, short id or (case-insensitive) name."""
    text = findable(str(reference).strip(), "service provider")
    condition = uuid_condition(Provider.uuid, text)
    by_name = func.lower(Provider.name) == text.lower()
    query = select(Provider).where(or_(by_name, condition) if condition is not None else by_name)
    return one(session, query, text, "service provider", lambda row: row.name)


def offering(session: Session, reference: object, provider_id: int | None = None) -> Offering:
    """An offering by uuid, short id or name; a name may be given as 'Provider/Offering'."""
    text = findable(str(reference).strip(), "offering")
    query = select(Offering)
    condition = uuid_condition(Offering.uuid, text)
    if condition is not None:
        query = query.where(condition)
    else:
        if "/" in text:
            provider_name, text = (part.strip() for part in text.split("/", 1))
            query = query.join(Provider).where(func.lower(Provider.name) == provider_name.lower())
        query = query.where(func.lower(Offering.name) == text.lower())
        if provider_id is not None:
            query = query.where(Offering.provider_id == provider_id)
    return one(session, query, reference, "offering", lambda row: f"{row.provider.name}/{row.name}")


#: Candidates listed when words match several announcements.
CANDIDATES = 10


def announcement(session: Session, visible: ColumnElement[bool], reference: object,
                 lock: Callable[[Select], Select] | None = None) -> Announcement:
    """The announcement `reference` names among those `visible`: by uuid or short id, else by words (each in its
    name or message, as `/maint find` matches them). Text that looks like a short id but finds none is tried as
    words too ("facade"). Several matches: Ambiguous (ids) or AmbiguousWords listing them soonest first; none:
    NotFound, the same whether nothing matches or only what the actor may not see."""
    lock = lock or (lambda query: query)
    text = str(reference).strip()
    condition = uuid_condition(Announcement.uuid, text)
    if condition is not None:
        # Candidates by the uuid index first: visibility must not steer the planner away from it.
        candidates = select(Announcement.id).where(condition).limit(50).scalar_subquery()
        query = lock(select(Announcement).where(Announcement.id.in_(candidates), visible))
        rows = list(session.scalars(query.limit(11)).unique())
        if len(rows) > 1:
            raise Ambiguous(text, [f"{r.uuid.hex[:8]} {r.name}" for r in rows[:10]])
        if rows:
            return rows[0]
        if parse_uuid(text) is not None:
            raise NotFound(f"No announcement matches {text!r}.")
    try:
        words = search_words(text)
    except Invalid:
        words = ()
    rows = []
    if words and "\x00" not in text:
        query = lock(select(Announcement).where(visible, *words_conditions(words)).order_by(*SOONEST_TERMS))
        rows = list(session.scalars(query.limit(CANDIDATES + 1)).unique())
    if not rows:
        raise NotFound(f"No announcement matches {clipped(text)!r} (by id, or by words of its name or message).")
    if len(rows) > 1:
        raise AmbiguousWords(text, [describe(row) for row in rows[:CANDIDATES]], more=len(rows) > CANDIDATES)
    return rows[0]


def describe(row: Announcement) -> str:
    """A candidate as listed: short id, name, state and start (UTC; the interface may show it otherwise)."""
    return f"{row.uuid.hex[:8]} {row.name} ({State(row.state).label}, {row.scheduled_start:%Y-%m-%d %H:%M} UTC)"


def clipped(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
