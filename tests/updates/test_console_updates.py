"""`maintbot console` fed on stdin: a newcomer publishes, presses Post update on the card, types the news, and
sees it as a reply in the card's thread and on the card itself."""

from __future__ import annotations

import io

from bot.console import main as console

SESSION = """\
/maint provider add Cloud channel=<#CCLOUD0001|cloud> managers=<@UCONSOLE|me>
/maint offering add Cloud/VMs
/maint new
Kernel upgrade
Rolling reboot










1
3
Nodes 1–4 done, it's <!channel> fine
/quit
"""


def test_post_update_on_the_card_replies_in_its_thread_and_shows_on_the_card(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'console.db'}")
    monkeypatch.setenv("MAINTBOT_TIMEZONE", "UTC")
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()

    assert console.main([], stdin=io.StringIO(SESSION), out=out) == 0

    output = out.getvalue()
    assert "[1] Start  [2] Edit  [3] Post update" in output
    assert "┌─ Post update" in output and "What is the news?" in output
    thread = output.split("── replied in #CCLOUD0001, in the thread of")[1]
    assert "📣 *Update* from @UCONSOLE" in thread and "Nodes 1–4 done, it's <!channel> fine" in thread
    card = output.split("── updated in #CCLOUD0001 ──")[1]
    assert "📣 Latest update: Nodes 1–4 done, it's <!channel> fine" in card
