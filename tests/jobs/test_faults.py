"""When Slack fails: rate limits are waited out, outages are outlasted, permanent errors are kept for admins."""

from __future__ import annotations

from datetime import timedelta

import pytest
from slack_sdk import WebClient

from bot.domain.enums import State
from bot.domain.errors import NotAllowed
from bot.slack.delivery import Dispatcher
from tests.factories import announce
from tests.jobs.helpers import notices, posts


def test_a_rate_limited_notice_is_delivered_once_retry_after_has_passed(
    db, services, world, cloud_manager, dispatcher, standin, clock
):
    standin.fail(method="chat.postMessage", status=429, error="ratelimited", retry_after=30)
    announce(services, cloud_manager, State.SCHEDULED)

    assert dispatcher.deliver_due() == 0
    (notice,) = notices(db, "published")
    assert notice.next_attempt == clock.now() + timedelta(seconds=30)
    clock.advance(timedelta(seconds=29))
    assert dispatcher.deliver_due() == 0

    clock.advance(timedelta(seconds=1))
    assert dispatcher.deliver_due() == 1

    assert len(standin.posts_in("CCLOUD0001")) == 1
    assert len(posts(standin)) == 2  # the refused one and the one that went through


def test_a_notice_is_delivered_once_slack_recovers_from_an_outage(
    db, services, world, cloud_manager, dispatcher, standin, clock
):
    outage = standin.fail(method="chat.postMessage", status=503, times=None)
    announce(services, cloud_manager, State.SCHEDULED)

    for _ in range(6):
        assert dispatcher.deliver_due() == 0
        clock.advance(timedelta(minutes=10))  # the longest backoff
    standin.clear_faults()
    assert dispatcher.deliver_due() == 1

    assert outage.times is None
    (notice,) = notices(db, "published")
    assert (notice.status, notice.attempts) == ("sent", 7)
    assert len(standin.posts_in("CCLOUD0001")) == 1


def test_retries_back_off_exponentially_with_jitter(db, services, world, cloud_manager, dispatcher, standin, clock):
    standin.fail(method="chat.postMessage", status=500, error="internal_error", times=None)
    announce(services, cloud_manager, State.SCHEDULED)

    waits = []
    for _ in range(5):
        dispatcher.deliver_due()
        (notice,) = notices(db, "published")
        waits.append((notice.next_attempt - clock.now()).total_seconds())
        clock.set(notice.next_attempt)

    for attempt, wait in enumerate(waits):
        assert 5 * 2**attempt * 0.5 <= wait <= 5 * 2**attempt
    assert "internal_error" in notice.last_error


def test_a_notice_slack_keeps_refusing_fails_at_the_configured_age(
    db, services, world, cloud_manager, slack_client, standin, clock
):
    dispatcher = Dispatcher(services, slack_client, clock=clock, pace=0, max_age=timedelta(hours=1))
    standin.fail(method="chat.postMessage", status=502, times=None)
    announce(services, cloud_manager, State.SCHEDULED)

    for _ in range(12):
        dispatcher.deliver_due()
        clock.advance(timedelta(minutes=10))
    dispatcher.stop()

    (notice,) = notices(db, "published")
    assert notice.status == "failed"
    assert notice.last_error.startswith("gave up after")
    assert "HTTP 502" in notice.last_error
    assert len(posts(standin)) < 12


def test_a_permanent_error_is_recorded_with_its_reason_and_not_retried(
    db, services, world, cloud_manager, admin, dispatcher, standin, clock
):
    standin.fail(method="chat.postMessage", channel="CCLOUD0001", error="not_in_channel", times=None)
    announce(services, cloud_manager, State.SCHEDULED)

    dispatcher.deliver_due()
    clock.advance(timedelta(days=1))
    dispatcher.deliver_due()

    (failed,) = services.outbox.failed(admin)
    assert (failed.kind, failed.channel_id, failed.last_error) == ("published", "CCLOUD0001", "not_in_channel")
    assert len(posts(standin)) == 1
    assert services.outbox.counts(admin)["failed"] == 1


