"""Reliability and security figures: forged requests, fuzzed input, escaping, leaks and secrets (issue 6).

Runs the security half of tests/reliability with pytest and prints what it tried and found: requests
forged and accepted, replays, inputs fuzzed, texts checked for pings, items scanned for leaks and leaks
found, log lines scanned for secrets. Uses PostgreSQL too when MAINTBOT_TEST_POSTGRES_URL is set.

    .venv/bin/python bench/reliability_security.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILES = ["test_forged_requests.py", "test_fuzzed_input.py", "test_payload_shapes.py", "test_bounded_input.py",
         "test_escaping.py", "test_no_leaks.py", "test_secrets.py"]


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="maintbot-reliability-", dir="/tmp") as workdir:
        figures_file = Path(workdir) / "figures.json"
        env = os.environ | {"MAINTBOT_RELIABILITY_FIGURES": str(figures_file)}
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                   *(f"tests/reliability/{name}" for name in FILES)]
        started = time.monotonic()
        run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        elapsed = time.monotonic() - started
        figures = json.loads(figures_file.read_text()) if figures_file.exists() else {}
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else "(no output)"
    if run.returncode != 0:
        print(run.stdout[-4000:], run.stderr[-2000:], sep="\n", file=sys.stderr)
    print(f"pytest: {summary} ({elapsed:.0f} s wall)")
    postgres = "with" if os.environ.get("MAINTBOT_TEST_POSTGRES_URL") else "without"
    print(f"backends: SQLite, {postgres} PostgreSQL")
    width = max((len(name) for name in figures), default=0)
    for name, count in figures.items():
        print(f"  {name:<{width}}  {count:>9,}")
    return run.returncode


if __name__ == "__main__":
    raise SystemExit(main())
