"""What an operator's Prometheus sees of Slack: acks, transitions, notices, Web API calls, the backlog.

People act in the workspace over HTTP (the `slack` fixture); the figures are read the way Prometheus reads
them, from `GET /metrics` of the HTTP API served over the same services (one runtime, one registry).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from bot.config import Settings
from bot.domain.enums import State
from bot.jobs.scheduler import build_scheduler
from bot.jobs.tick import SummarySchedule, Ticker
from bot.web import create_app
from tests.api.test_metrics import figures, value
from tests.factories import announce, starting_soon

MANAGER = "UCLOUDMGR1"
CHANNEL = "CCLOUD0001"
BOTH = pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def scrape(live_server, services) -> Iterator:
    """Reads `/metrics` of the API app over the test's services, over loopback."""
    plug, base_url = live_server
    plug.app = create_app(services, Settings(base_url=base_url, _env_file=None))

    def read() -> dict:
        answer = httpx.get(base_url + "/metrics")
        assert answer.status_code == 200
        return figures(answer.text)

    yield read
    plug.app = None


@BOTH
def test_a_command_and_a_button_press_move_the_counters_and_the_ack_histogram(
    slack, services, world, cloud_manager, scrape
):
    view = announce(services, cloud_manager, State.SCHEDULED, **starting_soon(services))
    slack.deliver()
    before = scrape()

    assert slack.command("list", user=MANAGER).status == 200
    reply = slack.press(slack.card_in(CHANNEL), "Start", user=MANAGER)
    assert reply.status == 200
    slack.app.drain()
    assert slack.command(f"complete {view.short_id}", user=MANAGER).status == 200
    slack.app.drain()

    after = scrape()
    moved = [
        value(after, name, **labels) - value(before, name, **labels)
        for name, labels in [
            ("maintbot_slack_ack_seconds_count", {"kind": "command"}),
            ("maintbot_slack_ack_seconds_count", {"kind": "button"}),
            ("maintbot_requests_total", {"interface": "slack", "outcome": "ok"}),
            ("maintbot_transitions_total", {"action": "start", "interface": "slack"}),
            ("maintbot_transitions_total", {"action": "complete", "interface": "slack"}),
        ]
    ]
    assert moved == [2, 1, 3, 1, 1]
    assert value(after, "maintbot_slack_ack_seconds_bucket", kind="button", le="+Inf") >= 1
    assert value(after, "maintbot_slack_api_calls_total", method="chat.postMessage", result="ok") >= 1


def test_a_refused_command_is_counted_as_refused(slack, services, world, scrape):
    assert slack.command("start 999999", user="UREADER001").status == 200
    after = scrape()
    assert value(after, "maintbot_requests_total", interface="slack", outcome="refused") == 1
    assert value(after, "maintbot_transitions_total", action="start", interface="slack") == 0


@BOTH
def test_a_delivered_notice_is_counted_sent_and_the_backlog_is_empty(slack, services, world, cloud_manager, scrape):
    announce(services, cloud_manager, State.SCHEDULED)
    waiting = scrape()
    assert value(waiting, "maintbot_outbox_due") >= 1

    assert slack.deliver() >= 1

    after = scrape()
    assert value(after, "maintbot_notices_total", kind="published", result="sent") >= 1
    assert value(after, "maintbot_outbox_due") == 0
    assert value(after, "maintbot_outbox_oldest_due_seconds") == 0


@BOTH
def test_with_slack_failing_the_failed_and_rate_limited_figures_move(
    slack, standin, services, world, cloud_manager, clock, scrape
):
    announce(services, cloud_manager, State.SCHEDULED)
    standin.fail(method="chat.postMessage", status=429, retry_after=30)
    slack.deliver()

    limited = scrape()
    assert value(limited, "maintbot_slack_api_calls_total", method="chat.postMessage", result="rate_limited") == 1
    assert value(limited, "maintbot_notices_total", kind="published", result="retried") == 1
    assert value(limited, "maintbot_outbox_due") >= 1  # still due: waiting for its retry

    clock.advance(timedelta(minutes=1))
    standin.fail(method="chat.postMessage", error="channel_not_found", times=None)
    slack.deliver()

    failed = scrape()
    assert value(failed, "maintbot_notices_total", kind="published", result="failed") == 1
    assert value(failed, "maintbot_slack_api_calls_total", method="chat.postMessage", result="error") >= 1
    assert value(failed, "maintbot_outbox_due") == 0  # given up: for an admin, no longer due


def test_the_scheduled_tick_records_its_duration_and_last_success(services, settings, dispatcher, scrape):
    ticker = Ticker(services, schedule=SummarySchedule.parse(settings.summary_at, settings.zone))
    tick = build_scheduler(ticker, settings).get_job("tick").func

    tick()

    after = scrape()
    assert value(after, "maintbot_tick_seconds_count") == 1
    assert value(after, "maintbot_tick_last_success_timestamp_seconds") > 0
