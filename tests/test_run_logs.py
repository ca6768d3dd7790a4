"""`maintbot run`'s own lines, from start-up to exit, in the format and at the level the operator chose
(MAINTBOT_LOG_FORMAT, MAINTBOT_LOG_LEVEL), and never a token or the signing secret."""

from __future__ import annotations

import json
import signal

import pytest

from bot.console.standin import SlackStandIn
from tests.test_run import Running

BOT_TOKEN = "xoxb-1234567890-0987654321-SeCrEtBoTtOkEn42"
SIGNING_SECRET = "0123456789abcdef-signing-secret"
SQLITE_ONLY = pytest.mark.parametrize("db", ["sqlite"], indirect=True)  # a fresh file of its own: start-up migrates


def stopped(bot: Running) -> str:
    bot.http.close()
    bot.process.send_signal(signal.SIGTERM)
    assert bot.process.wait(30) == 0, bot.output()
    return bot.output()


@SQLITE_ONLY
def test_json_lines_from_the_migration_to_the_exit_and_no_secret(db, tmp_path):
    with SlackStandIn() as standin:
        bot = Running(db, tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.db'}", MAINTBOT_LOG_FORMAT="json",
                      SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=standin.api_url)
        bot.wait_until_serving()
        output = stopped(bot)

    records = [json.loads(line) for line in output.splitlines()]  # every line is one JSON object
    said = [record["message"] for record in records]
    assert any(message.startswith("applied database migration(s): 0001") for message in said), said
    assert any(message.startswith("maintbot: connected to Slack as") for message in said), said
    assert any(message.startswith("maintbot: stopping (SIGTERM)") for message in said), said
    assert said[-1] == "maintbot: stopped"
    assert BOT_TOKEN not in output and SIGNING_SECRET not in output


@SQLITE_ONLY
def test_at_warning_only_warnings_are_written(db, tmp_path):
    with SlackStandIn() as standin:
        bot = Running(db, tmp_path, MAINTBOT_LOG_FORMAT="json", MAINTBOT_LOG_LEVEL="warning",
                      SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=standin.api_url)
        bot.wait_until_serving()
        output = stopped(bot)

    records = [json.loads(line) for line in output.splitlines()]
    assert {record["level"] for record in records} == {"WARNING"}, records
    assert any("MAINTBOT_BASE_URL is not set" in record["message"] for record in records)


def test_an_unknown_log_level_stops_start_up_naming_the_setting(db, tmp_path):
    bot = Running(db, tmp_path, MAINTBOT_LOG_LEVEL="chatty", SLACK_BOT_TOKEN=BOT_TOKEN,
                  SLACK_SIGNING_SECRET=SIGNING_SECRET)

    bot.http.close()
    assert bot.process.wait(30) == 1
    assert bot.output().startswith("error: invalid setting MAINTBOT_LOG_LEVEL:"), bot.output()
