"""`maintbot console --socket-mode`: the default deployment mode, tried without a workspace.

The same scripted session as tests/slack/test_console.py, with every request an envelope over the stand-in's
Socket Mode websocket, acked by the handler `maintbot run` connects with.
"""

from __future__ import annotations

from bot.console import main as console
from tests.slack.test_console import SESSION, run, steps


def test_a_scripted_session_over_socket_mode_creates_schedules_starts_and_completes(monkeypatch, tmp_path):
    output = run(monkeypatch, tmp_path, SESSION.format(missing="abcdef"), "--socket-mode")
    created, scheduled, started, completed = [s for s in steps(output) if "━━ 🔧 Kernel upgrade ━━" in s][:4]

    assert "(over Socket Mode: maintbot is connected to ws://127.0.0.1:" in output
    assert "📝 *Draft*" in created and "│ ⚠ end: Scheduled end must not be before scheduled start." in created
    assert "🗓️ *Scheduled*" in scheduled and "── posted in #CCLOUD0001 ──" in scheduled
    assert "🛠️ *In progress*" in started and "@UCONSOLE started the maintenance." in started
    assert "[1] Start now anyway  [2] Not yet" in output  # a start years early asks first, over the socket too
    assert "✅ *Completed*" in completed and "@UCONSOLE completed the maintenance." in completed
    assert "No announcement matches 'abcdef'" in output


def test_the_console_says_which_way_it_reaches_the_app(monkeypatch, tmp_path):
    over_http = run(monkeypatch, tmp_path, "/quit\n")

    assert "Socket Mode" not in over_http
    assert "--socket-mode" in console.build_parser().format_help()
