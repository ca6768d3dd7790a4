"""Listing announcements: the filters, ordering keys and pagination of DESIGN §2, all in SQL."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from sqlalchemy import ColumnElement, Select, String, case, false, func, nulls_last, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import defaultload, joinedload
from sqlalchemy.sql.functions import GenericFunction

from bot.domain import timing
from bot.domain.enums import State, TimingBucket
from bot.domain.errors import Invalid, NotFound
from storage.models import AffectedOffering, Announcement, Offering, Provider

#: How a row to be shown as a view is loaded: its provider and offerings, not the providers' managers (which
#: `Provider` loads by default, one more query for the page's providers and one for its offerings' providers,
#: and which no view shows; read on access, should anything ask).
VIEW_LOADING = (
    defaultload(Announcement.provider).lazyload(Provider.managers),
    joinedload(Announcement.affected).defaultload(AffectedOffering.offering).defaultload(Offering.provider)
    .lazyload(Provider.managers),
)

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 300
DEFAULT_ORDERING = ("-created",)
#: More keys than this order nothing a reader can tell apart, and each one adds to the sort's cost.
MAX_ORDER_KEYS = 3

ORDER_KEYS = {
    "created": Announcement.created,
    "name": Announcement.name,
    "scheduled_start": Announcement.scheduled_start,
    "scheduled_end": Announcement.scheduled_end,
    "overrun_minutes": timing.overrun_minutes,
    "start_delta_minutes": timing.start_delta_minutes,
}

NULLABLE_KEYS = frozenset({"overrun_minutes", "start_delta_minutes"})


@dataclass
class ListQuery:
    """What a reader asks for. `timing_buckets` None means no filter; unknown bucket names are ignored."""

    maintenance_type: int | None = None
    states: list[State] = field(default_factory=list)
    scheduled_start_after: datetime | None = None
    scheduled_start_before: datetime | None = None
    scheduled_end_after: datetime | None = None
    scheduled_end_before: datetime | None = None
    provider_uuid: UUID | None = None
    offering_uuid: UUID | None = None  # announcements that affect this offering
    timing_buckets: list[str] | None = None
    created_by: str | None = None
    ordering: tuple[str, ...] = DEFAULT_ORDERING
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    words: tuple[str, ...] = ()  # each is in the name or the message (see `search_words`)
    soonest_first: bool = False  # in progress, then upcoming by start, then the rest (instead of `ordering`)


@dataclass(frozen=True)
class Preset:
    """A named list every interface offers: which states, in which order."""

    states: tuple[State, ...]
    ordering: tuple[str, ...]

    def query(self, **fields) -> ListQuery:
        return ListQuery(states=list(self.states), ordering=self.ordering, **fields)


#: `/maint list upcoming` and the App Home's sections: published-ahead by start, running by end, drafts.
PRESETS: dict[str, Preset] = {
    "upcoming": Preset((State.SCHEDULED,), ("scheduled_start",)),
    "active": Preset((State.IN_PROGRESS,), ("scheduled_end",)),
    "drafts": Preset((State.DRAFT,), ("scheduled_start",)),
}


def filter_conditions(query: ListQuery) -> list:
    """The WHERE conditions for a query's filters (shared by listing and statistics)."""
    conditions = []
    if query.maintenance_type is not None:
        conditions.append(Announcement.maintenance_type == query.maintenance_type)
    if query.states:
        conditions.append(Announcement.state.in_([int(s) for s in query.states]))
    bounds = (
        (query.scheduled_start_after, Announcement.scheduled_start.__ge__),
        (query.scheduled_start_before, Announcement.scheduled_start.__le__),
        (query.scheduled_end_after, Announcement.scheduled_end.__ge__),
        (query.scheduled_end_before, Announcement.scheduled_end.__le__),
    )
    conditions += [compare(moment) for moment, compare in bounds if moment is not None]
    if query.provider_uuid is not None:
        conditions.append(Announcement.provider_id.in_(select(Provider.id).where(Provider.uuid == query.provider_uuid)))
    if query.offering_uuid is not None:
        affecting = (
            select(AffectedOffering.announcement_id)
            .join(Offering, Offering.id == AffectedOffering.offering_id)
            .where(Offering.uuid == query.offering_uuid)
        )
        conditions.append(Announcement.id.in_(affecting))
    if query.timing_buckets is not None:
        known = [name for name in query.timing_buckets if name in TimingBucket.__members__.values()]
        conditions.append(timing.timing_bucket.in_(known) if known else false())
    if query.created_by is not None:  # nobody's id holds a NUL (PostgreSQL cannot even compare one)
        conditions.append(Announcement.created_by == query.created_by if "\x00" not in query.created_by else false())
    conditions += words_conditions(query.words)
    return conditions


