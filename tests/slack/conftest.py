"""Slack tests run on SQLite: the workspace, stand-in and dispatcher fixtures are in tests/conftest.py.

The tests where the database arbitrates (two presses racing) also run on PostgreSQL, by naming both
backends (`@pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)`).
"""

from __future__ import annotations

import pytest

SQLITE_ONLY = pytest.mark.parametrize("db", ["sqlite"], indirect=True)


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A Slack test that does not name its backends gets SQLite alone (instead of `db`'s two)."""
    if "db" not in metafunc.fixturenames:
        return
    named = any("db" in _names(mark) for mark in metafunc.definition.iter_markers("parametrize"))
    if not named:
        metafunc.definition.add_marker(SQLITE_ONLY, append=False)


def _names(mark: pytest.Mark) -> list[str]:
    names = mark.args[0] if mark.args else mark.kwargs.get("argnames", "")
    return [name.strip() for name in names.split(",")] if isinstance(names, str) else list(names)
