"""`agenda.next_moment`: where a clock moved by hand (the console's `/clock`) must stop — the next reminder, the
next start, the first moment past an end — on both backends."""

from __future__ import annotations

from datetime import timedelta

from bot.domain import agenda
from bot.domain.enums import Action, State
from tests.factories import announce


def test_nothing_ahead_is_none(services, world, clock):
    assert agenda.next_moment(services.context, clock.now()) is None


def test_a_published_announcement_stops_the_clock_at_each_reminder_then_at_its_start(services, world, cloud_manager,
                                                                                      clock):
    published = announce(services, cloud_manager, State.SCHEDULED)  # starts in a day: the 1 h reminder is ahead
    start = published.scheduled_start

    first = agenda.next_moment(services.context, clock.now())
    after_reminder = agenda.next_moment(services.context, start - timedelta(hours=1))

    assert first == start - timedelta(hours=1)
    assert after_reminder == start


def test_an_announcement_in_progress_stops_the_clock_just_past_its_end(services, world, cloud_manager, clock):
    started = announce(services, cloud_manager, State.SCHEDULED)
    clock.set(started.scheduled_start)
    services.announcements.transition(cloud_manager, started.uuid, Action.START)

    moment = agenda.next_moment(services.context, started.scheduled_start)

    assert moment == started.scheduled_end + agenda.PAST
    assert agenda.next_moment(services.context, moment) is None
