"""`maintbot console`: a session fed on stdin drives the real app through the stand-in."""

from __future__ import annotations

import io
import re

from bot.console import main as console

SESSION = """\
/maint provider add Cloud channel=<#CCLOUD0001|cloud> managers=<@UCLOUDMGR1|ann>
/maint offering add Cloud/VMs
/maint new
Kernel upgrade
Rolling reboot of <!channel> hosts & more
Runbook: wiki/kernel

2030-01-01 22:00
2030-01-01 21:00
1
VMs
3
Brief pauses
not a url
https://tracker.example/CHG-1
tomorrow
2030-01-01 23:30
1
1
1
1
/maint list
/maint show {missing}
/quit
"""


def run(monkeypatch, tmp_path, text: str, *argv: str) -> str:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'console.db'}")
    monkeypatch.setenv("MAINTBOT_TIMEZONE", "UTC")
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    assert console.main(list(argv), stdin=io.StringIO(text), out=out) == 0
    return out.getvalue()


def steps(output: str) -> list[str]:
    return re.split(r"(?m)^UCONSOLE in #\w+> ", output)


def test_a_scripted_session_creates_schedules_starts_and_completes_showing_the_card(monkeypatch, tmp_path):
    output = run(monkeypatch, tmp_path, SESSION.format(missing="abcdef"))
    created, scheduled, started, completed = [s for s in steps(output) if "━━ 🔧 Kernel upgrade ━━" in s][:4]

    assert "📝 *Draft*" in created and "[1] Schedule  [2] Edit" in created
    assert "│ ⚠ end: Scheduled end must not be before scheduled start." in created
    assert "│ ⚠ url: Enter a valid URL." in created
    assert "│ ⚠ write it like 2030-01-31 22:00" in created
    assert "Rolling reboot of <!channel> hosts & more" in created  # user text stays literal
    assert "🗓️ *Scheduled*" in scheduled and "── posted in #CCLOUD0001 ──" in scheduled
    assert "Runbook" not in scheduled.split("── posted in #CCLOUD0001 ──")[1]  # no notes in the channel
    assert "🛠️ *In progress*" in started and "── updated in #CCLOUD0001 ──" in started
    assert "@UCONSOLE started the maintenance." in started
    assert "more than an hour from now" in output and "[1] Start now anyway  [2] Not yet" in output  # 2030: asked
    assert "✅ *Completed*" in completed and "@UCONSOLE completed the maintenance." in completed
    assert "Showing 1–1 of 1" in output
    assert "No announcement matches 'abcdef'" in output


def test_the_console_acts_as_another_user_and_shows_refusals(monkeypatch, tmp_path):
    output = run(monkeypatch, tmp_path, "/maint provider add Cloud channel=<#CCLOUD0001|c>\n"
                 "/as UREADER001\n/maint provider add Rogue channel=<#CROGUE0001|r>\n/maint new\n/home\n")

    assert "you are now UREADER001" in output
    assert "Only maintbot admins can set up service providers." in output
    assert "You do not manage any service provider" in output
    assert "── your App Home ──" in output and "[1] New announcement" in output


def test_the_console_refuses_a_shared_postgresql_database_unless_told(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("DATABASE_URL", "postgresql://maintbot@db.example.org/maintbot")

    assert console.main([], stdin=io.StringIO(""), out=io.StringIO()) == 2
    assert "--shared-database" in capsys.readouterr().err
