"""The days statistics cover when the reader names none, or only one end."""

from __future__ import annotations

from datetime import date

from bot.domain.stats import default_window, window

TODAY = date(2026, 11, 30)


def test_statistics_cover_the_last_90_days_and_the_next_30_unless_told():
    assert default_window(TODAY) == (date(2026, 9, 1), date(2026, 12, 30))
    assert window(TODAY, None, None) == default_window(TODAY)
    assert window(TODAY, date(2026, 1, 1), None) == (date(2026, 1, 1), date(2026, 12, 30))
    assert window(TODAY, None, date(2026, 12, 1)) == (date(2026, 9, 1), date(2026, 12, 1))
