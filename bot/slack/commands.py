"""`/maint`: read the words, find the subcommand, answer in the ack, then run its work after the ack.

Answers go in the ack body (the fastest way back, and ephemeral unless said otherwise). `new` and `edit`
ack empty and open their modal right after; a transition refreshes the actor's App Home right after (the
`/maint` listener with a lazy function, chosen by `has_follow_up`; every other subcommand ends in the ack). The
subcommands are declared in `reading`, `announcing`, `channels`, `catalog`, `templating`, `updating`, `extending` and
`series` (`bot.slack.subcommand`);
an unknown one gets the help. A refusal raised by a handler is worded by `bot.slack.ack_errors`: a bad
argument with that subcommand's usage, a domain refusal by `replies.error_text`.
"""

from __future__ import annotations

from slack_bolt import Ack
from slack_bolt.context import BoltContext

from bot.slack import (  # noqa: F401  (they declare the subcommands)
    announcing,
    catalog,
    channels,
    extending,
    reading,
    series,
    templating,
    updating,
)
from bot.slack.answer import Answer
from bot.slack.listening import DOING, FOLLOW_UP, Act
from bot.slack.parsing import Arguments, BadArguments, words
from bot.slack.payloads import PAYLOAD
from bot.slack.subcommand import SUBCOMMANDS, help_text, subcommand, topic_text
from bot.slack.text import clip, escape

COMMAND = "/maint"


@subcommand("help", group=None, usage="`/maint help [COMMAND]`", help="all commands, or one in detail")
def show_help(act: Act, args: Arguments) -> Answer:
    topic = args.positional[0].lower() if args.positional else None
    if topic in SUBCOMMANDS:
        return Answer(topic_text(topic))
    return Answer(help_text())


def has_follow_up(context: BoltContext) -> bool:
    """Listener matcher: does this `/maint` name a subcommand with work after its ack? Only those are run with a
    lazy listener, so answers that end in the ack do not pay for Bolt's copy of the request."""
    try:
        tokens = words(context[PAYLOAD].text)
    except BadArguments:  # answered by the plain listener, with the help
        return False
    command = SUBCOMMANDS.get(tokens[0].lower() if tokens else "help")
    return command is not None and command.follow_up is not None


def answer_command(ack: Ack, act: Act) -> None:
    """The ack of `/maint`: the subcommand's answer, or an empty ack when its work follows (a modal)."""
    tokens = updating.command_words(act.payload.text) or words(act.payload.text)  # an update's text as typed
    name = tokens[0].lower() if tokens else "help"
    command = SUBCOMMANDS.get(name)
    if command is None:
        ack(**Answer(f"🤷 `/maint {escape(clip(name, 40))}` is not a command I know.\n\n{help_text()}").ack_kwargs())
        return
    act.context[DOING] = name
    answer = command.handler(act, Arguments.of(tokens[1:]))
    if command.follow_up is not None:
        act.context[FOLLOW_UP] = tokens[1:]
    ack(**(answer.ack_kwargs() if answer is not None else {}))


def follow_command(act: Act) -> None:
    """After the ack: the subcommand's follow-up work, if its handler answered (did not refuse)."""
    if act.follow_up is not None:
        command = SUBCOMMANDS[act.context[DOING]]
        command.follow_up(act, Arguments.of(act.follow_up))
