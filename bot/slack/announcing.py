"""Announcing subcommands: `/maint new`, `edit`, the five transitions and `delete`.

A transition or a deletion answers in the ack, then the actor's App Home is refreshed; `new` and `edit`
ack empty and open the announcement modal right after (a trigger id lives three seconds).
"""

from __future__ import annotations

from bot.domain.confirmations import DOUBTED, doubt_about
from bot.domain.enums import Action
from bot.domain.lifecycle import OUTCOMES
from bot.slack import editor, messages, second_thoughts
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
    reference = one_id(args)
    if (asked := ask_first(act, reference, action)) is not None:
        return Answer(*asked)
    view = act.services.announcements.transition(act.actor, reference, action)
    text = f"{done(OUTCOMES[action])} *{escape(clip(view.name, 150))}* (`{view.short_id}`)."
    if action is Action.SCHEDULE:
        text += second_thoughts.overlap_note(view)
    return Answer(text, [*messages.note(text), *messages.announcement_detail(view)])


def ask_first(act: Act, reference: str, action: Action) -> tuple[str, list] | None:
    """The question to ask before `action` when the domain has second thoughts about it (a window that has
    ended, a start more than an hour early); None to go ahead. Only managers are asked: anyone else's
    attempt goes on to the domain, which refuses it."""
    if action not in DOUBTED:
        return None
    view = act.services.announcements.get(act.actor, reference)
    doubt = doubt_about(action, view, act.services.context.clock.now())
    return None if doubt is None else second_thoughts.question(action.value, view, doubt)


#: What each transition does, in the words `/maint help` lists it with (in the order listed).
TRANSITION_HELP = {
    Action.SCHEDULE: "publish a draft: everyone following it is told",
    Action.UNSCHEDULE: "withdraw a published announcement back to Draft",
    Action.START: "the maintenance has begun",
    Action.COMPLETE: "the maintenance is over",
    Action.CANCEL: "call it off (Draft or Scheduled)",
}


def declare_transition(action: Action, help: str) -> None:
    """`/maint schedule ID` and its four siblings: one subcommand per transition of the domain's table."""

    def run(act: Act, args: Arguments) -> Answer:
        return transition(act, args, action)

    run.__name__ = run.__qualname__ = action.value
    subcommand(action.value, group=ANNOUNCING, usage=f"`/maint {action.value} ID`", help=help,
               after_ack=refresh_home)(run)


for _action, _help in TRANSITION_HELP.items():
    declare_transition(_action, _help)


@subcommand("delete", group=ANNOUNCING, usage="`/maint delete ID`",
            help="remove it for good (asks first: Delete or Keep)")
def delete(act: Act, args: Arguments) -> Answer:
    """Asks first, as the card's Delete button does; the Delete button of the question deletes
    (bot/slack/actions.py). Someone who may not delete it is refused at once, not asked."""
    announcements = act.services.announcements
    reference = one_id(args)
    view = announcements.get(act.actor, reference)
    if not view.can_manage:
        announcements.delete(act.actor, reference)  # refused: NotAllowed
    return Answer(*second_thoughts.question("delete", view))
