"""Reading subcommands: `/maint list`, `find`, `show`, `history`, `stats` — one domain query, answered in the ack.

A refusal here is worded with what was typed (`sort=`, the words), never the API's parameter names, and never
says "Nothing changed": nothing was going to change (`bot.slack.subcommand` turns a read's Invalid into a bad
argument with the usage)."""

from __future__ import annotations

import shlex
from datetime import date

from bot.charts import MAX_DAYS
from bot.domain.enums import TimingBucket
from bot.domain.errors import Invalid
from bot.domain.listing import MAX_ORDER_KEYS, ORDER_KEYS, PRESETS, ListQuery, ordering, search_words
from bot.domain.stats import DAYS_AHEAD, DAYS_BACK, window
from bot.slack import messages, pictures
from bot.slack.answer import Answer
from bot.slack.cards import card_text
from bot.slack.listening import Act
from bot.slack.parsing import (
    Arguments,
    BadArguments,
    day,
    id_list,
    one_id,
    positive,
    state_named,
    type_named,
    words,
)
from bot.slack.subcommand import READING, subcommand
from bot.slack.text import clip, escape
from bot.slack.typed_times import TypedTimes

LIST_OPTIONS = {"state", "type", "provider", "start_after", "start_before", "end_after", "end_before", "timing",
                "by", "sort", "o", "page", "words"}
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
    return Answer(f"{escape(title)}: {page.count}", blocks)


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
    times = TypedTimes(act)  # typed times are read in the typing user's zone, and the title names it
    for option, attribute in DATE_OPTIONS:
        if args.first(option):
            setattr(query, attribute, times.read(args.first(option)))
    if args.first("timing"):
        buckets = id_list([args.first("timing")])
        wrong = [b for b in buckets if b not in TimingBucket.__members__.values()]
        if wrong:
            choices = ", ".join(TimingBucket.__members__.values())
            raise BadArguments(f"`{escape(wrong[0])}` is not a timing ({choices}).")
        query.timing_buckets = buckets
    if args.first("by"):
        query.created_by = args.first("by")
    if args.first("words"):
        query.words = typed_words(args.first("words"))
        titles.append(f"Matching “{clip(' '.join(query.words), 80)}”")
    sort = sort_keys(args.options.get("sort", []) + args.options.get("o", []))
    if sort:
        query.ordering = sort
    elif not any(word.lower() in PRESETS for word in args.positional):
        query.soonest_first = True
    if args.first("page"):
        query.page = positive(args.first("page"), "page")
    return query, (" · ".join(titles) or "Announcements") + (f" · {times.note}" if times.note else "")


def sort_keys(terms: list[str]) -> tuple[str, ...]:
    """The `sort=` keys (repeats folded, at most 3), refused in the words of the command."""
    try:
        return ordering(terms)
    except Invalid:
        keys = [term.strip() for text in terms for term in text.split(",") if term.strip()]
        wrong = [key for key in keys if key.removeprefix("-") not in ORDER_KEYS]
        if wrong:
            raise BadArguments(f"`{escape(clip(wrong[0], 60))}` is not a sort key ({', '.join(ORDER_KEYS)}; "
                               "prefix with - to reverse).") from None
        raise BadArguments(f"Sort by at most {MAX_ORDER_KEYS} keys (e.g. `sort=name,-created`).") from None


def typed_words(text: str) -> tuple[str, ...]:
    """The words to look for, refused in the command's words when too many or too long."""
    try:
        return search_words(text)
    except Invalid as error:
        raise BadArguments(" ".join(error.fields["query"])) from None


@subcommand("find", group=READING, usage="`/maint find WORDS [page=N]`",
            help="announcements whose name or message holds every word, soonest first")
def find(act: Act, args: Arguments) -> Answer:
    unknown = args.unknown({"page"})
    text = " ".join([*args.positional, *(f"{key}={value}" for key in unknown for value in args.options[key])])
    words = typed_words(text)
    if not words:
        raise BadArguments("Give the words to look for, e.g. `/maint find ceph upgrade`.")
    query = ListQuery(words=words, soonest_first=True, page_size=messages.LIST_PAGE_SIZE)
    if args.first("page"):
        query.page = positive(args.first("page"), "page")
    page = act.services.announcements.list(act.actor, query)
    title = f"Matching “{clip(' '.join(words), 80)}”"
    blocks = messages.announcement_list(page, title, shlex.join([f"words={text}"]))
    return Answer(f"{escape(title)}: {page.count}", blocks)


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


#: The word that asks `/maint stats` for its chart too.
CHART = "chart"
CHART_SENT = "📊 The chart is on its way to your direct messages with maintbot (only you see it)."
CHART_FAILED = "📊 Slack did not take the chart just now; the figures above stand. Try again in a moment."


def send_stats_chart(act: Act, args: Arguments) -> None:
    """After the ack of `/maint stats … chart`: the same window drawn per day, shared with the person alone."""
    if not wants_chart(args):
        return
    start, end, query, named = stats_request(act, args)
    computed, days = act.services.statistics.per_day(act.actor, start, end, query)
    chart = pictures.stats_chart(days, named, computed.summary)
    if not act.responder.share_privately(act.origin.user, file=chart.png, filename=chart.filename, title=chart.title,
                                         alt_txt=chart.alt_text):
        act.responder.tell(act.origin, CHART_FAILED)


@subcommand("stats", group=READING,
            usage="`/maint stats [START] [END] [provider=…] [state=…] [type=…] [chart]`",
            help=f"statistics (dates as YYYY-MM-DD; default: the last {DAYS_BACK} days and the next {DAYS_AHEAD}); "
            "`chart`: also a chart per day, sent to you privately",
            after_ack=send_stats_chart)
def stats(act: Act, args: Arguments) -> Answer:
    start, end, query, named = stats_request(act, args)
    computed = act.services.statistics.compute(act.actor, start, end, query)
    blocks = messages.statistics(computed, named)
    if wants_chart(args):
        days = (computed.end - computed.start).days + 1
        if days < 1:
            raise BadArguments("A chart needs END on or after START.")
        if days > MAX_DAYS:
            raise BadArguments(f"A chart shows at most {MAX_DAYS} days and this window has {days}: "
                               "give START and END closer together.")
        blocks += messages.note(CHART_SENT)
    return Answer(f"Statistics {named}", blocks)


def wants_chart(args: Arguments) -> bool:
    return any(word.lower() == CHART for word in args.positional)


def stats_request(act: Act, args: Arguments) -> tuple[date | None, date | None, ListQuery, str]:
    """What `/maint stats` words ask for: first and last day (None: the domain's default), filters, and the
    window's name ("2026-08-03 to 2026-12-01 · Cloud") as the domain will use it."""
    unknown = args.unknown({"provider", "state", "type"})
    dates = [word for word in args.positional if word.lower() != CHART]
    if unknown or len(dates) > 2:
        raise BadArguments(f"`{unknown[0]}` is not a statistics filter." if unknown else "Too many dates.")
    start = day(dates[0]) if dates else None
    end = day(dates[1]) if len(dates) > 1 else None
    query = ListQuery()
    if args.first("provider"):
        query.provider_uuid = act.services.catalog.provider(args.first("provider")).uuid
    for value in id_list(args.options.get("state", [])):
        query.states.append(state_named(value))
    if args.first("type"):
        query.maintenance_type = type_named(args.first("type"))
    first, last = window(act.services.context.clock.now().date(), start, end)
    name = f"{first.isoformat()} to {last.isoformat()}"  # the window the domain uses
    if args.first("provider"):
        name += f" · {clip(args.first('provider'), 60)}"
    return start, end, query, name
