"""What the public maintenance page holds (`/status`, DESIGN §5a): the rule, stated once.

Three sections, for everyone (no actor: the page is anonymous), of one provider or one offering when asked:

* **in progress now**: In progress, the one that started first on top;
* **upcoming**: Scheduled (published) maintenance, soonest first;
* **recent past**: Completed maintenance whose window ended within RECENT_PAST (14 days), and maintenance that
  was published and then cancelled within it, as last published; most recent first.

Only published wording ever shows: every item is an `announcement_view` for nobody's reach, which is the live
wording of a published announcement and the published snapshot of a cancelled one (`published.py`); a draft,
a draft cancelled unseen, internal notes and text typed after a withdrawal never do. Each section holds at most
SECTION_LIMIT items and says how many there are in all, so a provider with 10,000 announcements costs the
same few bounded queries (chosen, ordered and counted in SQL) as one with ten.

Providers and offerings are named in the page's paths by a slug of their name (`Cloud Platform` →
`cloud-platform`) or by uuid; a slug two of them share names neither, and their links use the uuid instead.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from bot.domain import lookup, timing
from bot.domain.actors import Reach
from bot.domain.announcements import announcement_view
from bot.domain.context import Context
from bot.domain.enums import State
from bot.domain.errors import NotFound
from bot.domain.listing import ListQuery, count_query, filter_conditions, page_query
from bot.domain.views import AnnouncementView
from storage.models import Announcement, Offering, Provider

RECENT_PAST = timedelta(days=14)
#: Items a section shows at most; the rest are counted ("and 12 more").
SECTION_LIMIT = 50
#: Cancellations read at most (newest first) before keeping those of the provider or offering asked for.
CANCELLED_READ = 300
NO_PROVIDER = "There is no service provider {!r} on this page."
NO_OFFERING = "There is no offering {!r} of this provider on this page."


def slug(name: str) -> str:
    """A name as a path segment: lower-case ASCII letters and digits, runs of anything else as one `-`."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


@dataclass(frozen=True)
class Place:
    """A provider or an offering as the page names it: `segment` is its slug when that is unique, else its uuid."""

    uuid: UUID
    name: str
    segment: str


@dataclass(frozen=True)
class Section:
    items: tuple[AnnouncementView, ...]
    count: int  # how many there are; `items` holds at most SECTION_LIMIT of them

    @property
    def more(self) -> int:
        return self.count - len(self.items)


@dataclass(frozen=True)
class Board:
    """The page as it stands at `now`: its scope, the places to narrow it to, and its three sections."""

    now: datetime
    provider: Place | None
    offering: Place | None
    providers: tuple[Place, ...]
    offerings: tuple[Place, ...]  # the chosen provider's, to narrow to one of them
    in_progress: Section
    upcoming: Section
    recent: Section

    @property
    def shown(self) -> tuple[AnnouncementView, ...]:
        return self.in_progress.items + self.upcoming.items + self.recent.items


def places(rows: list[tuple[UUID, str]]) -> tuple[Place, ...]:
    """Each (uuid, name) as a Place, by its slug where no other has the same one (and it has one)."""
    taken: dict[str, int] = {}
    for _, name in rows:
        taken[slug(name)] = taken.get(slug(name), 0) + 1
    return tuple(Place(uuid, name, slug(name) if slug(name) and taken[slug(name)] == 1 else uuid.hex)
                 for uuid, name in rows)


def find(choices: tuple[Place, ...], segment: str) -> Place | None:
    """The place a path segment names: its uuid (any spelling) or its unique slug."""
    uuid = lookup.parse_uuid(segment) if len(segment) in (32, 36) else None
    for place in choices:
        if place.uuid == uuid or place.segment == segment.lower():
            return place
    return None


class StatusBoard:
    """Reads the public page's sections in one read-only transaction."""

    def __init__(self, context: Context) -> None:
        self.context = context

    def board(self, provider: str | None = None, offering: str | None = None) -> Board:
        """The page for everything, one provider (slug or uuid), or one of its offerings; NotFound for a name
        the page does not know (before any announcement is read)."""
        with self.context.reading() as uow:
            session, now = uow.session, uow.now
            providers = places(list(session.execute(select(Provider.uuid, Provider.name).order_by(Provider.name))))
            chosen = offered = None
            offerings: tuple[Place, ...] = ()
            if provider is not None:
                chosen = find(providers, provider)
                if chosen is None:
                    raise NotFound(NO_PROVIDER.format(provider))
                offerings = places(list(session.execute(
                    select(Offering.uuid, Offering.name).join(Provider)
                    .where(Provider.uuid == chosen.uuid).order_by(Offering.name))))
            if offering is not None:
                offered = find(offerings, offering)
                if offered is None:
                    raise NotFound(NO_OFFERING.format(offering))
            scope = ListQuery(provider_uuid=None if offered else chosen and chosen.uuid,
                              offering_uuid=offered and offered.uuid)
            since = now - RECENT_PAST
            return Board(
                now, chosen, offered, providers, offerings,
                in_progress=_section(session, scope, [State.IN_PROGRESS], ("scheduled_start",)),
                upcoming=_section(session, scope, [State.SCHEDULED], ("scheduled_start",)),
                recent=_recent(session, scope, since),
            )


def _section(session: Session, scope: ListQuery, states: list[State], keys: tuple[str, ...],
             extra: tuple = ()) -> Section:
    conditions = [*filter_conditions(ListQuery(states=states, provider_uuid=scope.provider_uuid,
                                               offering_uuid=scope.offering_uuid)), *extra]
    count = session.scalar(count_query(conditions)) or 0
    if not count:
        return Section((), 0)
    everyone = Reach(set())
    rows = session.execute(page_query(conditions, keys, SECTION_LIMIT, 0)).unique()
    return Section(tuple(announcement_view(row[0], row[1:], everyone) for row in rows), count)


def _recent(session: Session, scope: ListQuery, since: datetime) -> Section:
    """Completed within `since`, and published-then-cancelled since then as last published (by their snapshot's
    provider, offerings and window, never by edits made after a withdrawal); most recently ended first."""
    completed = _section(session, scope, [State.COMPLETED], ("-scheduled_end",),
                         (Announcement.scheduled_end >= since,))
    everyone = Reach(set())
    rows = session.execute(
        select(Announcement, *timing.COMPUTED)
        .where(Announcement.state == int(State.CANCELLED), Announcement.published.is_not(None),
               Announcement.modified >= since)
        .order_by(Announcement.modified.desc(), Announcement.id.desc())
        .limit(CANCELLED_READ)
        .options(undefer(Announcement.published))
    ).unique()
    cancelled = []
    for row in rows:
        view = announcement_view(row[0], row[1:], everyone)
        if (scope.provider_uuid in (None, view.provider_uuid)
                and scope.offering_uuid in (None, *(item.offering.uuid for item in view.affected))):
            cancelled.append(view)
    merged = sorted((*completed.items, *cancelled), key=lambda view: (view.scheduled_end, view.uuid), reverse=True)
    return Section(tuple(merged[:SECTION_LIMIT]), completed.count + len(cancelled))
