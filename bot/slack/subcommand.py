"""Each `/maint` subcommand declared once: name, group, usage, help and handler together.

`@subcommand(...)` records a handler in `SUBCOMMANDS`; `/maint help`, a usage hint after a mistake and the
dispatcher (`bot.slack.commands`) all read that one record. A handler runs in the ack and returns what the
ack carries (`Answer`), or None for an empty ack; work that must wait for Slack's answer runs right after a
successful ack (`after_ack=`: opening a modal, refreshing the App Home).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from bot.domain.errors import Invalid
from bot.slack.answer import Answer
from bot.slack.help_topics import TOPICS
from bot.slack.listening import Act
from bot.slack.parsing import Arguments, BadArguments

#: Groups in the order `/maint help` lists them.
READING, ANNOUNCING, CHANNELS, CATALOG, SET_UP = "Reading", "Announcing", "Channels", "Catalog", "Set-up"
GROUPS = (READING, ANNOUNCING, CHANNELS, CATALOG, SET_UP)

Handler = Callable[[Act, Arguments], Answer | None]
FollowUp = Callable[[Act, Arguments], None]


@dataclass
class Subcommand:
    name: str
    group: str | None  # None: not listed by `/maint help`
    usage: str  # the syntax, as mrkdwn with its code spans
    help: str  # what it does, in a few words
    handler: Handler
    follow_up: FollowUp | None = None

    @property
    def line(self) -> str:
        return f"{self.usage} — {self.help}"


#: Every subcommand by name, in the order declared (the order `/maint help` lists each group in).
SUBCOMMANDS: dict[str, Subcommand] = {}


def subcommand(
    name: str, *, group: str | None, usage: str, help: str, after_ack: FollowUp | None = None
) -> Callable[[Handler], Subcommand]:
    """Declare a subcommand; `after_ack` runs, with the same arguments, once its handler has answered."""

    def declare(handler: Handler) -> Subcommand:
        if name in SUBCOMMANDS:
            raise ValueError(f"/maint {name} is declared twice")
        if group == READING:
            handler = reading(handler)
        SUBCOMMANDS[name] = Subcommand(name, group, usage, help, handler, after_ack)
        return SUBCOMMANDS[name]

    return declare


def reading(handler: Handler) -> Handler:
    """A read refused for a field (a sort key, too many words) is a bad argument — answered with the usage, in
    the words typed — never "Nothing changed", since nothing was going to."""

    @wraps(handler)
    def read(act: Act, args: Arguments) -> Answer | None:
        try:
            return handler(act, args)
        except Invalid as error:
            raise BadArguments(" ".join(" ".join(messages) for messages in error.fields.values())) from None

    return read


def usage(name: str) -> str:
    return f"Usage: {SUBCOMMANDS[name].line}"


def topic_text(name: str) -> str:
    """`/maint help NAME`: the usage line, then what it does in a few lines, then an example or two."""
    explanation, examples = TOPICS.get(name, ("", ()))
    lines = [usage(name)]
    if explanation:
        lines.append(explanation)
    if examples:
        lines.append("Example:" if len(examples) == 1 else "Examples:")
        lines += [f"• `{example}`" for example in examples]
    return "\n".join(lines)


def help_text() -> str:
    lines = ["*`/maint` — maintenance announcements*"]
    for group in GROUPS:
        lines.append(f"*{group}*")
        lines += [f"• {command.line}" for command in SUBCOMMANDS.values() if command.group == group]
    lines.append("IDs are uuids or their first 6+ hex digits, as shown on cards. `/maint help list` for details.")
    return "\n".join(lines)
