"""The console's clock: the real time, moved forward by `/clock` so that a newcomer sees the scheduler at work.

The console's domain services, dispatcher and scheduler all read this one clock (DESIGN §6: time comes from an
injected clock). It runs on with the real time and only ever moves forward: the database has seen the later
moments already (notices sent, announcements started), and time going back would contradict them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

#: `/clock +2h`, `+1d12h`, `+90m`, `+1h30m` (the `+` may be left out).
_FORWARD = re.compile(r"^\+?\s*(?:(\d{1,3})\s*d)?\s*(?:(\d{1,4})\s*h)?\s*(?:(\d{1,6})\s*m(?:in)?)?$", re.IGNORECASE)
#: The longest move at once: stepping through longer would send a summary per week passed.
LONGEST = timedelta(days=60)


class ConsoleClock:
    """The real time plus however far `/clock` has moved it."""

    def __init__(self) -> None:
        self._ahead = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._ahead

    @property
    def ahead(self) -> timedelta:
        return self._ahead

    def set(self, moment: datetime) -> None:
        """Move to `moment` (forward only; an earlier moment leaves the clock where it is)."""
        self._ahead += max(timedelta(0), moment - self.now())


def forward(text: str) -> timedelta:
    """How far `+2h`, `+1d6h` or `+45m` moves the clock; ValueError says how to write it."""
    match = _FORWARD.match(text.strip())
    if not text.strip() or match is None or not any(match.groups()):
        raise ValueError("write how far to move the clock, like `/clock +2h`, `/clock +1d6h` or `/clock +45m`")
    days, hours, minutes = (int(part or 0) for part in match.groups())
    delta = timedelta(days=days, hours=hours, minutes=minutes)
    if delta <= timedelta(0):
        raise ValueError("the clock only moves forward: write a positive time, like `/clock +2h`")
    if delta > LONGEST:
        raise ValueError(f"at most {LONGEST.days} days at once")
    return delta