def ordering(terms: Iterable[str]) -> tuple[str, ...]:
    """The ordering a reader asked for, from repeated terms and django-filter's comma lists alike
    (`o=name&o=-created`, `o=name,-created`): blanks are ignored, a key given again (either way) is kept
    once, where it first came, since the first decides; an unknown key, or more than 3 keys, is refused."""
    keys: dict[str, str] = {}  # key -> the term that orders by it
    for term in (part.strip() for text in terms for part in text.split(",")):
        if not term:
            continue
        key = term.removeprefix("-")
        if key not in ORDER_KEYS:
            choices = ", ".join(sorted(ORDER_KEYS))
            raise Invalid.one("o", f"Select a valid choice. {term} is not one of the available choices: {choices}.")
        keys.setdefault(key, term)
        if len(keys) > MAX_ORDER_KEYS:
            raise Invalid.one("o", f"Order by at most {MAX_ORDER_KEYS} different keys (e.g. o=name,-created).")
    return tuple(keys.values())


def order_by(keys: Iterable[str], columns: Mapping[str, ColumnElement] = ORDER_KEYS,
             tie: ColumnElement = Announcement.id) -> list:
    """ORDER BY terms for `ordering(keys)` over `columns`; nulls sort last in both directions; `tie` (the
    id) breaks ties so pages are stable."""
    keys = ordering(keys) or DEFAULT_ORDERING
    terms = []
    for key in keys:
        column = columns[key.lstrip("-")]
        term = column.desc() if key.startswith("-") else column.asc()
        # NULLS LAST only where a key can be NULL: on a NOT NULL column it changes nothing, but it keeps
        # PostgreSQL from reading the order off the column's index.
        terms.append(nulls_last(term) if key.lstrip("-") in NULLABLE_KEYS else term)
    return [*terms, tie.desc() if keys[-1].startswith("-") else tie.asc()]


def page_query(conditions: list, keys: Iterable[str], limit: int, offset: int, *, soonest: bool = False) -> Select:
    """One page of announcements (with their timing fields) meeting `conditions`, in the order of `keys`.

    The sort reads narrow rows only: the page's ids are chosen in a subquery that carries nothing but the
    sort keys, read off an index that also holds the columns visibility looks at (state, provider) where
    the key is a column (migration 0003), and only the page's rows are then read whole. Sorting whole rows
    made deep pages cost seconds (every skipped row, message and all, went through the sorter). A computed
    key has no index: each row's seconds are worked out once, in a materialised CTE, and rounded there;
    evaluated in ORDER BY, SQLite would parse each timestamp three times over."""
    if soonest:
        ids = select(Announcement.id).where(*conditions).order_by(*SOONEST_TERMS).limit(limit).offset(offset)
        return (select(Announcement, *timing.COMPUTED).where(Announcement.id.in_(ids.scalar_subquery()))
                .order_by(*SOONEST_TERMS).options(*VIEW_LOADING))
    keys = ordering(keys) or DEFAULT_ORDERING
    computed = {key.lstrip("-") for key in keys} & timing.SECONDS.keys()
    if computed:
        plain = [ORDER_KEYS[key.lstrip("-")].label(key.lstrip("-")) for key in keys if key.lstrip("-") not in computed]
        rows = (
            select(Announcement.id, *plain, *(timing.SECONDS[key].label(key) for key in computed))
            .where(*conditions)
            .cte("sort_keys")
            .prefix_with("MATERIALIZED")
        )
        columns = {key: timing.whole_minutes(rows.c[key]) if key in computed else rows.c[key]
                   for key in (key.lstrip("-") for key in keys)}
        ids = select(rows.c.id).order_by(*order_by(keys, columns, rows.c.id))
    else:
        ids = select(Announcement.id).where(*conditions).order_by(*order_by(keys))
    page = ids.limit(limit).offset(offset).scalar_subquery()
    return (select(Announcement, *timing.COMPUTED).where(Announcement.id.in_(page)).order_by(*order_by(keys))
            .options(*VIEW_LOADING))


