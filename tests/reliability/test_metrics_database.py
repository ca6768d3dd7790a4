"""The database away, as an operator's Prometheus sees it: each interface's database errors counted, and
`/metrics` still answering (without the backlog, which needs the database)."""

from __future__ import annotations

import httpx

from bot.domain.clock import ManualClock
from bot.domain.service import build_services
from storage.db import Database
from tests.api.test_metrics import figures, value
from tests.conftest import ADMIN_ID, NOW
from tests.reliability.test_faults_database import UNREACHABLE, Serving, assert_try_again_everywhere


def test_while_the_database_does_not_answer_its_errors_are_counted_per_interface(standin):
    services = build_services(Database(UNREACHABLE), ManualClock(NOW), admins={ADMIN_ID})
    bot = Serving(services, standin)
    bot.authorise("0" * 40)
    try:
        tried = assert_try_again_everywhere(bot, "ab" * 16)
        bot.slack_app.drain()
        answer = httpx.get(bot.url + "/metrics")
    finally:
        bot.close()
        services.context.db.dispose()

    assert answer.status_code == 200
    scrape = figures(answer.text)
    assert value(scrape, "maintbot_database_errors_total", interface="api") == tried["api"]
    assert value(scrape, "maintbot_database_errors_total", interface="slack") == tried["slack"]
    assert value(scrape, "maintbot_requests_total", interface="api", outcome="unavailable") == tried["api"]
    assert ("maintbot_outbox_due", ()) not in scrape  # not known without the database; the rest is shown
