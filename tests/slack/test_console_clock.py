"""`maintbot console` runs the scheduler against its own clock: `/clock +…` moves it forward, and a newcomer sees
the reminder, the due nudge, the overrun alert and the weekly summary happen, each under the time it happened.
Notices waiting in the outbox when the console starts are shown, not only counted. Sessions are fed on stdin."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

from bot.console import main as console
from bot.domain.actors import Actor
from bot.domain.enums import Interface, State
from bot.domain.service import build_services
from storage.db import Database
from tests.factories import announce

SETUP = """\
/maint provider add Cloud channel=<#CCLOUD0001|cloud> stats=<#CSTATS0001|stats> managers=<@UCLOUDMGR1|ann>
/maint offering add Cloud/VMs
"""
NEW = """\
/maint new
Kernel upgrade
Rolling reboot of the hypervisors


{start}
{end}
1
VMs



1
"""


def run(monkeypatch, tmp_path, text: str) -> str:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'console.db'}")
    monkeypatch.setenv("MAINTBOT_TIMEZONE", "UTC")
    monkeypatch.setenv("MAINTBOT_SUMMARY_CHART", "false")
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    assert console.main([], stdin=io.StringIO(text), out=out) == 0
    return out.getvalue()


def steps(output: str) -> dict[str, str]:
    """What each typed line showed, by the line typed (the last of equal lines wins)."""
    parts = re.split(r"(?m)^UCONSOLE in #\w+> (.*)$", output)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def window() -> tuple[datetime, datetime]:
    """A start between two and three hours ahead, on the hour, and an end an hour later."""
    start = (datetime.now(UTC) + timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    return start, start + timedelta(hours=1)


def typed(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def stamp(moment: datetime) -> str:
    return "🕑 " + moment.strftime("%a %d %b %Y %H:%M UTC")


def test_moving_the_clock_shows_the_reminder_the_nudge_the_overrun_alert_and_the_summary(monkeypatch, tmp_path):
    start, end = window()
    session = SETUP + NEW.format(start=typed(start), end=typed(end)) + (
        "/clock +2h\n"  # past start − 1 h: the reminder
        "/clock +1h\n"  # past the start: the managers are nudged, with a Start button
        "1\n"  # press it
        "/clock +1h30m\n"  # past the end: the overrun alert, with Complete and Extend
        "/clock +7d\n"  # past Monday 09:00: the weekly summary in the stats channel
        "/quit\n"
    )

    shown = steps(run(monkeypatch, tmp_path, session))

    reminder = shown["/clock +2h"]
    assert stamp(start - timedelta(hours=1)) in reminder
    assert "⏰ Reminder: *Kernel upgrade* starts" in reminder and "in 1 h" in reminder
    assert "replied in #CCLOUD0001, in the thread of" in reminder
    nudge = shown["/clock +1h"]
    assert stamp(start) in nudge
    assert "*Kernel upgrade* was due to start" in nudge and "still Scheduled" in nudge
    assert "[1] Start" in nudge
    assert "@UCONSOLE started the maintenance." in shown["1"]
    overrun = shown["/clock +1h30m"]
    assert stamp(end + timedelta(seconds=1)) in overrun
    assert "Kernel upgrade" in overrun and "Complete" in overrun and "Extend 30 min" in overrun
    summary = shown["/clock +7d"]
    assert "── posted in #CSTATS0001 ──" in summary and "📊 Maintenance, week of" in summary
    assert re.search(r"🕑 Mon \d\d \w{3} \d{4} 09:00 UTC", summary)
    assert "🕑 It is now" in summary and "ahead of the real time" in summary


def test_the_clock_moves_only_forward_and_says_how_to_move_it(monkeypatch, tmp_path):
    output = run(monkeypatch, tmp_path, "/clock\n/clock -1h\n/clock soon\n/clock +61d\n/clock +30m\n/quit\n")
    shown = steps(output)

    assert re.match(r"\s*🕑 It is \w{3} \d\d \w{3} \d{4} \d\d:\d\d UTC\.\n", shown["/clock"])
    assert "write how far to move the clock, like `/clock +2h`" in shown["/clock -1h"]
    assert "write how far to move the clock" in shown["/clock soon"]
    assert "at most 60 days at once" in shown["/clock +61d"]
    assert "(30 min ahead of the real time)" in shown["/clock +30m"]


def test_maint_help_in_the_console_explains_the_clock(monkeypatch, tmp_path):
    shown = steps(run(monkeypatch, tmp_path, "/maint help\nhelp\n/quit\n"))

    assert "── in this console only ──" in shown["/maint help"] and "/clock +2h" in shown["/maint help"]
    assert "/clock +2h   move the clock forward" in shown["help"]


def test_a_published_draft_with_no_reminder_ahead_moves_without_a_word(monkeypatch, tmp_path):
    """Nothing is due on the way: the clock moves and says where it is, and no stray notice appears."""
    shown = steps(run(monkeypatch, tmp_path, SETUP + "/clock +3h\n/quit\n"))

    assert "🕑 It is now" in shown["/clock +3h"]
    assert "──" not in shown["/clock +3h"]


def test_notices_waiting_at_start_up_are_shown_not_only_counted(monkeypatch, tmp_path):
    run(monkeypatch, tmp_path, SETUP + "/quit\n")
    database = Database(f"sqlite:///{tmp_path / 'console.db'}")
    try:
        announce(build_services(database), Actor.system(Interface.CLI), State.SCHEDULED, name="Storage swap")
    finally:
        database.dispose()

    output = run(monkeypatch, tmp_path, "/quit\n")
    before_any_prompt = output.split("UCONSOLE in #")[1]

    assert "(delivered 1 notice(s) that were waiting in the outbox:)" in before_any_prompt
    assert "── posted in #CCLOUD0001 ──" in before_any_prompt
    assert "━━ 🔧 Storage swap ━━" in before_any_prompt and "🗓️ *Scheduled*" in before_any_prompt
