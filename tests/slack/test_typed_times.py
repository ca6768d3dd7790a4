"""Times typed in `/maint` commands are read in the typing person's Slack time zone, and the reply says which.

The stand-in's `users.info` gives each user the zone a test sets (`standin.user_timezones`); a zone or offset
typed with the time wins; when Slack does not answer, maintbot's default zone (MAINTBOT_TIMEZONE, UTC here)
is used and the reply says so. The console's date prompt names the zone it reads in.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from bot.console import main as console
from bot.domain.enums import State
from bot.slack.parsing import BadArguments, instant
from tests.factories import announce

MANAGER, GROUPIE, READER = "UCLOUDMGR1", "UGROUPIE01", "UREADER001"  # GROUPIE manages Cloud through its group


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def end_of(services, actor, view) -> datetime:
    return services.announcements.get(actor, view.uuid).scheduled_end


def test_the_same_words_typed_in_new_york_and_in_tokyo_are_different_moments(slack, standin, services, world,
                                                                             cloud_manager):
    standin.user_timezones[MANAGER] = "America/New_York"
    standin.user_timezones[GROUPIE] = "Asia/Tokyo"
    first = announce(services, cloud_manager, State.SCHEDULED, name="First")  # ends 2026-11-03 11:00 UTC
    second = announce(services, cloud_manager, State.SCHEDULED, name="Second")

    in_new_york = slack.command(f"extend {first.short_id} until 2026-11-03 22:00", user=MANAGER)
    in_tokyo = slack.command(f"extend {second.short_id} until 2026-11-03 22:00", user=GROUPIE)

    assert end_of(services, cloud_manager, first) == utc(2026, 11, 4, 3, 0)  # EST, UTC−5
    assert end_of(services, cloud_manager, second) == utc(2026, 11, 3, 13, 0)  # JST, UTC+9
    assert "Times read in your Slack time zone, America/New_York." in in_new_york.text
    assert "Times read in your Slack time zone, Asia/Tokyo." in in_tokyo.text


def test_list_filters_are_read_in_the_typers_zone_and_the_title_says_so(slack, standin, services, world,
                                                                      cloud_manager):
    standin.user_timezones[MANAGER] = "America/New_York"
    standin.user_timezones[GROUPIE] = "Asia/Tokyo"
    view = announce(services, cloud_manager, State.SCHEDULED, name="Dawn work",
                    scheduled_start=utc(2026, 11, 3, 5, 0), scheduled_end=utc(2026, 11, 3, 6, 0))

    new_york = slack.command("list start_after=2026-11-03T09:00", user=MANAGER)
    tokyo = slack.command("list start_after=2026-11-03T09:00", user=GROUPIE)

    assert view.short_id not in new_york.text  # 09:00 EST is 14:00 UTC, after it starts
    assert view.short_id in tokyo.text  # 09:00 JST is 00:00 UTC, before it starts
    assert "America/New_York" in new_york.text and "Asia/Tokyo" in tokyo.text


@pytest.mark.parametrize(("typed", "named"), [
    ("2026-11-03T22:00+02:00", "UTC+02:00, as typed"),
    ("2026-11-03 22:00 +02:00", "UTC+02:00, as typed"),
    ("2026-11-03 22:00 Europe/Tallinn", "Europe/Tallinn, as typed"),
    ("2026-11-03T22:00[Europe/Tallinn]", "Europe/Tallinn, as typed"),
])
def test_a_zone_or_offset_typed_with_the_time_wins(slack, standin, services, world, cloud_manager, typed, named):
    standin.user_timezones[MANAGER] = "Asia/Tokyo"
    view = announce(services, cloud_manager, State.SCHEDULED)

    reply = slack.command(f"extend {view.short_id} until {typed}", user=MANAGER)

    assert end_of(services, cloud_manager, view) == utc(2026, 11, 3, 20, 0)
    assert f"Times read in {named}." in reply.text and "Asia/Tokyo" not in reply.text


def test_when_slack_cannot_say_the_zone_the_default_is_used_and_the_reply_says_so(slack, standin, services, world,
                                                                                 cloud_manager):
    standin.user_timezones[MANAGER] = "Asia/Tokyo"
    standin.fail(method="users.info", error="user_not_found")
    view = announce(services, cloud_manager, State.SCHEDULED)

    reply = slack.command(f"extend {view.short_id} until 2026-11-03 22:00", user=MANAGER)

    assert end_of(services, cloud_manager, view) == utc(2026, 11, 3, 22, 0)  # MAINTBOT_TIMEZONE is UTC here
    assert "Times read in UTC, maintbot's default: Slack did not tell me your time zone." in reply.text


@pytest.mark.parametrize(("typed", "said"), [
    ("2026-11-03 22:00 Mars/Olympus", "`Mars/Olympus` is not a time zone"),
    ("2026-11-03T22:00+02:00 UTC", "names two time zones"),
    ("next tuesday", "is not a date or time like 2026-03-31"),
    ("2026-11-03 22:00 ../../etc/passwd", "is not a date or time"),
])
def test_an_unreadable_time_or_zone_is_refused_and_changes_nothing(slack, services, world, cloud_manager, typed,
                                                                   said):
    view = announce(services, cloud_manager, State.SCHEDULED)

    reply = slack.command(f"extend {view.short_id} until {typed}", user=MANAGER)

    assert said in reply.text and "Usage: `/maint extend" in reply.text
    assert end_of(services, cloud_manager, view) == view.scheduled_end


def test_instant_keeps_the_zone_it_read_in():
    from zoneinfo import ZoneInfo

    tokyo = ZoneInfo("Asia/Tokyo")
    assert instant("2026-12-03 02:00", tokyo).utcoffset().total_seconds() == 9 * 3600
    assert instant("2026-12-03T02:00Z", tokyo).astimezone(UTC) == utc(2026, 12, 3, 2, 0)
    assert instant("2026-12-03 02:00 utc", tokyo).astimezone(UTC) == utc(2026, 12, 3, 2, 0)
    with pytest.raises(BadArguments):
        instant("2026-12-03 02:00 +99:00", tokyo)


def test_the_consoles_date_prompt_names_its_zone(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'console.db'}")
    monkeypatch.setenv("MAINTBOT_TIMEZONE", "Europe/Tallinn")
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    session = ("/maint provider add Cloud channel=<#CCLOUD0001|cloud> managers=<@UCONSOLE|me>\n"
               "/maint new\nKernel upgrade\nRolling reboot\nRunbook\n\n/cancel\n"
               "/maint list start_after=2030-01-01T00:00\n/as UOTHER0001\n/maint list start_after=2030-01-01T00:00\n"
               "/quit\n")

    assert console.main([], stdin=io.StringIO(session), out=out) == 0

    assert "YYYY-MM-DD HH:MM in Europe/Tallinn" in out.getvalue()
    assert out.getvalue().count("Times read in your Slack time zone, Europe/Tallinn.") == 2
