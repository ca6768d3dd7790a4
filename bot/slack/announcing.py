"""Announcing subcommands: `/maint new`, `edit`, the five transitions and `delete`.

A transition or a deletion answers in the ack, then the actor's App Home is refreshed; `new` and `edit`
ack empty and open the announcement modal right after (a trigger id lives three seconds).
"""

from __future__ import annotations

from bot.domain.enums import Action
from bot.domain.lifecycle import OUTCOMES
from bot.slack import editor, messages
from bot.slack.answer import Answer
from bot.slack.cards import done
from bot.slack.listening import Act
from bot.slack.parsing import Arguments, BadArguments, one_id
from bot.slack.subcommand import ANNOUNCING, subcommand
from bot.slack.text import clip, escape


def template_named(args: Arguments) -> str | None:
    """`new` alone, or `new from TEMPLATE`."""
    if not args.positional:
        return None
    if args.positional[0].lower() != "from" or len(args.positional) < 2:
        raise BadArguments("Write `new` alone, or `new from TEMPLATE`.")
    return " ".join(args.positional[1:])


def open_new_form(act: Act, args: Arguments) -> None:
    editor.open_new(act, template_named(args))


def open_edit_form(act: Act, args: Arguments) -> None:
    editor.open_edit(act, one_id(args))


def refresh_home(act: Act, args: Arguments) -> None:
    act.deps.homes.refresh(act.origin.user)


@subcommand("new", group=ANNOUNCING, usage="`/maint new` or `/maint new from TEMPLATE`",
            help="draft an announcement in a form", after_ack=open_new_form)
def new(act: Act, args: Arguments) -> None:
    template_named(args)  # a mistake is answered in the ack, before any form opens


@subcommand("edit", group=ANNOUNCING, usage="`/maint edit ID`", help="change an announcement in a form",
            after_ack=open_edit_form)
def edit(act: Act, args: Arguments) -> None:
    one_id(args)


def transition(act: Act, args: Arguments, action: Action) -> Answer:
    view = act.services.announcements.transition(act.actor, one_id(args), action)
    text = f"{done(OUTCOMES[action])} *{escape(clip(view.name, 150))}* (`{view.short_id}`)."
    return Answer(text, [*messages.note(text), *messages.announcement_detail(view)])


@subcommand("schedule", group=ANNOUNCING, usage="`/maint schedule ID`",
            help="publish a draft: everyone following it is told", after_ack=refresh_home)
def schedule(act: Act, args: Arguments) -> Answer:
    return transition(act, args, Action.SCHEDULE)


@subcommand("unschedule", group=ANNOUNCING, usage="`/maint unschedule ID`",
            help="withdraw a published announcement back to Draft", after_ack=refresh_home)
def unschedule(act: Act, args: Arguments) -> Answer:
    return transition(act, args, Action.UNSCHEDULE)


@subcommand("start", group=ANNOUNCING, usage="`/maint start ID`", help="the maintenance has begun",
            after_ack=refresh_home)
def start(act: Act, args: Arguments) -> Answer:
    return transition(act, args, Action.START)


@subcommand("complete", group=ANNOUNCING, usage="`/maint complete ID`", help="the maintenance is over",
            after_ack=refresh_home)
def complete(act: Act, args: Arguments) -> Answer:
    return transition(act, args, Action.COMPLETE)


@subcommand("cancel", group=ANNOUNCING, usage="`/maint cancel ID`", help="call it off (Draft or Scheduled)",
            after_ack=refresh_home)
def cancel(act: Act, args: Arguments) -> Answer:
    return transition(act, args, Action.CANCEL)


@subcommand("delete", group=ANNOUNCING, usage="`/maint delete ID`", help="remove it for good",
            after_ack=refresh_home)
def delete(act: Act, args: Arguments) -> Answer:
    announcements = act.services.announcements
    view = announcements.delete(act.actor, one_id(args))
    return Answer(f"{done('deleted')} *{escape(clip(view.name, 150))}* (`{view.short_id}`).")