def page_bounds(page: int, page_size: int, count: int) -> tuple[int, int]:
    """(page, size): a size above 300 is cut to 300, below 1 is the default; a page past the end is
    NotFound, as in the seed."""
    size = DEFAULT_PAGE_SIZE if page_size < 1 else min(page_size, MAX_PAGE_SIZE)
    last = max(1, -(-count // size))
    if page < 1 or page > last:
        raise NotFound("Invalid page.")
    return page, size


def count_query(conditions: list, parts: list | None = None) -> Select:
    """How many announcements meet `conditions` and, when given, any one of `parts` (disjoint conditions, e.g.
    `Reach.visible_parts`): a count per part, summed, each one range of an index."""
    if not parts or len(parts) == 1:
        return select(func.count()).select_from(Announcement).where(*(parts or ()), *conditions)
    counts = [select(func.count()).select_from(Announcement).where(part, *conditions).scalar_subquery()
              for part in parts]
    return select(sum(counts[1:], counts[0]))


# -- finding by words ----------------------------------------------------------------------------------

#: Words a search may hold, and characters in all: enough for any name; each word is one more scan condition.
MAX_SEARCH_WORDS = 8
MAX_SEARCH_LENGTH = 200


class folded(GenericFunction):
    """`text` in lower case, whole Unicode: PostgreSQL's lower() folds every letter its collation knows, SQLite's
    only A–Z, so on SQLite this calls `unicode_lower`, which storage.db registers on every connection."""

    type = String()
    inherit_cache = True
    name = "folded"


@compiles(folded)
def _folded_default(element, compiler, **kw) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(folded, "sqlite")
def _folded_sqlite(element, compiler, **kw) -> str:
    return f"unicode_lower({compiler.process(element.clauses, **kw)})"


class ascii_folded(GenericFunction):
    """`text` for matching a word of ASCII letters only: SQLite's LIKE already ignores ASCII case, in C, so the
    column is compared as it is there (calling back into Python for every row made a scan of 100k announcements
    cost seconds); PostgreSQL's LIKE does not, so it is lower()ed there."""

    type = String()
    inherit_cache = True
    name = "ascii_folded"


@compiles(ascii_folded)
def _ascii_folded_default(element, compiler, **kw) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(ascii_folded, "sqlite")
def _ascii_folded_sqlite(element, compiler, **kw) -> str:
    return compiler.process(element.clauses, **kw)


def search_words(text: str | None) -> tuple[str, ...]:
    """The words of a search, lower-cased, each once, in the order typed; () for no text or only blanks.

    Refused (Invalid, field "query"): more than MAX_SEARCH_LENGTH characters or MAX_SEARCH_WORDS words — a name
    is found with far fewer, and every word is one more condition on every row scanned."""
    if text is None:
        return ()
    if len(text) > MAX_SEARCH_LENGTH:
        raise Invalid.one("query", f"Search with at most {MAX_SEARCH_LENGTH} characters (this has {len(text)}).")
    words = tuple(dict.fromkeys(word.lower() for word in text.split()))
    if len(words) > MAX_SEARCH_WORDS:
        raise Invalid.one("query", f"Search with at most {MAX_SEARCH_WORDS} words (this has {len(words)}).")
    return words


def words_conditions(words: Iterable[str]) -> list:
    """SQL: every word is in the name or the message, whatever the case. The words are matched as typed:
    `%`, `_` and the escape character `/` are only themselves. No text holds a NUL (PostgreSQL cannot
    even compare one): a word with one matches nothing. The match cannot use an index (a word may be anywhere
    in the text): it scans the rows the other conditions leave, which is why words are capped."""
    conditions = []
    for word in words:
        if "\x00" in word:
            return [false()]
        word = word.lower()
        fold = ascii_folded if word.isascii() else folded
        # One literal pattern per word (not '%' || :word || '%', which SQLite builds again for every row).
        pattern = "%" + word.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"
        conditions.append(or_(fold(Announcement.name).like(pattern, escape="/"),
                              fold(Announcement.message).like(pattern, escape="/")))
    return conditions


_RANK = case((Announcement.state == int(State.IN_PROGRESS), 0), (Announcement.state == int(State.SCHEDULED), 1),
             (Announcement.state == int(State.DRAFT), 2), else_=3)
#: Soonest first: in progress (by start), upcoming (by start), drafts (by start), then the past, latest first.
SOONEST_TERMS = (
    _RANK.asc(),
    nulls_last(case((_RANK < 3, Announcement.scheduled_start), else_=None).asc()),
    Announcement.scheduled_start.desc(),
    Announcement.id.asc(),
)
