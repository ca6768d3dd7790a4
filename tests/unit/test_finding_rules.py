"""The rules of finding by words and of reading the audit trail's values, stated once in the domain."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from bot.domain.changes import changes, value
from bot.domain.errors import Invalid
from bot.domain.listing import search_words, words_conditions
from bot.domain.views import EventView
from storage.models import Announcement


def test_search_words_are_lower_case_each_once_in_typed_order():
    assert search_words("  Ceph  UPGRADE ceph\tnodes ") == ("ceph", "upgrade", "nodes")
    assert search_words(None) == () and search_words(" \n ") == ()


@pytest.mark.parametrize("text, said", [("x" * 201, "at most 200 characters"),
                                        (" ".join(str(n) for n in range(9)), "at most 8 words")])
def test_too_long_or_too_many_words_are_refused(text, said):
    with pytest.raises(Invalid) as refused:
        search_words(text)
    assert said in refused.value.fields["query"][0]


def sql(dialect, words) -> str:
    query = select(Announcement.id).where(*words_conditions(words))
    return str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def test_wildcards_are_escaped_and_folding_is_unicode_on_both_backends():
    assert "unicode_lower(" in sql(sqlite.dialect(), ["über"]) and "lower(" not in sql(sqlite.dialect(), ["ab"])
    assert "lower(" in sql(postgresql.dialect(), ["50%_off"])
    assert "50/%/_off" in sql(sqlite.dialect(), ["50%_off"]) and "ESCAPE '/'" in sql(sqlite.dialect(), ["a"])


def test_a_word_with_a_nul_matches_nothing():
    assert "false" in sql(postgresql.dialect(), ["ceph\x00"]).lower() or "0 = 1" in sql(sqlite.dialect(), ["\x00"])


def test_stored_values_are_read_back_as_what_they_are():
    assert value("scheduled_end", "2026-11-03 09:00:00+00:00") == datetime(2026, 11, 3, 9, tzinfo=UTC)
    assert value("maintenance_type", "3") == "Security maintenance"
    assert value("VMs.impact_level", "2").lower().startswith("degraded")
    assert value("name", "Kernel") == "Kernel" and value("message", "None") is None
    assert value("scheduled_start", "not a date") == "not a date"


def test_malformed_changes_are_skipped_not_fatal():
    event = EventView(datetime(2026, 1, 1, tzinfo=UTC), "U1", "slack", "updated", "…",
                      {"name": ["a", "b"], "broken": "x", "short": ["only"]})
    assert [(c.field, c.before, c.after) for c in changes(event)] == [("name", "a", "b")]