def test_an_admin_retries_a_failed_notice_once_the_cause_is_fixed(
    db, services, world, cloud_manager, admin, dispatcher, standin
):
    standin.fail(method="chat.postMessage", error="channel_not_found")
    announce(services, cloud_manager, State.SCHEDULED)
    dispatcher.deliver_due()
    (failed,) = services.outbox.failed(admin)

    retried = services.outbox.retry(admin, failed.id)

    assert retried.status == "pending"
    assert dispatcher.deliver_due() == 1
    assert services.outbox.failed(admin) == []
    assert len(standin.posts_in("CCLOUD0001")) == 1


def test_only_admins_see_and_retry_the_outbox(services, world, cloud_manager, dispatcher, standin):
    standin.fail(method="chat.postMessage", error="is_archived")
    announce(services, cloud_manager, State.SCHEDULED)
    dispatcher.deliver_due()

    with pytest.raises(NotAllowed):
        services.outbox.failed(cloud_manager)
    with pytest.raises(NotAllowed):
        services.outbox.retry(cloud_manager, 1)


def test_a_post_whose_answer_was_lost_is_not_posted_again(db, services, world, cloud_manager, standin, clock):
    impatient = WebClient(token="xoxb-test", base_url=standin.api_url, timeout=1.0, retry_handlers=[])
    dispatcher = Dispatcher(services, impatient, clock=clock, pace=0)
    standin.fail(method="chat.postMessage", delay=1.5)  # Slack posts it, but answers after the client gave up
    announce(services, cloud_manager, State.SCHEDULED)

    assert dispatcher.deliver_due() == 0
    standin.settled()  # the late answer is out (a real retry comes seconds later, not at once as on this clock)
    clock.advance(timedelta(minutes=1))
    assert dispatcher.deliver_due() == 1
    dispatcher.stop()

    assert len(standin.posts_in("CCLOUD0001")) == 1
    (notice,) = notices(db, "published")
    assert notice.ts == standin.posts_in("CCLOUD0001")[0].ts


def test_a_card_deleted_in_slack_is_posted_again_with_the_news(services, world, cloud_manager, dispatcher, standin):
    from bot.domain.enums import Action

    announcement = announce(services, cloud_manager, State.SCHEDULED)
    dispatcher.deliver_due()
    standin.messages.clear()  # someone deleted the card

    services.announcements.transition(cloud_manager, announcement.uuid, Action.START)
    dispatcher.deliver_due()

    (card,) = standin.posts_in("CCLOUD0001", threads=False)
    assert "In progress" in str(card.blocks)
    assert [m.text for m in standin.thread("CCLOUD0001", card.ts)] == ["<@UCLOUDMGR1> started the maintenance."]


def test_only_failed_notices_can_be_retried(services, world, cloud_manager, admin, dispatcher):
    from bot.domain.errors import Invalid, NotFound

    announce(services, cloud_manager, State.SCHEDULED)
    dispatcher.deliver_due()
    (sent,) = notices_of(services, "published")

    with pytest.raises(Invalid, match="only failed notices can be retried"):
        services.outbox.retry(admin, sent.id)
    with pytest.raises(NotFound):
        services.outbox.retry(admin, 999_999)


def notices_of(services, kind):
    return notices(services.context.db, kind)


def test_the_dispatcher_does_its_own_retrying_whatever_the_client_it_is_given(services, standin, clock):
    from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler

    retrying = WebClient(token="xoxb-test", base_url=standin.api_url,
                         retry_handlers=[RateLimitErrorRetryHandler(), ServerErrorRetryHandler()])

    dispatcher = Dispatcher(services, retrying, clock=clock)
    dispatcher.stop()

    assert dispatcher.client.retry_handlers == []
    assert len(retrying.retry_handlers) == 2  # the caller's client is left as it was
    assert (dispatcher.client.token, dispatcher.client.base_url) == (retrying.token, retrying.base_url)
