"""Fixtures for the reliability and security suite.

The Slack workspace (`slack`) and the HTTP API (`api`) are the shared fixtures of tests/conftest.py; both
run over the same `services`, so one test can act through every interface on one database. `figures`
collects what the suite tried and found, for bench/reliability_security.py (written to
$MAINTBOT_RELIABILITY_FIGURES when that is set).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest

FIGURES_ENV = "MAINTBOT_RELIABILITY_FIGURES"


@pytest.fixture(scope="session")
def figures():
    """Counters the tests add to (`figures["requests tried"] += 3`); written out at the end of the session."""
    collected: Counter[str] = Counter()
    yield collected
    path = os.environ.get(FIGURES_ENV)
    if path and collected:
        target = Path(path)
        merged = json.loads(target.read_text()) if target.exists() else {}
        for name, count in collected.items():  # zeros stay: "leaks found: 0" is a figure too
            merged[name] = merged.get(name, 0) + count
        target.write_text(json.dumps(dict(sorted(merged.items())), indent=2) + "\n")
