"""Slack coming back after an outage: notices waiting out their backoff go at once, and nothing else moves.

`maintbot run` watches Slack with `bot.slack.connection.SlackLink`; when Slack answers again it calls
`Outbox.release_waiting`. Without it, a notice that failed during the outage would wait for its next retry,
up to 10 minutes after Slack was back.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.enums import State
from bot.slack.connection import Refused, SlackLink
from tests.factories import announce
from tests.jobs.helpers import eventually, notices

CHANNEL = "CCLOUD0001"


def test_notices_that_failed_during_an_outage_go_as_soon_as_slack_answers(
    db, services, world, cloud_manager, standin, slack_client, dispatcher, clock
):
    standin.fail(status=503, times=None)
    announce(services, cloud_manager, State.SCHEDULED)
    dispatcher.deliver_due()
    [published] = notices(db, "published")
    assert published.attempts == 1 and published.next_attempt > clock.now()
    reminders_before = [(n.id, n.next_attempt) for n in notices(db, "reminder")]

    standin.clear_faults()
    link = SlackLink(slack_client)
    link.when_back(lambda: services.outbox.release_waiting(clock.now()))
    assert link.check()
    dispatcher.deliver_due()  # the clock has not moved: only the release made the notice due

    [card] = standin.posts_in(CHANNEL, threads=False)
    assert "Kernel upgrade" in card.text
    assert [(n.id, n.next_attempt) for n in notices(db, "reminder")] == reminders_before


def test_release_leaves_claimed_and_never_tried_notices_alone(db, services, world, cloud_manager, clock):
    announce(services, cloud_manager, State.SCHEDULED)
    [claimed] = services.outbox.claim(clock.now(), 1, timedelta(minutes=2))

    assert services.outbox.release_waiting(clock.now()) == 0
    assert [n.next_attempt for n in notices(db, "published")] == [clock.now() + timedelta(minutes=2)]
    assert claimed.kind == "published"


def test_the_watcher_notices_slack_coming_back_and_runs_the_callbacks_once(services, standin, slack_client):
    standin.fail(status=503, times=None)
    backs = []
    link = SlackLink(slack_client, watch=0.05)
    link.when_back(lambda: backs.append("back"))
    assert not link.check()
    assert link.status()["status"] == "unreachable" and backs == []
    link.start()
    try:
        standin.clear_faults()
        assert eventually(lambda: link.connected, within=10)
        assert eventually(lambda: len(standin.calls_to("auth.test")) >= 4, within=10)  # it keeps watching
    finally:
        link.stop()

    assert backs == ["back"]
    assert link.status()["status"] == "connected"


def test_a_callback_that_fails_keeps_slack_counted_as_away_until_it_succeeds(services, standin, slack_client):
    attempts = []

    def connect_socket_mode() -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise ConnectionError("websocket refused")

    link = SlackLink(slack_client)
    link.when_back(connect_socket_mode)

    assert not link.check()
    assert link.status()["detail"] == "ConnectionError: websocket refused"
    assert link.check() and link.connected and len(attempts) == 2


def test_a_token_slack_refuses_is_refused_not_retried(services, standin, slack_client):
    standin.fail(method="auth.test", error="invalid_auth")

    with pytest.raises(Refused, match="invalid_auth"):
        SlackLink(slack_client).check()
