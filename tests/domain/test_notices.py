"""Notices are queued with the change that causes them, once per channel, and only for published news."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.domain.enums import Action, State
from storage.models import Notice
from tests.factories import announce


def queued(db, announcement_uuid=None):
    """State-change notices queued so far (reminders, armed at publication, are tests/jobs' subject)."""
    with db.read() as session:
        query = select(Notice).where(Notice.kind != "reminder").order_by(Notice.id)
        if announcement_uuid is not None:
            query = query.where(Notice.announcement_uuid == announcement_uuid)
        return [(n.kind, n.channel_id) for n in session.scalars(query)]


def test_publishing_tells_the_provider_channel_and_every_subscribed_channel_once(
    db, services, world, cloud_manager, anyone
):
    services.subscriptions.subscribe(anyone, "CTEAMVMS01", "VMs")
    services.subscriptions.subscribe(anyone, "CALLCLOUD1", "Cloud")
    services.subscriptions.subscribe(anyone, "CBACKUPS01", "Backup")
    draft = announce(services, cloud_manager, affected=[{"offering": "VMs"}])

    services.announcements.transition(cloud_manager, draft.uuid, Action.SCHEDULE)

    assert queued(db) == [("published", "CCLOUD0001"), ("published", "CTEAMVMS01"), ("published", "CALLCLOUD1")]


def test_drafts_and_cancelled_drafts_tell_no_channel(db, services, world, cloud_manager):
    draft = announce(services, cloud_manager)
    services.announcements.update(cloud_manager, draft.uuid, {"name": "Renamed"})
    services.announcements.transition(cloud_manager, draft.uuid, Action.CANCEL)

    assert queued(db) == []


def test_each_step_of_the_lifecycle_is_news(db, services, world, cloud_manager):
    announcement = announce(services, cloud_manager, State.COMPLETED)

    assert [kind for kind, _ in queued(db, announcement.uuid)] == ["published", "started", "completed"]


def test_publishing_again_after_withdrawing_is_news_again(db, services, world, cloud_manager):
    announcement = announce(services, cloud_manager, State.SCHEDULED)
    services.announcements.transition(cloud_manager, announcement.uuid, Action.UNSCHEDULE)
    services.announcements.transition(cloud_manager, announcement.uuid, Action.SCHEDULE)

    assert [kind for kind, _ in queued(db)] == ["published", "withdrawn", "published"]


def test_moving_a_published_announcement_sends_rescheduled_with_old_and_new_times(db, services, world, cloud_manager):
    announcement = announce(services, cloud_manager, State.SCHEDULED)
    later = announcement.scheduled_start + timedelta(days=2)

    services.announcements.update(cloud_manager, announcement.uuid, {"scheduled_start": later,
                                                                     "scheduled_end": later + timedelta(hours=1)})

    with db.read() as session:
        notice = session.scalars(select(Notice).where(Notice.kind == "rescheduled")).one()
    assert notice.payload["scheduled_start"] == [announcement.scheduled_start.isoformat(), later.isoformat()]
    assert notice.payload["actor"] == cloud_manager.id


def test_pushing_back_the_end_of_running_maintenance_is_an_extension(db, services, world, cloud_manager):
    announcement = announce(services, cloud_manager, State.IN_PROGRESS)

    services.announcements.update(cloud_manager, announcement.uuid,
                                  {"scheduled_end": announcement.scheduled_end + timedelta(minutes=30)})

    assert queued(db)[-1] == ("extended", "CCLOUD0001")


def test_deleting_a_published_announcement_tells_its_channels(db, services, world, cloud_manager):
    announcement = announce(services, cloud_manager, State.SCHEDULED)

    services.announcements.delete(cloud_manager, announcement.uuid)

    assert queued(db)[-1] == ("deleted", "CCLOUD0001")


def test_the_dispatcher_is_woken_after_a_commit_that_queued_news_and_only_then(services, world, cloud_manager):
    wakes = []
    services.context.when_notices_queued(lambda: wakes.append(1))
    draft = announce(services, cloud_manager)
    assert wakes == []

    services.announcements.transition(cloud_manager, draft.uuid, Action.SCHEDULE)

    assert wakes == [1]


def test_extending_overrunning_maintenance_counts_from_now_and_is_announced(db, services, world, cloud_manager, clock):
    announcement = announce(services, cloud_manager, State.IN_PROGRESS)
    clock.set(announcement.scheduled_end + timedelta(minutes=10))

    extended = services.announcements.extend(
        cloud_manager, announcement.uuid, announcement.scheduled_end, timedelta(minutes=30)
    )

    assert extended.scheduled_end == clock.now() + timedelta(minutes=30)
    assert queued(db)[-1] == ("extended", "CCLOUD0001")


def test_extending_before_the_end_adds_to_the_scheduled_end(services, world, cloud_manager):
    announcement = announce(services, cloud_manager, State.IN_PROGRESS)
    end = announcement.scheduled_end

    extended = services.announcements.extend(cloud_manager, announcement.uuid, end, timedelta(hours=1))

    assert extended.scheduled_end == announcement.scheduled_end + timedelta(hours=1)
