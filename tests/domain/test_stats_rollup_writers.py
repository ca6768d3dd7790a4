"""Writers keep the statistics without waiting for one another (storage/rollup.py). PostgreSQL only: SQLite has
one writer at a time by design, so there is no waiting there for the rollup to add."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import text, update

from bot.domain.enums import State
from storage.models import Announcement
from tests.factories import announce

pytestmark = pytest.mark.parametrize("db", ["postgresql"], indirect=True)


def test_an_edit_does_not_wait_for_another_announcements_open_change_in_the_same_group(
        services, world, cloud_manager, db, clock):
    held = announce(services, cloud_manager, name="Held open")
    edited = announce(services, cloud_manager, name="Edited meanwhile")  # same provider, state, type and days

    with db.engine.connect() as holder:  # another writer, its change to the same group not yet committed
        holder.execute(update(Announcement).where(Announcement.uuid == held.uuid)
                       .values(scheduled_end=held.scheduled_end + timedelta(minutes=5)))
        done = threading.Event()

        def edit() -> None:
            services.announcements.update(cloud_manager, edited.uuid,
                                          {"scheduled_end": edited.scheduled_end + timedelta(minutes=10)})
            done.set()

        editor = threading.Thread(target=edit)
        editor.start()
        finished_while_held = done.wait(20)
        holder.commit()
        editor.join(30)

    assert finished_while_held
    stats = services.statistics.compute(cloud_manager, start=clock.now().date(), end=clock.now().date() + timedelta(2))
    assert stats.by_state.get(State.DRAFT.label) == 2


def test_changes_moving_across_each_others_groups_at_once_never_wait_and_each_is_counted_once(
        services, world, cloud_manager, db, clock):
    early, late = (announce(services, cloud_manager, name=name) for name in ("Early", "Late"))
    now = clock.now()
    near, far = now + timedelta(days=2), now + timedelta(days=75)  # different days and months
    with db.engine.begin() as connection:
        connection.execute(update(Announcement).where(Announcement.uuid == late.uuid)
                           .values(scheduled_start=far, scheduled_end=far + timedelta(hours=1)))
    first, second = db.engine.connect(), db.engine.connect()
    try:
        # Each moves its announcement across the other's groups, both uncommitted at once. In place updates of
        # shared group rows made the second wait for the first here (and two such in threads deadlocked); a
        # lock wait now fails the test at once instead of hanging it.
        for connection in (first, second):
            connection.execute(text("SET lock_timeout = '5s'"))
        first.execute(update(Announcement).where(Announcement.uuid == early.uuid)
                      .values(scheduled_start=far, scheduled_end=far + timedelta(hours=1)))
        second.execute(update(Announcement).where(Announcement.uuid == late.uuid)
                       .values(scheduled_start=near, scheduled_end=near + timedelta(hours=1)))
        first.commit()
        second.commit()
    finally:
        first.close()
        second.close()

    stats = services.statistics.compute(cloud_manager, start=now.date(), end=(now + timedelta(days=90)).date())
    assert stats.summary["total"] == 2
    assert [day.date for day in stats.daily] == [near.date(), far.date()]
