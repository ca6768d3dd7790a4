"""A dispatcher told to stop (SIGTERM to `maintbot run`) finishes the notice Slack is taking and gives back the
ones it had claimed but not started, so another replica sends them at once rather than after their lease."""

from __future__ import annotations

import random

from bot.domain.enums import State
from bot.slack.delivery import Dispatcher
from tests.factories import announce
from tests.jobs.helpers import eventually, notices, posts


def test_stopping_finishes_the_delivery_in_slack_and_releases_the_claimed_rest_for_another_replica(
    services, world, cloud_manager, storage_manager, standin, slack_client, clock
):
    cloud = announce(services, cloud_manager, State.SCHEDULED)
    announce(services, storage_manager, State.SCHEDULED, provider="Storage", name="Disk swap")
    standin.fail(method="chat.postMessage", channel="CCLOUD0001", delay=1.0)  # Slack takes the card, answers late
    stopping = Dispatcher(services, slack_client, clock=clock, workers=1, pace=0, rng=random.Random(1)).start()
    assert eventually(lambda: posts(standin), within=10)  # the Cloud card is in Slack's hands; Storage's waits

    finished = stopping.stop(timeout=10)

    assert finished
    by_channel = {notice.channel_id: notice for notice in notices(db_of(services), "published")}
    assert by_channel["CCLOUD0001"].status == "sent"
    waiting = by_channel["CSTORE0001"]
    assert (waiting.status, waiting.claim_token, waiting.attempts) == ("pending", None, 0)
    assert waiting.next_attempt <= clock.now()  # due now, not when the lease would have ended

    other_replica = Dispatcher(services, slack_client, clock=clock, pace=0, rng=random.Random(2))
    try:
        assert other_replica.deliver_due() == 1
    finally:
        other_replica.stop()
    assert [call.args["channel"] for call in posts(standin)] == ["CCLOUD0001", "CSTORE0001"]
    assert standin.calls_to("conversations.history") == []  # never attempted: no need to look before posting
    assert cloud.uuid.hex in standin.posts_in("CCLOUD0001")[0].metadata["event_payload"]["announcement"]


def test_a_stopped_dispatcher_says_it_finished_when_nothing_was_in_flight(services, world, standin, slack_client,
                                                                           clock):
    idle = Dispatcher(services, slack_client, clock=clock, pace=0).start()

    assert idle.stop(timeout=5) is True


def db_of(services):
    return services.context.db
