"""`/maint help SUBCOMMAND` explains with an example; read refusals speak the command's words; history is readable."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.enums import State
from bot.slack.subcommand import READING, SUBCOMMANDS, help_text
from tests.factories import announce

READER, MANAGER = "UREADER001", "UCLOUDMGR1"


@pytest.mark.parametrize("topic", ["find", "list", "show", "history", "start", "subscribe", "stats", "edit"])
def test_help_for_a_subcommand_gives_usage_explanation_and_example(slack, topic):
    text = slack.command(f"help {topic}", user=READER).ack["text"]

    assert text.startswith(f"Usage: {SUBCOMMANDS[topic].usage}")
    lines = text.split("\n")
    assert len(lines) >= 4 and "Example" in text
    assert any(line.startswith(f"• `/maint {topic}") for line in lines)  # the example runs that very command


def test_every_subcommand_has_an_example(slack):
    for name in SUBCOMMANDS:
        assert "Example" in slack.command(f"help {name}", user=READER).ack["text"], name


def test_help_without_a_topic_is_the_list(slack):
    assert slack.command("help", user=READER).ack["text"] == help_text()


@pytest.mark.parametrize("typed, said", [
    ("list sort=bogus", "`bogus` is not a sort key"),
    ("list sort=name,created,scheduled_start,scheduled_end", "Sort by at most 3 keys (e.g. `sort=name,-created`)"),
    ("list o=bogus", "`bogus` is not a sort key"),
    ("list words=" + "y" * 300, "at most 200 characters"),
])
def test_a_refused_read_names_the_slack_words_and_changes_nothing(slack, world, typed, said):
    text = slack.command(typed, user=READER).ack["text"]

    assert said in text and "Usage: `/maint list" in text
    assert "Nothing changed" not in text
    assert "o=" not in text.replace("sort=", "")


def test_no_read_command_answers_nothing_changed(slack, world):
    reads = [name for name, command in SUBCOMMANDS.items() if command.group == READING]
    for name in reads:
        for words in ("sort=bogus", "x" * 300, "%"):
            assert "Nothing changed" not in (slack.command(f"{name} {words}", user=READER).text or ""), name


def test_history_shows_dates_as_date_tokens_and_values_readably(slack, services, world, cloud_manager, db):
    view = announce(services, cloud_manager, State.SCHEDULED)
    services.announcements.update(cloud_manager, view.uuid, {"scheduled_end": view.scheduled_end + timedelta(hours=1),
                                                             "maintenance_type": 2})

    text = slack.command(f"history {view.short_id}", user=MANAGER).text

    assert "<!date^" in text and "→" in text
    assert "Scheduled end:" in text and "Maintenance type:" in text and "Emergency maintenance" in text
    assert "+00:00" not in text  # no Python repr of a datetime
    assert "has been scheduled" in text
