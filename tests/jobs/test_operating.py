"""What an operator sees of the dispatcher and the scheduler: notices queued counted by kind, database errors
counted where they happen, and log lines naming the notice, its announcement and how it went, never a secret.

Figures are read the way Prometheus reads them (the runtime's registry rendered as `/metrics` serves it); log
lines through the handler `maintbot run` installs, as JSON, at DEBUG.
"""

from __future__ import annotations

import logging
import random
from collections import Counter

import pytest
from slack_sdk import WebClient

from bot.config import Settings
from bot.domain.clock import ManualClock
from bot.domain.enums import State
from bot.domain.service import build_services
from bot.jobs.scheduler import Runs
from bot.jobs.tick import SummarySchedule, Ticker
from bot.metrics import metrics_for, timed_tick
from bot.slack.delivery import Dispatcher
from storage.db import Database
from tests.api.test_metrics import figures, value
from tests.conftest import ADMIN_ID, NOW
from tests.factories import announce
from tests.jobs.helpers import eventually, notices
from tests.reliability.test_faults_database import UNREACHABLE
from tests.reliability.test_logs import BOT_TOKEN, NOTES, attach

CHANNEL = "CCLOUD0001"


def scrape(services) -> dict:
    return figures(metrics_for(services).render().decode())


@pytest.fixture
def lines(standin):
    """Every record of the process, as the JSON lines `maintbot run` would write, at DEBUG."""
    settings = Settings(slack_bot_token=BOT_TOKEN, slack_signing_secret="a-signing-secret-of-ours",
                        slack_api_url=standin.api_url, log_format="json", _env_file=None)
    yield from attach(settings)


@pytest.fixture
def dispatcher_with_a_real_token(services, standin, clock):
    client = WebClient(token=BOT_TOKEN, base_url=standin.api_url, timeout=10, retry_handlers=[])
    dispatcher = Dispatcher(services, client, clock=clock, pace=0, rng=random.Random(3))
    yield dispatcher
    dispatcher.stop()


def test_notices_queued_are_counted_by_kind_as_the_outbox_holds_them(services, world, cloud_manager):
    metrics_for(services)  # the runtime's figures exist from start-up on, as in `maintbot run`

    announce(services, cloud_manager, State.SCHEDULED)
    announce(services, cloud_manager, State.SCHEDULED, name="Switch firmware")

    in_outbox = Counter(notice.kind for notice in notices(services.context.db))
    figures_now = scrape(services)
    assert {"published", "reminder"} <= set(in_outbox)
    assert {kind: value(figures_now, "maintbot_notices_total", kind=kind, result="queued") for kind in in_outbox} \
        == dict(in_outbox)


def test_each_delivery_is_one_logged_unit_naming_its_notice_announcement_and_outcome(
    lines, services, world, cloud_manager, standin, dispatcher_with_a_real_token
):
    view = announce(services, cloud_manager, State.SCHEDULED, internal_notes=NOTES)
    standin.fail(method="chat.postMessage", channel="CSTATS0001", error="channel_not_found", times=None)
    since = lines.mark()

    dispatcher_with_a_real_token.deliver_due()

    records = lines.records(since)
    (published,) = notices(services.context.db, "published")
    ends = [r for r in records if r["logger"] == "bot.slack.delivery" and r["message"].startswith(
        f"notice {published.id} ")]
    assert len(ends) == 1, records
    assert {key: ends[0][key] for key in ("request_id", "interface", "announcement", "outcome")} == {
        "request_id": f"notice-{published.id}", "interface": "dispatcher", "announcement": view.uuid.hex,
        "outcome": "sent"}
    delivering = [r for r in records if r.get("request_id") == f"notice-{published.id}"]
    assert all(r["announcement"] == view.uuid.hex for r in delivering)
    everything = lines.text
    assert BOT_TOKEN not in everything and NOTES not in everything
    assert "xoxb-" not in everything


def test_a_refused_notice_is_logged_as_failed_with_its_announcement(
    lines, services, world, cloud_manager, standin, dispatcher_with_a_real_token
):
    view = announce(services, cloud_manager, State.SCHEDULED)
    standin.fail(method="chat.postMessage", error="channel_not_found", times=None)
    since = lines.mark()

    dispatcher_with_a_real_token.deliver_due()

    failed = [r for r in lines.records(since) if r["level"] == "WARNING" and "channel_not_found" in r["message"]]
    assert failed and all((r["interface"], r["announcement"], r["outcome"]) == ("dispatcher", view.uuid.hex,
                                                                                 "failed") for r in failed)
    assert value(scrape(services), "maintbot_notices_total", kind="published", result="failed") == len(failed)


def test_a_tick_is_one_logged_unit_and_its_failure_is_logged_with_its_outcome(lines, services, world):
    ticker = Ticker(services, schedule=SummarySchedule.parse("mon 09:00", services.context.clock.now().tzinfo))
    runs = Runs(metrics_for(services))
    since = lines.mark()

    runs.logged("tick", lambda: ticker.tick())()
    runs.logged("tick", lambda: 1 / 0)()

    records = [r for r in lines.records(since) if r["logger"] == "bot.jobs.scheduler"]
    (failure,) = [r for r in records if r["level"] == "ERROR"]
    assert (failure["interface"], failure["outcome"]) == ("scheduler", "error")
    assert "ZeroDivisionError" in failure["exception"]
    assert runs.wait(0)  # nothing left running
    assert BOT_TOKEN not in lines.text


@pytest.fixture
def away() -> Database:
    database = Database(UNREACHABLE)
    yield database
    database.dispose()


def test_the_database_away_is_counted_for_the_dispatcher_and_the_scheduler(away, standin, caplog):
    services = build_services(away, ManualClock(NOW), admins={ADMIN_ID})
    client = WebClient(token="xoxb-test", base_url=standin.api_url, timeout=10, retry_handlers=[])
    dispatcher = Dispatcher(services, client, pace=0, poll=0.05).start()
    try:
        assert eventually(lambda: value(scrape(services), "maintbot_database_errors_total",
                                        interface="dispatcher") >= 1, within=20)
    finally:
        assert dispatcher.stop(5)
    metrics = metrics_for(services)
    ticker = Ticker(services, schedule=SummarySchedule.parse("mon 09:00", NOW.tzinfo))

    with caplog.at_level(logging.ERROR, logger="bot.jobs.scheduler"):
        Runs(metrics).logged("tick", timed_tick(metrics, ticker.tick))()

    after = scrape(services)
    assert value(after, "maintbot_database_errors_total", interface="scheduler") == 1
    assert value(after, "maintbot_tick_failures_total") == 1
    assert value(after, "maintbot_tick_last_success_timestamp_seconds") == 0
    told = [record for record in caplog.records if record.name == "bot.jobs.scheduler"]
    assert [record.getMessage() for record in told] == ["tick failed; it runs again at its next time"]
