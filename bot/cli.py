"""`maintbot …`: the admin command line — schema, providers, offerings, API tokens, demo data.

The CLI acts as the trusted system actor of the CLI interface (`Actor.system(Interface.CLI)`): whoever
can run it can read the database anyway. It only translates arguments into service calls and the
results into text; every rule lives in the domain.

Output: `add` and `create` commands print the new thing's uuid (32 hex digits) — or, for a token, its
secret — alone on the last line, so scripts can take `| tail -n1`. Lists are plain aligned tables.
Exit status: 0 done; 1 refused (a domain error, an invalid setting, an out-of-date schema, an
unreachable database), with one line on stderr; 2 bad arguments, with the usage line (argparse).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.exc import ArgumentError, OperationalError

from bot import app, logs
from bot.config import Settings, SettingsError, load_settings
from bot.demo import load_demo
from bot.domain.actors import Actor
from bot.domain.enums import Interface
from bot.domain.errors import DomainError
from storage import migrate

CLI = Actor.system(Interface.CLI)
log = logging.getLogger("bot.cli")


# -- output ----------------------------------------------------------------------------------------


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Left-aligned columns separated by two spaces; empty cells show as '-'."""
    cells = [[str(value) if value not in (None, "") else "-" for value in row] for row in rows]
    widths = [max(len(row[i]) for row in [list(headers), *cells]) for i in range(len(headers))]
    lines = ("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in [headers, *cells])
    return "\n".join(line.rstrip() for line in lines)


def short(uuid) -> str:
    return uuid.hex[:8]


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def id_list(text: str) -> list[str]:
    """'U1, U2' → ['U1', 'U2'] (an option may also be repeated)."""
    return [part.strip() for part in text.split(",") if part.strip()]


# -- db --------------------------------------------------------------------------------------------


def db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    db = app.open_database(settings)
    try:
        applied = app.upgrade(db)
        where = app.describe(db)
    finally:
        db.dispose()
    if applied:
        print(f"applied {len(applied)} migration(s) to {where}: {', '.join(applied)}")
    print(f"database schema is up to date ({where})")
    return 0


def db_status(settings: Settings, args: argparse.Namespace) -> int:
    db = app.open_database(settings)
    try:
        todo = migrate.pending(db.engine)
        where = app.describe(db)
    finally:
        db.dispose()
    if not todo:
        print(f"database schema is up to date ({where}); no migrations pending")
        return 0
    print(f"{len(todo)} migration(s) pending on {where}; run `maintbot db upgrade`:")
    for revision in todo:
        print(f"  {revision}")
    return 0


# -- providers and offerings -----------------------------------------------------------------------


def provider_add(runtime: app.Runtime, args: argparse.Namespace) -> int:
    provider = runtime.services.catalog.add_provider(
        CLI,
        args.name,
        args.channel,
        stats_channel_id=args.stats_channel,
        manager_users=tuple(args.managers),
        manager_groups=tuple(args.manager_groups),
        auto_start=args.auto_start,
        reminders=args.reminders,
    )
    print(f"added service provider {provider.name!r}, announcing in {provider.channel_id}")
    print(provider.uuid.hex)
    return 0


def provider_list(runtime: app.Runtime, args: argparse.Namespace) -> int:
    providers = runtime.services.catalog.providers()
    if not providers:
        print("no service providers yet: add one with `maintbot provider add NAME --channel CHANNEL_ID`")
        return 0
    rows = [
        (
            short(p.uuid),
            p.name,
            p.channel_id,
            p.stats_channel_id,
            ", ".join(p.manager_users + p.manager_groups),
            "yes" if p.auto_start else "no",
            p.reminders or "default",
        )
        for p in providers
    ]
    print(table(("ID", "NAME", "CHANNEL", "STATS CHANNEL", "MANAGERS", "AUTO-START", "REMINDERS"), rows))
    return 0


def offering_add(runtime: app.Runtime, args: argparse.Namespace) -> int:
    offering = runtime.services.catalog.add_offering(CLI, args.name, args.provider)
    print(f"added offering {offering.name!r} of {offering.provider_name}")
    print(offering.uuid.hex)
    return 0


def offering_list(runtime: app.Runtime, args: argparse.Namespace) -> int:
    offerings = runtime.services.catalog.offerings(args.provider)
    if not offerings:
        print("no offerings yet: add one with `maintbot offering add NAME --provider PROVIDER`")
        return 0
    print(table(("ID", "PROVIDER", "OFFERING"), [(short(o.uuid), o.provider_name, o.name) for o in offerings]))
    return 0


def offering_set(runtime: app.Runtime, args: argparse.Namespace) -> int:
    offering = runtime.services.catalog.set_offering_silence(CLI, offering_reference(args), args.silence)
    what = f"silences {offering.silence_matchers}" if offering.silence_matchers else "uses its provider's matchers"
    print(f"offering {offering.name!r} of {offering.provider_name}: during maintenance {what}")
    return 0


def provider_set(runtime: app.Runtime, args: argparse.Namespace) -> int:
    """Change only what was given; `''` clears an optional setting (stats channel, reminders, managers, silences)."""
    given = {
        "name": args.rename,
        "channel_id": args.channel,
        "stats_channel_id": args.stats_channel,
        "manager_users": args.managers,
        "manager_groups": args.manager_groups,
        "auto_start": args.auto_start,
        "reminders": args.reminders,
        "silence_matchers": args.silence,
        "silence_at_start": args.silence_at_start,
    }
    fields = {key: value for key, value in given.items() if value is not None}
    for key in ("stats_channel_id", "reminders"):
        if fields.get(key) == "":
            fields[key] = None
    for key in ("manager_users", "manager_groups"):
        if key in fields:
            fields[key] = tuple(fields[key])
    before = runtime.services.catalog.provider(args.name)
    provider = runtime.services.catalog.update_provider(CLI, args.name, **fields)
    if provider == before:
        print(f"service provider {provider.name!r}: nothing changed")
    else:
        print(f"updated service provider {provider.name!r}")
    print(f"  channel {provider.channel_id}, stats channel {provider.stats_channel_id or '-'}, "
          f"managers {', '.join(provider.manager_users + provider.manager_groups) or '-'}, "
          f"auto-start {'yes' if provider.auto_start else 'no'}, reminders {provider.reminders or 'default'}")
    print(f"  silences {provider.silence_matchers or '(no default matchers)'}"
          f"{', from the scheduled start' if provider.silence_at_start else ''}")
    return 0


def provider_remove(runtime: app.Runtime, args: argparse.Namespace) -> int:
    removed = runtime.services.catalog.remove_provider(CLI, args.name)
    print(f"removed service provider {removed.name!r}, with {removed.summary()}")
    return 0


def offering_rename(runtime: app.Runtime, args: argparse.Namespace) -> int:
    old = offering_reference(args)
    offering = runtime.services.catalog.rename_offering(CLI, old, args.new_name)
    print(f"offering {old!r} of {offering.provider_name} is now called {offering.name!r}")
    return 0


def offering_remove(runtime: app.Runtime, args: argparse.Namespace) -> int:
    removed = runtime.services.catalog.remove_offering(CLI, offering_reference(args))
    print(f"removed offering {removed.name!r}, with {removed.summary()}")
    return 0


def offering_reference(args: argparse.Namespace) -> str:
    return f"{args.provider}/{args.name}" if args.provider else args.name


# -- API tokens ------------------------------------------------------------------------------------


def token_create(runtime: app.Runtime, args: argparse.Namespace) -> int:
    role = "provider" if args.provider is not None else args.role
    new = runtime.services.tokens.create(CLI, role, provider=args.provider, name=args.name or "")
    token = new.token
    scope = f" for {token.provider_name}" if token.provider_name else ""
    print(f"created {token.role} API token {token.name!r}{scope} (id {short(token.uuid)})")
    print("the secret is shown only this once and stored only as a hash; send it as `Authorization: Token …`:")
    print(new.secret)
    return 0


def token_list(runtime: app.Runtime, args: argparse.Namespace) -> int:
    tokens = runtime.services.tokens.list(CLI)
    if not tokens:
        print("no API tokens yet: create one with `maintbot token create --admin --name LABEL`")
        return 0
    rows = [(short(t.uuid), t.name, t.role, t.provider_name, when(t.created), when(t.revoked)) for t in tokens]
    print(table(("ID", "NAME", "ROLE", "PROVIDER", "CREATED", "REVOKED"), rows))
    return 0


def token_revoke(runtime: app.Runtime, args: argparse.Namespace) -> int:
    token = runtime.services.tokens.revoke(CLI, args.token)
    print(f"API token {token.name!r} (id {short(token.uuid)}) is revoked since {when(token.revoked)}")
    return 0


# -- demo ------------------------------------------------------------------------------------------


def demo(runtime: app.Runtime, args: argparse.Namespace) -> int:
    summary = load_demo(runtime.db, admins=runtime.services.context.admins, if_empty=args.if_empty)
    if summary is None:
        print("service providers exist already; demo data not loaded (--if-empty)")
        return 0
    print("\n".join(summary.lines()))
    return 0


# -- the parser ------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="maintbot",
        description="maintbot administration. DATABASE_URL selects the database (default sqlite:///maintbot.db).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    db = commands.add_parser("db", help="database schema").add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", help="apply pending migrations").set_defaults(db_handler=db_upgrade)
    db.add_parser("status", help="list pending migrations").set_defaults(db_handler=db_status)

    provider = commands.add_parser("provider", help="service providers").add_subparsers(dest="action", required=True)
    add = provider.add_parser("add", help="add a service provider")
    add.add_argument("name")
    add.add_argument("--channel", required=True, metavar="CHANNEL_ID", help="announcement channel, like C0123ABCD")
    add.add_argument("--stats-channel", metavar="CHANNEL_ID", help="channel for the weekly summary")
    add.add_argument("--managers", type=id_list, action="extend", default=[], metavar="U1,U2", help="Slack user ids")
    add.add_argument(
        "--manager-groups", type=id_list, action="extend", default=[], metavar="S1,S2", help="Slack user-group ids"
    )
    add.add_argument("--auto-start", action="store_true", help="start announcements at their scheduled start")
    add.add_argument("--reminders", metavar="LEADS", help="reminder lead times like 72h,24h,1h (default: settings)")
    add.set_defaults(handler=provider_add)
    provider.add_parser("list", help="list service providers").set_defaults(handler=provider_list)
    change = provider.add_parser("set", help="change a provider's settings (only those given; '' clears)")
    change.add_argument("name", help="name or uuid")
    change.add_argument("--name", dest="rename", metavar="NEW_NAME", help="a new name")
    change.add_argument("--channel", metavar="CHANNEL_ID", help="announcement channel, like C0123ABCD")
    change.add_argument("--stats-channel", metavar="CHANNEL_ID", help="channel for the weekly summary ('' clears)")
    change.add_argument("--managers", type=id_list, action="extend", default=None, metavar="U1,U2",
                        help="Slack user ids: replace the managing users ('' clears)")
    change.add_argument("--manager-groups", type=id_list, action="extend", default=None, metavar="S1,S2",
                        help="Slack user-group ids: replace the managing groups ('' clears)")
    change.add_argument("--auto-start", action=argparse.BooleanOptionalAction, default=None,
                        help="start announcements at their scheduled start")
    change.add_argument("--reminders", metavar="LEADS", help="reminder lead times like 72h,24h,1h ('' for the "
                        "configured default)")
    change.add_argument("--silence", metavar="MATCHERS",
                        help="default Alertmanager matchers of its offerings, like 'team=\"cloud\"' ('' clears)")
    change.add_argument("--silence-at-start", action=argparse.BooleanOptionalAction, default=None,
                        help="silence from the scheduled start, before anyone presses Start")
    change.set_defaults(handler=provider_set)
    remove = provider.add_parser("remove", help="remove a provider with its offerings (refused while announcements "
                                 "refer to it)")
    remove.add_argument("name", help="name or uuid")
    remove.set_defaults(handler=provider_remove)

    offering = commands.add_parser("offering", help="offerings").add_subparsers(dest="action", required=True)
    add = offering.add_parser("add", help="add an offering to a provider")
    add.add_argument("name")
    add.add_argument("--provider", required=True, metavar="NAME_OR_UUID")
    add.set_defaults(handler=offering_add)
    listing = offering.add_parser("list", help="list offerings")
    listing.add_argument("--provider", metavar="NAME_OR_UUID", help="only this provider's offerings")
    listing.set_defaults(handler=offering_list)
    change = offering.add_parser("set", help="set an offering's alert silences")
    change.add_argument("name", help="name, 'Provider/Name' or uuid")
    change.add_argument("--provider", metavar="NAME_OR_UUID", help="the provider, when several have this offering")
    change.add_argument("--silence", required=True, metavar="MATCHERS",
                        help="Alertmanager matchers, like 'service=\"vm\", cluster=~\"a|b\"' ('' clears)")
    change.set_defaults(handler=offering_set)
    rename = offering.add_parser("rename", help="give an offering a new name")
    rename.add_argument("name", help="name, 'Provider/Name' or uuid")
    rename.add_argument("new_name", metavar="NEW_NAME")
    rename.add_argument("--provider", metavar="NAME_OR_UUID", help="the provider, when several have this offering")
    rename.set_defaults(handler=offering_rename)
    remove = offering.add_parser("remove", help="remove an offering (refused while announcements refer to it)")
    remove.add_argument("name", help="name, 'Provider/Name' or uuid")
    remove.add_argument("--provider", metavar="NAME_OR_UUID", help="the provider, when several have this offering")
    remove.set_defaults(handler=offering_remove)

    token = commands.add_parser("token", help="HTTP API tokens").add_subparsers(dest="action", required=True)
    create = token.add_parser("create", help="create a token; its secret is printed once")
    role = create.add_mutually_exclusive_group(required=True)
    role.add_argument("--admin", dest="role", action="store_const", const="admin", help="may do everything")
    role.add_argument("--provider", metavar="NAME_OR_UUID", help="manages this provider only")
    role.add_argument("--read-only", dest="role", action="store_const", const="read_only", help="sees what is public")
    create.add_argument("--name", metavar="LABEL", help="a label saying who or what uses it")
    create.set_defaults(handler=token_create)
    token.add_parser("list", help="list tokens (never their secrets)").set_defaults(handler=token_list)
    revoke = token.add_parser("revoke", help="revoke a token")
    revoke.add_argument("token", metavar="UUID_OR_PREFIX")
    revoke.set_defaults(handler=token_revoke)

    sample = commands.add_parser("demo", help="load sample providers, offerings and announcements")
    sample.add_argument("--if-empty", action="store_true", help="do nothing when service providers exist")
    sample.set_defaults(handler=demo)

    serve = commands.add_parser("run", help="serve Slack (HTTP or Socket Mode), the HTTP API and the scheduler")
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    serve.add_argument("--port", type=int, default=3000, help="port to listen on (default 3000)")
    serve.add_argument("--no-scheduler", action="store_true", help="web only: no reminders, no dispatcher")
    serve.add_argument("--no-slack", action="store_true",
                       help="the HTTP API only: no Slack tokens needed, no Slack endpoint, no scheduler")
    serve.set_defaults(handler=run, logged=True)

    terminal = commands.add_parser("console", help="try maintbot in the terminal, against a local stand-in for Slack")
    terminal.add_argument("options", nargs=argparse.REMAINDER, help="see `maintbot console -- --help`")
    terminal.set_defaults(direct=console)
    return parser


