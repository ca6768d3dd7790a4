"""Text for Slack, as pure functions: escaping what users typed, clipping, durations and date tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.slack.text import clip, date_token, duration, escape


def test_escaping_keeps_typed_mentions_and_links_from_pinging_or_linking():
    assert escape("<!channel> & <@U123|ann>") == "&lt;!channel&gt; &amp; &lt;@U123|ann&gt;"


def test_escaping_an_escaped_text_escapes_the_ampersands_again():
    assert escape("&lt;") == "&amp;lt;"


@pytest.mark.parametrize(("text", "limit", "shown"), [
    ("Kernel upgrade", 14, "Kernel upgrade"),
    ("Kernel upgrade", 13, "Kernel upgra…"),
    ("", 1, ""),
])
def test_clipping_cuts_with_an_ellipsis_only_when_too_long(text, limit, shown):
    assert clip(text, limit) == shown
    assert len(clip(text, limit)) <= limit


@pytest.mark.parametrize(("delta", "shown"), [
    (timedelta(0), "0 min"),
    (timedelta(seconds=59), "0 min"),
    (timedelta(minutes=45), "45 min"),
    (timedelta(hours=2, minutes=30), "2 h 30 min"),
    (timedelta(days=3, hours=4), "3 d 4 h"),
    (timedelta(days=1, minutes=1), "1 d 1 min"),
])
def test_durations_read_in_days_hours_and_minutes(delta, shown):
    assert duration(delta) == shown


def test_a_date_token_carries_the_moment_and_a_utc_fallback():
    moment = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    stamp = int(moment.timestamp())
    assert date_token(moment) == f"<!date^{stamp}^{{date_short_pretty}} {{time}}|2026-11-02 09:00 UTC>"
