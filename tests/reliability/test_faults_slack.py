"""Slack's Web API failing for ten minutes (simulated), then back: every queued notice goes out once, in order.

The dispatcher runs on the test clock against the SlackStandIn. For ten minutes every call fails, in turn:
HTTP 500, 502 and 503, answers lost after Slack had done the work (the connection dropped), connections
dropped where it had not, and history reads failing while post answers are lost. Operators keep working
meanwhile, so notices are queued during the outage too. Then Slack comes back and the dispatcher catches up.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.enums import Action, State
from tests.factories import announce
from tests.reliability.faults_support import (
    SlackOutage,
    delivered,
    notices,
    out_of_order,
    stale_cards,
)

OUTAGE = timedelta(minutes=10)
STEP = timedelta(seconds=20)
SUBSCRIBERS = ("CSUB000001", "CSUB000002", "CSUB000003")


@pytest.fixture
def busy_world(services, world, cloud_manager, storage_manager, anyone):
    """Four published announcements with their cards in Slack, channels subscribed to both providers."""
    for channel in SUBSCRIBERS:
        services.subscriptions.subscribe(anyone, channel, "Cloud")
    services.subscriptions.subscribe(anyone, SUBSCRIBERS[0], "Storage")
    # Its 1 h reminder comes due in the outage's 13th step, when posts reach Slack but their answers are lost.
    soon = services.context.clock.now() + timedelta(hours=1) + 13 * STEP
    return {
        "kernel": announce(services, cloud_manager, State.SCHEDULED, name="Kernel upgrade"),
        "network": announce(services, cloud_manager, State.SCHEDULED, name="Network change"),
        "certificates": announce(services, cloud_manager, State.SCHEDULED, name="Certificate rotation",
                                 scheduled_start=soon, scheduled_end=soon + timedelta(hours=1)),
        "firmware": announce(services, storage_manager, State.SCHEDULED, name="Storage firmware", provider="Storage"),
    }


def operators_at_work(services, busy_world, cloud_manager, storage_manager):
    """What the operators do during the outage, by step: every kind of change, on every announcement."""
    announcements = services.announcements
    kernel, network, firmware = (busy_world[name].uuid for name in ("kernel", "network", "firmware"))
    later = services.context.clock.now() + timedelta(days=2)
    drafted = {}

    def publish_new():
        drafted["db"] = announce(services, cloud_manager, State.SCHEDULED, name="Database failover").uuid

    return {
        1: lambda: announcements.transition(cloud_manager, kernel, Action.START),
        4: lambda: announcements.update(cloud_manager, network, {"scheduled_start": later,
                                                                 "scheduled_end": later + timedelta(hours=1)}),
        7: publish_new,  # new cards reach Slack but the answers are lost; the next step cannot read history
        10: lambda: announcements.transition(storage_manager, firmware, Action.CANCEL),
        13: lambda: announcements.transition(cloud_manager, kernel, Action.COMPLETE),
        16: lambda: announcements.update(cloud_manager, drafted["db"], {"message": "Now with a rollback plan."}),
        19: lambda: announcements.transition(cloud_manager, network, Action.UNSCHEDULE),
        22: lambda: announcements.transition(cloud_manager, drafted["db"], Action.START),
        25: lambda: announcements.transition(cloud_manager, network, Action.SCHEDULE),
        28: lambda: announcements.update(cloud_manager, drafted["db"], {
            "scheduled_end": services.context.clock.now() + timedelta(days=1, hours=4)}),
    }


def catch_up(dispatcher, db, clock, within: timedelta = timedelta(minutes=30)) -> timedelta:
    """Deliver minute by minute until nothing due is left; returns how long that took (simulated)."""
    started = clock.now()
    while clock.now() - started < within:
        dispatcher.deliver_due()
        if not [n for n in notices(db) if n.status == "pending" and n.next_attempt <= clock.now()]:
            return clock.now() - started
        clock.advance(timedelta(minutes=1))
    return clock.now() - started


def test_ten_minutes_of_failing_slack_lose_duplicate_and_reorder_nothing(
    db, services, busy_world, cloud_manager, storage_manager, standin, dispatcher, clock, capsys
):
    dispatcher.deliver_due()  # the three cards are in Slack before it starts failing
    before = delivered(db, standin, clock.now())
    assert before.ok and before.sent == 4 + 3 * 3 + 1  # cards in the providers' and the subscribed channels
    work = operators_at_work(services, busy_world, cloud_manager, storage_manager)
    outage, calls_before, began = SlackOutage(standin), len(standin.calls), clock.now()

    for step in range(OUTAGE // STEP):
        outage.step(step)
        if step in work:
            work[step]()
        dispatcher.deliver_due()
        outage.settle()
        clock.advance(STEP)
    failed_calls = len(standin.calls) - calls_before
    outage.end()
    caught_up_in = catch_up(dispatcher, db, clock)

    result = delivered(db, standin, clock.now())
    assert failed_calls >= 30, f"the outage was too mild: {failed_calls} failed calls"
    assert set(outage.steps) == {"HTTP 500 internal_error", "HTTP 502", "HTTP 503 service_unavailable",
                                 "answers lost; Slack did the work", "connections dropped; Slack did nothing",
                                 "history reads 503; post answers lost after Slack did the work"}
    assert result.lost == [], f"not delivered: {result.lost} ({result.statuses})"
    assert result.duplicated == {}, "posted more than once"
    assert result.notices > 30 and result.statuses["failed"] == 0
    assert {n.kind for n in notices(db) if n.status == "sent"} >= {
        "published", "started", "rescheduled", "cancelled", "completed", "updated", "withdrawn", "extended",
        "reminder"}
    assert out_of_order(db, standin) == []
    assert stale_cards(services, standin) == []
    assert caught_up_in <= timedelta(minutes=12)  # the longest backoff is 10 minutes
    with capsys.disabled():
        queued = sum(1 for n in notices(db) if n.created > began)
        print(f"\nslack faults ({db.dialect}): {OUTAGE} simulated, every call failing in {len(outage.steps)} ways, "
              f"{failed_calls} failed calls; {result.notices} notices ({queued} queued during the outage): "
              f"lost {len(result.lost)}, duplicated {len(result.duplicated)}, out of order 0; "
              f"caught up {caught_up_in} after Slack came back")


def test_a_reply_whose_answer_was_lost_is_not_posted_again_while_slack_cannot_show_the_thread(
    db, services, busy_world, cloud_manager, standin, dispatcher, clock
):
    dispatcher.deliver_due()
    services.announcements.transition(cloud_manager, busy_world["kernel"].uuid, Action.START)
    standin.fail(method="chat.postMessage", drop=True, times=None)  # the replies arrive; the answers do not
    assert dispatcher.deliver_due() == 0
    standin.settled()  # (the handlers that dropped the answers are done)
    standin.clear_faults()

    standin.fail(method="conversations.replies", status=503, error="service_unavailable", times=None)
    clock.advance(timedelta(minutes=1))
    assert dispatcher.deliver_due() == 0  # it cannot check whether they arrived, so it waits
    standin.clear_faults()
    clock.advance(timedelta(minutes=1))
    assert dispatcher.deliver_due() == 4

    assert delivered(db, standin, clock.now()).duplicated == {}
    card = standin.posts_in("CCLOUD0001", threads=False)[0]
    assert [m.text for m in standin.thread("CCLOUD0001", card.ts)] == ["<@UCLOUDMGR1> started the maintenance."]