# `run` and `console` load their interfaces (Bolt, FastAPI, uvicorn) only when chosen: every other command
# starts in about half the time. Allowed, with this reason, in tests/test_import_graph.py.
def run(runtime: app.Runtime, args: argparse.Namespace) -> int:
    from bot import runner

    return runner.run(runtime.settings, runtime.services, args.host, args.port, scheduler=not args.no_scheduler,
                      slack=not args.no_slack)


def console(args: argparse.Namespace) -> int:
    from bot.console.main import main as console_main

    return console_main([option for option in args.options if option != "--"])


def _run(args: argparse.Namespace) -> int:
    if direct := getattr(args, "direct", None):
        return direct(args)
    settings = load_settings()
    if db_handler := getattr(args, "db_handler", None):
        return db_handler(settings, args)
    handler: Callable[[app.Runtime, argparse.Namespace], int] = args.handler
    if getattr(args, "logged", False):  # a server: its lines from start-up on are log records, as configured
        logs.configure(settings)
    with app.build_runtime(settings) as runtime:
        if runtime.migrated:
            logs.say(log, f"applied database migration(s): {', '.join(runtime.migrated)}")
        return handler(runtime, args)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    # `console`'s own options (`--socket-mode`, `--files DIR`…) go to it as they are: argparse's REMAINDER
    # refuses a first word that looks like an option.
    args, rest = build_parser().parse_known_args(argv)
    if rest and args.command != "console":
        build_parser().parse_args(argv)  # the usual error for an unknown option
    if rest:
        args.options = [*rest, *args.options]
    try:
        return _run(args)
    except SettingsError as error:
        return _fail(str(error))
    except app.SchemaOutOfDate as error:
        return _fail(str(error))
    except DomainError as error:
        return _fail(error.message)
    except (OperationalError, ArgumentError) as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        return _fail(f"cannot use the database: {reason}")
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
