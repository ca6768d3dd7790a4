"""Reading subcommands: `/maint list`, `show`, `history`, `stats` — one domain query, answered in the ack."""

from __future__ import annotations

import shlex

from bot.domain.enums import TimingBucket
from bot.domain.listing import PRESETS, ListQuery, ordering
from bot.domain.stats import DAYS_AHEAD, DAYS_BACK
from bot.slack import messages
from bot.slack.answer import Answer
from bot.slack.cards import card_text
from bot.slack.listening import Act
from bot.slack.parsing import (
    Arguments,
    BadArguments,
    day,
    id_list,
    instant,
    one_id,
    positive,
    state_named,
    type_named,
    words,
)
from bot.slack.subcommand import READING, subcommand
from bot.slack.text import clip, escape

LIST_OPTIONS = {"state", "type", "provider", "start_after", "start_before", "end_after", "end_before", "timing",
                "by", "sort", "o", "page"}
DATE_OPTIONS = (("start_after", "scheduled_start_after"), ("start_before", "scheduled_start_before"),
                ("end_after", "scheduled_end_after"), ("end_before", "scheduled_end_before"))


@subcommand(
    "list", group=READING,
    usage="`/maint list [upcoming|active|drafts|mine] [state=…] [type=…] [provider=…] [start_after=DATE] "
    "[start_before=DATE] [end_after=DATE] [end_before=DATE] [timing=overrun,late_start,early,on_time,pending] "
    "[by=@user] [sort=scheduled_start|-created|name|overrun_minutes…] [page=N]`",
    help="announcements you can see",
)
def list_announcements(act: Act, args: Arguments) -> Answer:
    query, title = list_query(act, args)
    page = act.services.announcements.list(act.actor, query)
    # Quoted as typed, so that `provider="Cloud Team"` survives the pager's round trip through words().
    query_text = shlex.join([*args.positional, *(f"{k}={v}" for k, vs in args.options.items() for v in vs
                                                 if k != "page")])
    blocks = messages.announcement_list(page, title, query_text)
    return Answer(f"{title}: {page.count}", blocks)


def list_page(act: Act, query_text: str, page: int) -> Answer:
    """A page of a listing, for the pager buttons (same words as typed, another page)."""
    return list_announcements.handler(act, Arguments.of([*words(query_text), f"page={page}"]))


def list_query(act: Act, args: Arguments) -> tuple[ListQuery, str]:
    """The query `/maint list` words ask for, and the listing's title."""
    unknown = args.unknown(LIST_OPTIONS)
    if unknown:
        raise BadArguments(f"`{unknown[0]}` is not a list filter.")
    query, titles = ListQuery(page_size=messages.LIST_PAGE_SIZE), []
    for word in args.positional:
        word = word.lower()
        if word in PRESETS:
            query.states += PRESETS[word].states
            query.ordering = PRESETS[word].ordering
        elif word == "mine":
            query.created_by = act.origin.user
        elif word != "all":
            raise BadArguments(f"`{escape(word)}` is not a list shortcut (upcoming, active, drafts, mine, all).")
        titles.append(word.capitalize())
    for value in id_list(args.options.get("state", [])):
        query.states.append(state_named(value))
    if args.first("type"):
        query.maintenance_type = type_named(args.first("type"))
    if args.first("provider"):
        query.provider_uuid = act.services.catalog.provider(args.first("provider")).uuid
    for option, attribute in DATE_OPTIONS:
        if args.first(option):
            setattr(query, attribute, instant(args.first(option), act.deps.settings.zone))
    if args.first("timing"):
        buckets = id_list([args.first("timing")])
        wrong = [b for b in buckets if b not in TimingBucket.__members__.values()]
        if wrong:
            choices = ", ".join(TimingBucket.__members__.values())
            raise BadArguments(f"`{escape(wrong[0])}` is not a timing ({choices}).")
        query.timing_buckets = buckets
    if args.first("by"):
        query.created_by = args.first("by")
    sort = ordering(args.options.get("sort", []) + args.options.get("o", []))  # repeats folded, at most 3 keys
    if sort:
        query.ordering = sort
    if args.first("page"):
        query.page = positive(args.first("page"), "page")
    return query, " · ".join(titles) or "Announcements"


@subcommand("show", group=READING, usage="`/maint show ID`",
            help="one announcement's card (ID: a uuid or its first 6+ hex digits)")
def show(act: Act, args: Arguments) -> Answer:
    view = act.services.announcements.get(act.actor, one_id(args))
    return Answer(card_text(view), messages.announcement_detail(view))


@subcommand("history", group=READING, usage="`/maint history ID`",
            help="who changed an announcement, when, and how (managers)")
def history(act: Act, args: Arguments) -> Answer:
    reference = one_id(args)
    view = act.services.announcements.get(act.actor, reference)
    events = act.services.announcements.history(act.actor, reference)
    return Answer(f"History of {view.short_id}", messages.history(view, events))


@subcommand("stats", group=READING, usage="`/maint stats [START] [END] [provider=…] [state=…] [type=…]`",
            help=f"statistics (dates as YYYY-MM-DD; default: the last {DAYS_BACK} days and the next {DAYS_AHEAD})")
def stats(act: Act, args: Arguments) -> Answer:
    unknown = args.unknown({"provider", "state", "type"})
    if unknown or len(args.positional) > 2:
        raise BadArguments(f"`{unknown[0]}` is not a statistics filter." if unknown else "Too many dates.")
    start = day(args.positional[0]) if args.positional else None
    end = day(args.positional[1]) if len(args.positional) > 1 else None
    query = ListQuery()
    if args.first("provider"):
        query.provider_uuid = act.services.catalog.provider(args.first("provider")).uuid
    for value in id_list(args.options.get("state", [])):
        query.states.append(state_named(value))
    if args.first("type"):
        query.maintenance_type = type_named(args.first("type"))
    computed = act.services.statistics.compute(act.actor, start, end, query)
    window = f"{computed.start.isoformat()} to {computed.end.isoformat()}"  # the window the domain used
    if args.first("provider"):
        window += f" · {clip(args.first('provider'), 60)}"
    return Answer(f"Statistics {window}", messages.statistics(computed, window))
