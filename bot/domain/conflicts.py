"""Conflicts: published maintenance windows that overlap on a shared offering (DESIGN §5a).

Two announcements conflict when both affect one offering and their windows overlap (touching ends do not:
one may start the minute the other ends). Only Scheduled and In-progress announcements count as the
*other* side: a draft is nobody's plan yet, and completed or cancelled maintenance is over. A conflict is
pointed out, never refused: overlapping work on one offering is sometimes exactly what was planned.

Who is told: the announcement's managers only (its `AnnouncementView.conflicts`); channel cards and public
views never carry conflicts, so a channel card can never go stale when the *other* announcement changes.
The other side is named by its published wording, which in Scheduled and In progress is its live wording.

Cost: one query per view or per page of views (two when a page holds windows on both sides of now), driven by
an index of (state, one end of the window) over the published windows: for a window that has ended, by the
start index (the published windows that start before it ends: the few forgotten ones); for one still to end, by
the end index (those that end after it starts: the few upcoming ones). Either bound alone would read most
published windows for a window on the wrong side — SQLite drove every check by the start index, ~20,000 rows per
announcement at 100,000 and over a second for a page of ten. At most MAX_SHOWN per announcement.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.functions import GenericFunction

from bot.domain.enums import EDITABLE_STATES, State
from bot.domain.views import AnnouncementView, ConflictView
from storage.models import AffectedOffering, Announcement

#: What the other side of a conflict may be in.
CONFLICTING_STATES = frozenset({State.SCHEDULED, State.IN_PROGRESS})
#: Conflicts worth looking for: an announcement still to run or running (not a finished or called-off one).
CHECKED_STATES = frozenset(EDITABLE_STATES)
#: At most this many conflicts are named per announcement, soonest first.
MAX_SHOWN = 10


def overlaps(start: datetime, end: datetime, other_start: datetime, other_end: datetime) -> bool:
    """Whether two windows share a moment; touching ends do not."""
    return start < other_end and other_start < end


class unindexed(GenericFunction):
    """A column compared without its index, so that the planner drives a range by the other bound: SQLite's
    `+column`; elsewhere `coalesce(column, column)` (PostgreSQL otherwise took the end index for ended windows too,
    ~23,000 rows each)."""

    inherit_cache = True
    name = "unindexed"

    def __init__(self, column: ColumnElement, **kw) -> None:
        super().__init__(column, **kw)
        self.type = column.type


@compiles(unindexed)
def _unindexed_default(element, compiler, **kw) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"coalesce({column}, {column})"


@compiles(unindexed, "sqlite")
def _unindexed_sqlite(element, compiler, **kw) -> str:
    return f"+{compiler.process(element.clauses, **kw)}"


def worth_checking(view: AnnouncementView) -> bool:
    return view.can_manage and view.state in CHECKED_STATES


def attach(session: Session, views: list[AnnouncementView], now: datetime | None = None) -> list[AnnouncementView]:
    """`views` with their conflicts filled in where the reader manages them (a query for those ended by `now`,
    one for the others; `now` only chooses the index, never the answer)."""
    checked = [view for view in views if worth_checking(view)]
    if not checked:
        return views
    ended = [view.uuid for view in checked if now is not None and view.scheduled_end <= now]
    running = [view.uuid for view in checked if now is None or view.scheduled_end > now]
    found = {**(find(session, ended, by_end=False) if ended else {}), **(find(session, running) if running else {})}
    return [replace(view, conflicts=tuple(found.get(view.uuid, ()))) if worth_checking(view) else view
            for view in views]


def find(session: Session, uuids: list[UUID], *, by_end: bool = True) -> dict[UUID, list[ConflictView]]:
    """uuid → its conflicts, soonest first, at most MAX_SHOWN each, for the announcements `uuids`. The SQL
    states the same overlap as `overlaps` (which the unit tests pin down); `by_end` drives it by the other
    side's end (for windows still to end), else by its start (for ended windows)."""
    rows = session.execute(FIND[by_end], {"uuids": uuids}).all()
    found: dict[UUID, list[ConflictView]] = defaultdict(list)
    for uuid, other_uuid, name, state, start, end in rows:
        found[uuid].append(ConflictView(other_uuid, name, State(state), start, end))
    return found


def _find_query(by_end: bool) -> Select:
    """The statement of `find`, built once: building its aliases anew took longer than running it."""
    this, other = aliased(Announcement), aliased(Announcement)
    mine, theirs = aliased(AffectedOffering), aliased(AffectedOffering)
    shared_offering = (
        select(mine.id)
        .join(theirs, theirs.offering_id == mine.offering_id)
        .where(mine.announcement_id == this.id, theirs.announcement_id == other.id)
        .exists()
    )
    # By uuid, as chosen: partitioned by id, PostgreSQL walked the primary key for the order, filtering uuids.
    rank = func.row_number().over(partition_by=this.uuid, order_by=(other.scheduled_start, other.id)).label("rank")
    ranked = (
        select(this.uuid.label("this"), other.uuid, other.name, other.state, other.scheduled_start,
               other.scheduled_end, rank)
        .join(other, and_(
            other.id != this.id,
            other.state.in_(sorted(int(state) for state in CONFLICTING_STATES)),
            (unindexed(other.scheduled_start) if by_end else other.scheduled_start) < this.scheduled_end,
            (other.scheduled_end if by_end else unindexed(other.scheduled_end)) > this.scheduled_start,
        ))
        .where(this.uuid.in_(bindparam("uuids", expanding=True)), shared_offering)
        .subquery()
    )
    return (
        select(ranked.c.this, ranked.c.uuid, ranked.c.name, ranked.c.state, ranked.c.scheduled_start,
               ranked.c.scheduled_end)
        .where(ranked.c.rank <= MAX_SHOWN)
        .order_by(ranked.c.this, ranked.c.rank)
    )


FIND = {by_end: _find_query(by_end) for by_end in (True, False)}
