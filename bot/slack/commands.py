"""`/maint` and its subcommands: read the words, make one domain call, answer in the ack.

Answers go in the ack body (the fastest way back, and ephemeral unless said otherwise), except for
`new` and `edit`, whose modals open right after the ack. An unknown subcommand or a bad argument gets
that subcommand's usage; a refusal from the domain is rendered by `replies.error_text`.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from typing import Any

from bot.domain.enums import STATE_LABELS, Action, MaintenanceType, State, TimingBucket
from bot.domain.errors import Invalid
from bot.domain.lifecycle import OUTCOMES
from bot.domain.listing import PRESETS, ListQuery, ordering
from bot.slack import messages
from bot.slack.answer import Answer
from bot.slack.bot import Bot, Origin
from bot.slack.cards import card_text, done
from bot.slack.editor import Editor
from bot.slack.outbox import outbox_answer
from bot.slack.parsing import Arguments, BadArguments, day, id_list, moment, words, yes_no
from bot.slack.payloads import PAYLOAD, Command
from bot.slack.replies import SHOWN, error_text
from bot.slack.text import clip, escape

COMMAND = "/maint"

USAGE: dict[str, str] = {
    "help": "`/maint help [COMMAND]` — all commands, or one in detail",
    "list": "`/maint list [upcoming|active|drafts|mine] [state=…] [type=…] [provider=…] [start_after=DATE] "
    "[start_before=DATE] [end_after=DATE] [end_before=DATE] [timing=overrun,late_start,early,on_time,pending] "
    "[by=@user] [sort=scheduled_start|-created|name|overrun_minutes…] [page=N]` — announcements you can see",
    "show": "`/maint show ID` — one announcement's card (ID: a uuid or its first 6+ hex digits)",
    "history": "`/maint history ID` — who changed an announcement, when, and how (managers)",
    "new": "`/maint new` or `/maint new from TEMPLATE` — draft an announcement in a form",
    "edit": "`/maint edit ID` — change an announcement in a form",
    "schedule": "`/maint schedule ID` — publish a draft: everyone following it is told",
    "unschedule": "`/maint unschedule ID` — withdraw a published announcement back to Draft",
    "start": "`/maint start ID` — the maintenance has begun",
    "complete": "`/maint complete ID` — the maintenance is over",
    "cancel": "`/maint cancel ID` — call it off (Draft or Scheduled)",
    "delete": "`/maint delete ID` — remove it for good",
    "stats": "`/maint stats [START] [END] [provider=…] [state=…] [type=…]` — statistics (dates as YYYY-MM-DD; "
    "default: the last 90 days and the next 30)",
    "subscribe": "`/maint subscribe PROVIDER|OFFERING` — this channel hears about its maintenance "
    "(a provider's name means the provider; write an offering `Provider/Offering` to be sure)",
    "unsubscribe": "`/maint unsubscribe OFFERING|PROVIDER` — stop that",
    "subscriptions": "`/maint subscriptions` — what this channel follows",
    "providers": "`/maint providers` — service providers, their channels and managers",
    "offerings": "`/maint offerings [PROVIDER]` — offerings, by provider",
    "templates": "`/maint templates` — your providers' templates",
    "provider": "`/maint provider add NAME channel=#channel [stats=#channel] [managers=@a,@b] [groups=@team] "
    "[auto_start=yes] [reminders=72h,24h,1h]` or `/maint provider set NAME [name=…] [channel=…] [stats=…] "
    "[managers=…] [groups=…] [auto_start=…] [reminders=…]` — set up providers (admins)",
    "offering": "`/maint offering add PROVIDER/NAME` — add an offering (admins and the provider's managers)",
    "admin": "`/maint admin provider …`, `/maint admin offering …`, `/maint admin outbox` — set-up and delivery "
    "(admins)",
}
GROUPS = (
    ("Reading", ("list", "show", "history", "stats")),
    ("Announcing", ("new", "edit", "schedule", "unschedule", "start", "complete", "cancel", "delete")),
    ("Channels", ("subscribe", "unsubscribe", "subscriptions")),
    ("Catalog", ("providers", "offerings", "templates")),
    ("Set-up", ("provider", "offering", "admin")),
)
LIST_OPTIONS = {"state", "type", "provider", "start_after", "start_before", "end_after", "end_before", "timing",
                "by", "sort", "o", "page"}
TYPE_WORDS = {"scheduled": 1, "emergency": 2, "security": 3, "upgrade": 4, "patch": 5}
PROVIDER_OPTIONS = {
    "name": "name",
    "channel": "channel_id",
    "stats": "stats_channel_id",
    "managers": "manager_users",
    "groups": "manager_groups",
    "auto_start": "auto_start",
    "reminders": "reminders",
}


def usage(subcommand: str) -> str:
    return f"Usage: {USAGE[subcommand]}"


def help_text() -> str:
    lines = ["*`/maint` — maintenance announcements*"]
    for title, names in GROUPS:
        lines.append(f"*{title}*")
        lines += [f"• {USAGE[name]}" for name in names]
    lines.append("IDs are uuids or their first 6+ hex digits, as shown on cards. `/maint help list` for details.")
    return "\n".join(lines)


class Commands:
    def __init__(self, bot: Bot, editor: Editor) -> None:
        self.bot = bot
        self.editor = editor
        transitions = {action.value: self._transition(action) for action in Action}
        self.handlers: dict[str, Callable[[Origin, Arguments], Answer | None]] = {
            "help": self.help,
            "list": self.list,
            "show": self.show,
            "history": self.history,
            "new": self.new,
            "edit": self.edit,
            **transitions,
            "delete": self.delete,
            "stats": self.stats,
            "subscribe": self.subscribe,
            "unsubscribe": self.unsubscribe,
            "subscriptions": self.subscriptions,
            "providers": self.providers,
            "offerings": self.offerings,
            "templates": self.templates,
            "provider": self.provider,
            "offering": self.offering,
            "admin": self.admin,
        }

    def handle(self, ack, context: dict[str, Any]) -> None:
        """The /maint listener: one answer in the ack, or an empty ack and a modal right after."""
        command: Command = context[PAYLOAD]
        answer = self.answer(Origin.of(command), command.text)
        if answer is None:
            ack()
        else:
            ack(**answer.ack_kwargs())

    def answer(self, origin: Origin, text: str) -> Answer | None:
        try:
            tokens = words(text)
        except BadArguments as error:
            return Answer(f"{error_text(error)}\n{help_text()}")
        name = tokens[0].lower() if tokens else "help"
        handler = self.handlers.get(name)
        if handler is None:
            return Answer(f"🤷 `/maint {escape(clip(name, 40))}` is not a command I know.\n\n{help_text()}")
        try:
            return handler(origin, Arguments.of(tokens[1:]))
        except BadArguments as error:
            return Answer(f"{error_text(error)}\n{usage(name)}")
        except SHOWN as error:
            return Answer(error_text(error, name if name in USAGE else None))

    # -- reading -----------------------------------------------------------------------------------

    def help(self, origin: Origin, args: Arguments) -> Answer:
        topic = args.positional[0].lower() if args.positional else None
        if topic in USAGE:
            return Answer(usage(topic))
        return Answer(help_text())

    def list(self, origin: Origin, args: Arguments) -> Answer:
        actor = self.bot.actor(origin.user)
        query, title = self._list_query(origin, args)
        page = self.bot.services.announcements.list(actor, query)
        # Quoted as typed, so that `provider="Cloud Team"` survives the pager's round trip through words().
        query_text = shlex.join([*args.positional, *(f"{k}={v}" for k, vs in args.options.items() for v in vs
                                                     if k != "page")])
        blocks = messages.announcement_list(page, title, query_text)
        return Answer(f"{title}: {page.count}", blocks)

    def list_page(self, origin: Origin, query_text: str, page: int) -> Answer:
        """A page of a listing, for the pager buttons (same words as typed, another page)."""
        return self.list(origin, Arguments.of([*words(query_text), f"page={page}"]))

    def _list_query(self, origin: Origin, args: Arguments) -> tuple[ListQuery, str]:
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
                query.created_by = origin.user
            elif word != "all":
                raise BadArguments(f"`{escape(word)}` is not a list shortcut (upcoming, active, drafts, mine, all).")
            titles.append(word.capitalize())
        for value in id_list(args.options.get("state", [])):
            query.states.append(state_of(value))
        if args.first("type"):
            query.maintenance_type = type_of(args.first("type"))
        if args.first("provider"):
            query.provider_uuid = self.bot.services.catalog.provider(args.first("provider")).uuid
        zone = self.bot.settings.zone
        for option, attribute in (("start_after", "scheduled_start_after"), ("start_before", "scheduled_start_before"),
                                  ("end_after", "scheduled_end_after"), ("end_before", "scheduled_end_before")):
            if args.first(option):
                setattr(query, attribute, moment(args.first(option), zone))
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

    def show(self, origin: Origin, args: Arguments) -> Answer:
        view = self.bot.services.announcements.get(self.bot.actor(origin.user), one_id(args))
        return Answer(card_text(view), messages.announcement_detail(view))

    def history(self, origin: Origin, args: Arguments) -> Answer:
        actor = self.bot.actor(origin.user)
        reference = one_id(args)
        view = self.bot.services.announcements.get(actor, reference)
        events = self.bot.services.announcements.history(actor, reference)
        return Answer(f"History of {view.short_id}", messages.history(view, events))

    def stats(self, origin: Origin, args: Arguments) -> Answer:
        unknown = args.unknown({"provider", "state", "type"})
        if unknown or len(args.positional) > 2:
            raise BadArguments(f"`{unknown[0]}` is not a statistics filter." if unknown else "Too many dates.")
        start = day(args.positional[0]) if args.positional else None
        end = day(args.positional[1]) if len(args.positional) > 1 else None
        query = ListQuery()
        if args.first("provider"):
            query.provider_uuid = self.bot.services.catalog.provider(args.first("provider")).uuid
        for value in id_list(args.options.get("state", [])):
            query.states.append(state_of(value))
        if args.first("type"):
            query.maintenance_type = type_of(args.first("type"))
        stats = self.bot.services.statistics.compute(self.bot.actor(origin.user), start, end, query)
        window = f"{stats.start.isoformat()} to {stats.end.isoformat()}"  # the window the domain used
        if args.first("provider"):
            window += f" · {clip(args.first('provider'), 60)}"
        return Answer(f"Statistics {window}", messages.statistics(stats, window))

    # -- announcing --------------------------------------------------------------------------------

    def new(self, origin: Origin, args: Arguments) -> None:
        template = None
        if args.positional:
            if args.positional[0].lower() != "from" or len(args.positional) < 2:
                raise BadArguments("Write `new` alone, or `new from TEMPLATE`.")
            template = " ".join(args.positional[1:])
        self.bot.followups.submit(self.editor.open_new, origin, template)
        return None

    def edit(self, origin: Origin, args: Arguments) -> None:
        self.bot.followups.submit(self.editor.open_edit, origin, one_id(args))
        return None

    def _transition(self, action: Action) -> Callable[[Origin, Arguments], Answer]:
        def transition(origin: Origin, args: Arguments) -> Answer:
            view = self.bot.services.announcements.transition(self.bot.actor(origin.user), one_id(args), action)
            self._after_change(origin)
            text = f"{done(OUTCOMES[action])} *{escape(clip(view.name, 150))}* (`{view.short_id}`)."
            return Answer(text, [*messages.note(text), *messages.announcement_detail(view)])

        return transition

    def delete(self, origin: Origin, args: Arguments) -> Answer:
        actor = self.bot.actor(origin.user)
        reference = one_id(args)
        view = self.bot.services.announcements.get(actor, reference)
        self.bot.services.announcements.delete(actor, view.uuid)
        self._after_change(origin)
        return Answer(f"{done('deleted')} *{escape(clip(view.name, 150))}* (`{view.short_id}`).")

    def _after_change(self, origin: Origin) -> None:
        if self.bot.homes is not None:
            self.bot.followups.submit(self.bot.homes.refresh, origin.user)

    # -- channels ----------------------------------------------------------------------------------

    def subscribe(self, origin: Origin, args: Arguments) -> Answer:
        target = need_rest(args, "Name an offering or a provider.")
        subscription = self.bot.services.subscriptions.subscribe(self.bot.actor(origin.user), origin.channel, target)
        text = f"📣 <@{origin.user}> subscribed this channel to maintenance of {escape(subscription.target)}."
        if subscription.namesakes:
            named = ", ".join(f"`/maint subscribe {escape(name)}`" for name in subscription.namesakes[:5])
            text += f" To follow an offering of that name instead: {named}."
        return Answer(text, in_channel=True)

    def unsubscribe(self, origin: Origin, args: Arguments) -> Answer:
        target = need_rest(args, "Name an offering or a provider.")
        subscription = self.bot.services.subscriptions.unsubscribe(self.bot.actor(origin.user), origin.channel, target)
        return Answer(
            f"🔕 <@{origin.user}> unsubscribed this channel from maintenance of {escape(subscription.target)}.",
            in_channel=True,
        )

    def subscriptions(self, origin: Origin, args: Arguments) -> Answer:
        items = self.bot.services.subscriptions.of_channel(origin.channel)
        return Answer("Subscriptions of this channel", messages.subscriptions(origin.channel, items))

    # -- catalog -----------------------------------------------------------------------------------

    def providers(self, origin: Origin, args: Arguments) -> Answer:
        return Answer("Service providers", messages.providers(self.bot.services.catalog.providers()))

    def offerings(self, origin: Origin, args: Arguments) -> Answer:
        provider = args.rest or None
        return Answer("Offerings", messages.offerings(self.bot.services.catalog.offerings(provider)))

    def templates(self, origin: Origin, args: Arguments) -> Answer:
        page = self.bot.services.templates.list(self.bot.actor(origin.user), ordering="name", page_size=40)
        return Answer("Templates", messages.templates(page))

    # -- set-up ------------------------------------------------------------------------------------

    def admin(self, origin: Origin, args: Arguments) -> Answer:
        what = args.positional[0].lower() if args.positional else ""
        rest = Arguments(args.positional[1:], args.options)
        if what == "provider":
            return self.provider(origin, rest)
        if what == "offering":
            return self.offering(origin, rest)
        if what == "outbox":
            return self.outbox(origin, rest)
        raise BadArguments("Say what to set up: `provider`, `offering` or `outbox`.")

    def provider(self, origin: Origin, args: Arguments) -> Answer:
        verb = args.positional[0].lower() if args.positional else ""
        rest = Arguments(args.positional[1:], args.options)
        unknown = rest.unknown(set(PROVIDER_OPTIONS))
        if verb not in ("add", "set") or not rest.positional or unknown:
            problem = f"`{unknown[0]}` is not a provider setting." if unknown else "Say `add` or `set` and a name."
            raise BadArguments(problem)
        fields = provider_fields(rest)
        catalog = self.bot.services.catalog
        actor = self.bot.actor(origin.user)
        if verb == "add":
            channel = fields.pop("channel_id", None) or ""
            fields.pop("name", None)
            try:
                provider = catalog.add_provider(actor, rest.rest, channel, **fields)
            except Invalid as error:  # the domain's "a new provider needs a channel", in this command's words
                if "channel_id" in error.fields and not channel:
                    raise BadArguments("A new provider needs `channel=#channel` for its announcements.") from None
                raise
            done = "Added"
        else:
            provider = catalog.update_provider(actor, rest.rest, **fields)
            done = "Updated"
        self.bot.people.forget_groups()
        return Answer(f"✅ {done} *{escape(provider.name)}*.", messages.providers([provider]))

    def offering(self, origin: Origin, args: Arguments) -> Answer:
        verb = args.positional[0].lower() if args.positional else ""
        rest = Arguments(args.positional[1:], args.options)
        if verb != "add" or not rest.positional or rest.unknown({"provider"}):
            raise BadArguments("Write `offering add PROVIDER/NAME` (or `offering add NAME provider=PROVIDER`).")
        name, provider = rest.rest, rest.first("provider")
        if provider is None:
            if "/" not in name:
                raise BadArguments("Name the provider: `offering add PROVIDER/NAME`.")
            provider, name = (part.strip() for part in name.split("/", 1))
        offering = self.bot.services.catalog.add_offering(self.bot.actor(origin.user), name, provider)
        return Answer(f"✅ Added offering *{escape(offering.name)}* to *{escape(offering.provider_name)}*.")

    def outbox(self, origin: Origin, args: Arguments) -> Answer:
        return outbox_answer(self.bot, origin, args)


# -- argument helpers -------------------------------------------------------------------------------


def one_id(args: Arguments) -> str:
    if len(args.positional) != 1 or args.options:
        raise BadArguments("Give exactly one announcement id.")
    return args.positional[0]


def need_rest(args: Arguments, message: str) -> str:
    if not args.positional or args.options:
        raise BadArguments(message)
    return args.rest


def positive(value: str, name: str) -> int:
    if not (value.isascii() and value.isdigit()) or len(value) > 9 or int(value) < 1:
        raise BadArguments(f"`{name}` must be a whole number from 1.")
    return int(value)


def state_of(value: str) -> State:
    try:
        return State.from_label(value.replace("_", " "))
    except ValueError:
        choices = ", ".join(label.lower().replace(" ", "_") for label in STATE_LABELS.values())
        raise BadArguments(f"`{escape(value)}` is not a state ({choices}).") from None


def type_of(value: str) -> int:
    word = value.strip().lower()
    if word in {str(int(t)) for t in MaintenanceType}:
        return int(word)
    if word in TYPE_WORDS:
        return TYPE_WORDS[word]
    raise BadArguments(f"`{escape(value)}` is not a type ({', '.join(TYPE_WORDS)} or 1–5).")


def provider_fields(args: Arguments) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for option, name in PROVIDER_OPTIONS.items():
        value = args.first(option)
        if value is None:
            continue
        if name in ("manager_users", "manager_groups"):
            fields[name] = tuple(id_list(args.options[option]))
        elif name == "auto_start":
            fields[name] = yes_no(value)
        else:
            fields[name] = value or None
    return fields
