"""The audit trail says where an action came from: typed in `maintbot console`, it is the console's, not Slack's."""

from __future__ import annotations

import io

from sqlalchemy import create_engine, text

from bot.console import main as console

SESSION = """\
/maint provider add Cloud channel=<#CCLOUD0001|cloud> managers=<@UCLOUDMGR1|ann>
/maint offering add Cloud/VMs
/quit
"""


def test_changes_made_in_the_console_are_audited_as_the_consoles(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'console.db'}")
    monkeypatch.setenv("MAINTBOT_TIMEZONE", "UTC")
    monkeypatch.chdir(tmp_path)
    assert console.main([], stdin=io.StringIO(SESSION), out=io.StringIO()) == 0

    engine = create_engine(f"sqlite:///{tmp_path / 'console.db'}")
    with engine.connect() as connection:
        events = connection.execute(text("SELECT actor, interface, action FROM events ORDER BY id")).all()
    engine.dispose()

    assert [tuple(event) for event in events] == [
        ("UCONSOLE", "console", "created"),  # the provider
        ("UCONSOLE", "console", "created"),  # its offering
    ]
