"""How far back a calendar feed reaches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.feeds import FEED_PAST, feed_since


def test_a_feed_reaches_back_thirty_days():
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)

    assert timedelta(days=30) == FEED_PAST
    assert feed_since(now) == now - timedelta(days=30)
