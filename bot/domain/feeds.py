"""How far back a calendar feed reaches (the feed itself is `Announcements.calendar`): maintenance whose window
ended within FEED_PAST, and cancellations made within it. Older events stay in calendars that already have
them; a new subscriber does not need a month-old outage.
"""

from __future__ import annotations

from datetime import datetime, timedelta

FEED_PAST = timedelta(days=30)


def feed_since(now: datetime) -> datetime:
    """The earliest end (and cancellation) a feed read at `now` holds."""
    return now - FEED_PAST
