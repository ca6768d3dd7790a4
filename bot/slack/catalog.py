"""Catalog subcommands: listing providers, offerings and templates, and setting providers and offerings up.

`/maint providers`, `offerings`, `templates` read the catalog; `/maint provider add|set`, `offering add`
and `admin …` change it (admins, and a provider's managers for its offerings). `admin outbox` is answered
by `bot.slack.admin_outbox`.
"""

from __future__ import annotations

from typing import Any

from bot.domain.errors import Invalid
from bot.slack import messages
from bot.slack.admin_outbox import outbox_answer
from bot.slack.answer import Answer
from bot.slack.listening import Act
from bot.slack.parsing import Arguments, BadArguments, id_list, yes_no
from bot.slack.subcommand import CATALOG, SET_UP, subcommand
from bot.slack.text import escape

PROVIDER_OPTIONS = {
    "name": "name",
    "channel": "channel_id",
    "stats": "stats_channel_id",
    "managers": "manager_users",
    "groups": "manager_groups",
    "auto_start": "auto_start",
    "reminders": "reminders",
    "silence": "silence_matchers",
    "silence_at_start": "silence_at_start",
}


@subcommand("providers", group=CATALOG, usage="`/maint providers`",
            help="service providers, their channels and managers")
def providers(act: Act, args: Arguments) -> Answer:
    return Answer("Service providers", messages.providers(act.services.catalog.providers()))


@subcommand("offerings", group=CATALOG, usage="`/maint offerings [PROVIDER]`", help="offerings, by provider")
def offerings(act: Act, args: Arguments) -> Answer:
    provider = args.rest or None
    return Answer("Offerings", messages.offerings(act.services.catalog.offerings(provider)))


# `/maint templates` (listing, and managing them in a form) is declared in `bot.slack.templating`.


@subcommand(
    "provider", group=SET_UP,
    usage="`/maint provider add NAME channel=#channel [stats=#channel] [managers=@a,@b] [groups=@team] "
    "[auto_start=yes] [reminders=72h,24h,1h]` or `/maint provider set NAME [name=…] [channel=…] [stats=…] "
    "[managers=…] [groups=…] [auto_start=…] [reminders=…] [silence='team=\"cloud\"'] [silence_at_start=yes]`",
    help="set up providers (admins)",
)
def provider(act: Act, args: Arguments) -> Answer:
    verb = args.positional[0].lower() if args.positional else ""
    rest = Arguments(args.positional[1:], args.options)
    unknown = rest.unknown(set(PROVIDER_OPTIONS))
    if verb not in ("add", "set") or not rest.positional or unknown:
        problem = f"`{unknown[0]}` is not a provider setting." if unknown else "Say `add` or `set` and a name."
        raise BadArguments(problem)
    fields = provider_fields(rest)
    catalog = act.services.catalog
    if verb == "add":
        channel = fields.pop("channel_id", None) or ""
        fields.pop("name", None)
        try:
            added = catalog.add_provider(act.actor, rest.rest, channel, **fields)
        except Invalid as error:  # the domain's "a new provider needs a channel", in this command's words
            if "channel_id" in error.fields and not channel:
                raise BadArguments("A new provider needs `channel=#channel` for its announcements.") from None
            raise
        changed, what = added, "Added"
    else:
        changed, what = catalog.update_provider(act.actor, rest.rest, **fields), "Updated"
    act.deps.people.forget_groups()
    return Answer(f"✅ {what} *{escape(changed.name)}*.", messages.providers([changed]))


@subcommand("offering", group=SET_UP,
            usage="`/maint offering add PROVIDER/NAME` or `/maint offering set PROVIDER/NAME silence='service=\"vm\"'`",
            help="add an offering (admins and the provider's managers); set the alerts its maintenance silences")
def offering(act: Act, args: Arguments) -> Answer:
    verb = args.positional[0].lower() if args.positional else ""
    rest = Arguments(args.positional[1:], args.options)
    if verb == "set":
        return offering_silence(act, rest)
    if verb != "add" or not rest.positional or rest.unknown({"provider"}):
        raise BadArguments("Write `offering add PROVIDER/NAME` (or `offering add NAME provider=PROVIDER`).")
    name, owner = rest.rest, rest.first("provider")
    if owner is None:
        if "/" not in name:
            raise BadArguments("Name the provider: `offering add PROVIDER/NAME`.")
        owner, name = (part.strip() for part in name.split("/", 1))
    added = act.services.catalog.add_offering(act.actor, name, owner)
    return Answer(f"✅ Added offering *{escape(added.name)}* to *{escape(added.provider_name)}*.")


def offering_silence(act: Act, args: Arguments) -> Answer:
    """`offering set PROVIDER/NAME silence='…'`: the Alertmanager matchers its maintenance silences ('' clears)."""
    matchers = args.first("silence")
    if not args.positional or matchers is None or args.unknown({"silence"}):
        raise BadArguments("Write `offering set PROVIDER/NAME silence='service=\"vm\"'` (`silence=''` clears).")
    changed = act.services.catalog.set_offering_silence(act.actor, args.rest, matchers)
    what = (f"its maintenance silences `{escape(changed.silence_matchers)}`" if changed.silence_matchers
            else "its maintenance silences what its provider's matchers say")
    return Answer(f"✅ *{escape(changed.provider_name)}/{escape(changed.name)}*: {what}.")


@subcommand("admin", group=SET_UP,
            usage="`/maint admin provider …`, `/maint admin offering …`, `/maint admin outbox`",
            help="set-up and delivery (admins)")
def admin(act: Act, args: Arguments) -> Answer:
    what = args.positional[0].lower() if args.positional else ""
    rest = Arguments(args.positional[1:], args.options)
    if what == "provider":
        return provider.handler(act, rest)
    if what == "offering":
        return offering.handler(act, rest)
    if what == "outbox":
        return outbox_answer(act, rest)
    raise BadArguments("Say what to set up: `provider`, `offering` or `outbox`.")


def provider_fields(args: Arguments) -> dict[str, Any]:
    """The settings `provider add|set` was given, as the domain names them."""
    fields: dict[str, Any] = {}
    for option, name in PROVIDER_OPTIONS.items():
        value = args.first(option)
        if value is None:
            continue
        if name in ("manager_users", "manager_groups"):
            fields[name] = tuple(id_list(args.options[option]))
        elif name in ("auto_start", "silence_at_start"):
            fields[name] = yes_no(value)
        elif name == "silence_matchers":
            fields[name] = value
        else:
            fields[name] = value or None
    return fields
