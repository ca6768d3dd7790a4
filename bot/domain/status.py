"""What the public maintenance page holds (`/status`, DESIGN §5a): the rule, stated once.

Three sections, for everyone (no actor: the page is anonymous), of one provider or one offering when asked:

* **in progress now**: In progress, the one that started first on top;
* **upcoming**: Scheduled (published) maintenance, soonest first;
* **recent past**: Completed maintenance whose window ended within RECENT_PAST (14 days), and maintenance that
  was published and then cancelled within it, as last published; the latest window end first.

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

from sqlalchemy import and_, or_, select, union_all
from sqlalchemy.orm import Session, undefer

from bot.domain import lookup, timing
from bot.domain.actors import Reach
from bot.domain.announcements import announcement_view
from bot.domain.context import Context
from bot.domain.enums import State
from bot.domain.errors import NotFound
from bot.domain.listing import ListQuery, count_query, filter_conditions, order_by
from bot.domain.updates import with_latest
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
    taken: dict[str, int] = {uuid.hex: 1 for uuid, _ in rows}  # a slug spelling a uuid would hide its place
    for _, name in rows:
        taken[slug(name)] = taken.get(slug(name), 0) + 1
    return tuple(Place(uuid, name, slug(name) if slug(name) and taken[slug(name)] == 1 else uuid.hex)
                 for uuid, name in rows)


def find(choices: tuple[Place, ...], segment: str) -> Place | None:
    """The place a path segment names: its uuid (any spelling) or its unique slug."""
    uuid = lookup.parse_uuid(segment) if len(segment) in (32, 36) else None
    by_uuid = [place for place in choices if uuid is not None and place.uuid == uuid]
    by_slug = [place for place in choices if place.segment == segment.lower()]
    return (by_uuid or by_slug or [None])[0]


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
            in_progress, upcoming, completed = _published_sections(session, scope, now - RECENT_PAST)
            return Board(now, chosen, offered, providers, offerings, in_progress, upcoming,
                         _recent(session, scope, now - RECENT_PAST, completed))


@dataclass(frozen=True)
class _Part:
    """One section of published announcements: which, in which order (the listing's keys)."""

    states: tuple[State, ...]
    keys: tuple[str, ...]
    extra: tuple = ()

    def conditions(self, scope: ListQuery) -> list:
        query = ListQuery(states=list(self.states), provider_uuid=scope.provider_uuid,
                          offering_uuid=scope.offering_uuid)
        return [*filter_conditions(query), *self.extra]


def _published_sections(session: Session, scope: ListQuery, since: datetime) -> tuple[Section, Section, Section]:
    """In progress (earliest start first), upcoming (soonest first) and completed since `since` (latest end
    first): each section's page of ids chosen and counted in SQL, and the rows of all three read in one query."""
    parts = (_Part((State.IN_PROGRESS,), ("scheduled_start",)),
             _Part((State.SCHEDULED,), ("scheduled_start",)),
             _Part((State.COMPLETED,), ("-scheduled_end",), (Announcement.scheduled_end >= since,)))
    counts = [session.scalar(count_query(part.conditions(scope))) or 0 for part in parts]
    pages = [select(Announcement.id).where(*part.conditions(scope)).order_by(*order_by(part.keys))
             .limit(SECTION_LIMIT).subquery() for part, count in zip(parts, counts, strict=True) if count]
    if not pages:
        return Section((), 0), Section((), 0), Section((), 0)
    ids = union_all(*(select(page.c.id) for page in pages))
    everyone = Reach(set())
    rows = session.execute(select(Announcement, *timing.COMPUTED).where(Announcement.id.in_(ids))).unique()
    read = [(row[0].id, announcement_view(row[0], row[1:], everyone)) for row in rows]
    read = list(zip([ident for ident, _ in read], with_latest(session, [view for _, view in read]), strict=True))
    sections = []
    for part, count in zip(parts, counts, strict=True):
        mine = [(ident, view) for ident, view in read if view.state in part.states]
        if part.keys[0].startswith("-"):
            mine.sort(key=lambda pair: (pair[1].scheduled_end, pair[0]), reverse=True)
        else:
            mine.sort(key=lambda pair: (pair[1].scheduled_start, pair[0]))
        sections.append(Section(tuple(view for _, view in mine), count))
    return sections[0], sections[1], sections[2]


def _recent(session: Session, scope: ListQuery, since: datetime, completed: Section) -> Section:
    """Completed within `since` (by the end of their window), and the latest SECTION_LIMIT published-then-cancelled
    since then, latest window end first. A cancelled one shows as last published, and is of an offering by
    its snapshot's provider and offerings, never by edits made after a withdrawal (the provider in SQL, from the
    snapshot's JSON; the offerings, which an offering's page alone asks for, from the views)."""
    conditions = [Announcement.state == int(State.CANCELLED), Announcement.published.is_not(None),
                  Announcement.modified >= since]
    if scope.provider_uuid is not None:  # the snapshot's provider (older snapshots hold none: the row's, unchanged)
        shown = Announcement.published["provider"].as_string()
        conditions.append(or_(shown == scope.provider_uuid.hex,
                              and_(shown.is_(None), *filter_conditions(ListQuery(provider_uuid=scope.provider_uuid)))))
    by_offering = scope.offering_uuid is not None
    everyone = Reach(set())
    rows = session.execute(
        select(Announcement, *timing.COMPUTED)
        .where(*conditions)
        .order_by(Announcement.modified.desc(), Announcement.id.desc())
        .limit(CANCELLED_READ if by_offering else SECTION_LIMIT)
        .options(undefer(Announcement.published))
    ).unique()
    cancelled = [view for view in (announcement_view(row[0], row[1:], everyone) for row in rows)
                 if scope.provider_uuid in (None, view.provider_uuid)
                 and scope.offering_uuid in (None, *(item.offering.uuid for item in view.affected))]
    count = len(cancelled) if by_offering else session.scalar(count_query(conditions)) or 0
    merged = sorted((*completed.items, *cancelled), key=lambda view: (view.scheduled_end, view.uuid), reverse=True)
    return Section(tuple(merged[:SECTION_LIMIT]), completed.count + count)
