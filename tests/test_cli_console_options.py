"""`maintbot console --socket-mode` as the README shows it: the console's own options reach the console."""

from __future__ import annotations

import os
import subprocess
import sys


def maintbot(*args: str, database: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=120)


def test_the_console_takes_its_own_options_without_a_separator(tmp_path):
    database = f"sqlite:///{tmp_path / 'maintbot.db'}"
    assert maintbot("db", "upgrade", database=database).returncode == 0

    answered = maintbot("console", "--socket-mode", "--user", "UNEWCOMER", database=database, stdin="/maint help\n")
    refused = maintbot("console", "--no-such-option", database=database)

    assert answered.returncode == 0, answered.stderr
    assert "you are UNEWCOMER" in answered.stdout and "over Socket Mode" in answered.stdout
    assert refused.returncode == 2 and "unrecognized arguments: --no-such-option" in refused.stderr
