"""The unit layer keeps its promise: a test in tests/unit that asks for a database fails before it runs."""

from __future__ import annotations

import pytest

from storage.db import Database

GUARD = "from tests.unit.conftest import no_engines, pytest_runtest_setup  # noqa: F401\n"
GUARDED = '''
import pytest

@pytest.fixture
def db():
    return "a database"

@pytest.fixture
def services(db):
    return "services over it"

def test_a_pure_rule():
    assert 1 + 1 == 2

def test_asks_for_a_database(db):
    pass

def test_asks_for_services(services):
    pass
'''


def test_a_unit_test_asking_for_a_database_fails_before_it_runs(pytester: pytest.Pytester):
    pytester.makeconftest(GUARD)  # the unit layer's conftest, as it is
    pytester.makepyfile(test_guarded=GUARDED)

    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:xdist", "-q")

    result.assert_outcomes(passed=1, errors=2)
    result.stdout.fnmatch_lines(["*a unit test runs without a database, and this one asks for db*"])


def test_a_unit_test_cannot_open_an_engine():
    with pytest.raises(AssertionError, match="without a database"):
        Database("sqlite://")
