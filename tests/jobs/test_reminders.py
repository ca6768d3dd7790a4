"""Reminders go out once at each lead time before the start, to everyone who hears about the announcement."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.enums import Action, State
from tests.factories import announce
from tests.jobs.helpers import notices

LEADS = (timedelta(hours=72), timedelta(hours=24), timedelta(hours=1))


def reminders(standin, channel: str) -> list[str]:
    return [m.text for m in standin.posts_in(channel) if m.text.startswith("⏰ Reminder")]


def deliver_at(clock, dispatcher, moment) -> int:
    clock.set(moment)
    return dispatcher.deliver_due()


def test_each_reminder_goes_out_once_at_its_lead_time(services, world, cloud_manager, dispatcher, standin, clock):
    start = clock.now() + timedelta(days=4)
    announce(services, cloud_manager, State.SCHEDULED, scheduled_start=start, scheduled_end=start + timedelta(hours=2))
    dispatcher.deliver_due()

    for number, lead in enumerate(LEADS, start=1):
        deliver_at(clock, dispatcher, start - lead - timedelta(seconds=1))
        assert len(reminders(standin, "CCLOUD0001")) == number - 1
        deliver_at(clock, dispatcher, start - lead)
        deliver_at(clock, dispatcher, start - lead + timedelta(minutes=5))
        assert len(reminders(standin, "CCLOUD0001")) == number

    assert [text.rsplit(", in ", 1)[1] for text in reminders(standin, "CCLOUD0001")] == ["3 d.", "1 d.", "1 h."]


def test_reminders_reach_the_subscribed_channels_as_replies_under_their_card(
    services, world, cloud_manager, anyone, dispatcher, standin, clock
):
    services.subscriptions.subscribe(anyone, "CTEAMVMS01", "VMs")
    start = clock.now() + timedelta(hours=10)
    announce(services, cloud_manager, State.SCHEDULED, affected=[{"offering": "VMs"}], scheduled_start=start,
             scheduled_end=start + timedelta(hours=1))
    dispatcher.deliver_due()

    deliver_at(clock, dispatcher, start - timedelta(hours=1))

    for channel in ("CCLOUD0001", "CTEAMVMS01"):
        (card,) = standin.posts_in(channel, threads=False)
        (reminder,) = standin.thread(channel, card.ts)
        assert reminder.text.startswith("⏰ Reminder: *Kernel upgrade* starts <!date^")
    reply = next(c for c in standin.calls_to("chat.postMessage") if c.args.get("thread_ts"))
    assert reply.args["reply_broadcast"] is True


def test_no_reminder_for_a_lead_time_already_passed_at_publication(
    services, world, cloud_manager, dispatcher, standin, clock
):
    start = clock.now() + timedelta(hours=30)
    announce(services, cloud_manager, State.SCHEDULED, scheduled_start=start, scheduled_end=start + timedelta(hours=1))

    while clock.now() < start:
        deliver_at(clock, dispatcher, clock.now() + timedelta(minutes=30))

    assert [text.rsplit(", in ", 1)[1] for text in reminders(standin, "CCLOUD0001")] == ["1 d.", "1 h."]


def test_rescheduling_re_arms_the_reminders_for_the_new_start(
    services, world, cloud_manager, dispatcher, standin, clock
):
    start = clock.now() + timedelta(days=4)
    announcement = announce(services, cloud_manager, State.SCHEDULED, scheduled_start=start,
                            scheduled_end=start + timedelta(hours=2))
    deliver_at(clock, dispatcher, start - timedelta(hours=72))
    assert len(reminders(standin, "CCLOUD0001")) == 1

    moved = start + timedelta(days=3)
    services.announcements.update(cloud_manager, announcement.uuid,
                                  {"scheduled_start": moved, "scheduled_end": moved + timedelta(hours=2)})
    for moment in (start - timedelta(hours=24), start - timedelta(hours=1)):  # the old lead times pass
        deliver_at(clock, dispatcher, moment)
    assert len(reminders(standin, "CCLOUD0001")) == 1
    for lead in LEADS:
        deliver_at(clock, dispatcher, moved - lead)

    assert len(reminders(standin, "CCLOUD0001")) == 4
    assert str(int(moved.timestamp())) in reminders(standin, "CCLOUD0001")[-1]
    assert any("rescheduled the maintenance" in m.text for m in standin.posts_in("CCLOUD0001"))


@pytest.mark.parametrize("action", [Action.UNSCHEDULE, Action.CANCEL])
def test_withdrawn_and_cancelled_announcements_get_no_more_reminders(
    db, services, world, cloud_manager, dispatcher, standin, clock, action
):
    start = clock.now() + timedelta(days=4)
    announcement = announce(services, cloud_manager, State.SCHEDULED, scheduled_start=start,
                            scheduled_end=start + timedelta(hours=2))
    deliver_at(clock, dispatcher, start - timedelta(hours=72))

    services.announcements.transition(cloud_manager, announcement.uuid, action)
    for lead in LEADS[1:]:
        deliver_at(clock, dispatcher, start - lead)

    assert len(reminders(standin, "CCLOUD0001")) == 1
    assert sorted(n.status for n in notices(db, "reminder")) == ["dropped", "dropped", "sent"]


def test_publishing_again_after_a_withdrawal_re_arms_the_reminders_still_ahead(
    services, world, cloud_manager, dispatcher, standin, clock
):
    start = clock.now() + timedelta(days=4)
    announcement = announce(services, cloud_manager, State.SCHEDULED, scheduled_start=start,
                            scheduled_end=start + timedelta(hours=2))
    services.announcements.transition(cloud_manager, announcement.uuid, Action.UNSCHEDULE)
    clock.set(start - timedelta(hours=48))
    services.announcements.transition(cloud_manager, announcement.uuid, Action.SCHEDULE)

    for lead in LEADS:
        deliver_at(clock, dispatcher, start - lead)

    assert [text.rsplit(", in ", 1)[1] for text in reminders(standin, "CCLOUD0001")] == ["1 d.", "1 h."]


def test_a_started_announcement_gets_no_more_reminders(db, services, world, cloud_manager, dispatcher, standin, clock):
    start = clock.now() + timedelta(days=4)
    announcement = announce(services, cloud_manager, State.SCHEDULED, scheduled_start=start,
                            scheduled_end=start + timedelta(hours=2))
    services.announcements.transition(cloud_manager, announcement.uuid, Action.START)

    for lead in LEADS:
        deliver_at(clock, dispatcher, start - lead)

    assert reminders(standin, "CCLOUD0001") == []


def test_a_provider_may_have_its_own_lead_times(services, world, admin, cloud_manager, dispatcher, standin, clock):
    services.catalog.update_provider(admin, "Cloud", reminders="2h")
    start = clock.now() + timedelta(days=4)
    announce(services, cloud_manager, State.SCHEDULED, scheduled_start=start, scheduled_end=start + timedelta(hours=2))

    for moment in (start - timedelta(hours=72), start - timedelta(hours=24), start - timedelta(hours=2), start):
        deliver_at(clock, dispatcher, moment)

    assert [text.rsplit(", in ", 1)[1] for text in reminders(standin, "CCLOUD0001")] == ["2 h."]


def test_the_configured_lead_times_apply_to_every_provider_without_its_own(db, clock, slack_client, standin, admin):
    from bot.domain.service import build_services
    from bot.slack.delivery import Dispatcher

    services = build_services(db, clock, admins={admin.id}, reminder_leads=(timedelta(minutes=30),))
    services.catalog.add_provider(admin, "Cloud", "CCLOUD0001", manager_users=("UCLOUDMGR1",))
    start = clock.now() + timedelta(days=2)
    announce(services, admin, State.SCHEDULED, scheduled_start=start, scheduled_end=start + timedelta(hours=1))
    dispatcher = Dispatcher(services, slack_client, clock=clock, pace=0)

    for lead in (*LEADS, timedelta(minutes=30)):
        deliver_at(clock, dispatcher, start - lead)
    dispatcher.stop()

    assert [text.rsplit(", in ", 1)[1] for text in reminders(standin, "CCLOUD0001")] == ["30 min."]
