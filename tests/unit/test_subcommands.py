"""Each `/maint` subcommand is declared once, and help, usage hints and refusals all read that declaration."""

from __future__ import annotations

import pytest

from bot.domain.errors import InvalidState, NotFound
from bot.slack.ack_errors import command_refusal
from bot.slack.commands import SUBCOMMANDS
from bot.slack.parsing import BadArguments
from bot.slack.subcommand import GROUPS, help_text, usage


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_every_subcommand_says_how_to_type_it_and_what_it_does(name):
    command = SUBCOMMANDS[name]

    assert command.usage.startswith(f"`/maint {name}")
    assert command.help and not command.help.endswith(".")
    assert command.group is None or command.group in GROUPS


def test_help_lists_every_grouped_subcommand_once_under_its_group():
    text = help_text()

    for command in SUBCOMMANDS.values():
        assert text.count(f"• {command.usage} — ") == (0 if command.group is None else 1), command.name
    assert [line for line in text.splitlines() if line.startswith("*") and not line.startswith("*`")] == [
        f"*{group}*" for group in GROUPS
    ]


def test_a_bad_argument_is_answered_with_that_subcommands_usage():
    answer = command_refusal(BadArguments("Give exactly one announcement id."), "start")

    assert answer.text == f"⚠️ Give exactly one announcement id.\n{usage('start')}"
    assert not answer.in_channel


def test_words_that_cannot_be_read_are_answered_with_the_help():
    answer = command_refusal(BadArguments("Could not read the arguments: No closing quotation."), None)

    assert answer.text.endswith(help_text())


def test_a_refusal_names_the_subcommand_that_was_refused():
    stale = command_refusal(InvalidState(["Scheduled"], current="In progress"), "start")
    missing = command_refusal(NotFound("No announcement abc123."), "show")

    assert "*Start* needs it to be *Scheduled*" in stale.text and "already *In progress*" in stale.text
    assert missing.text.startswith("🔍 No announcement abc123.")
