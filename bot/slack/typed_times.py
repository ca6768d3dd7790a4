"""Times typed in `/maint` commands, read as the person typing means them.

A time without a zone is read in the typing user's Slack time zone (`users.info` → `tz`, cached by
`People`); when Slack does not say it, in maintbot's default zone (MAINTBOT_TIMEZONE), and the reply says
so. A zone or offset typed with the time wins (`parsing.instant`). Every reply that read a typed time names
the zone it used (`TypedTimes.note`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from bot.slack.listening import Act
from bot.slack.parsing import instant


def zone_name(zone: tzinfo, moment: datetime | None = None) -> str:
    """`Europe/Tallinn`, `UTC` or `UTC+02:00`: how a reply names a zone."""
    key = getattr(zone, "key", None)
    if key:
        return key
    name = zone.tzname(moment)
    return "UTC" if name in ("UTC", "UTC+00:00") else name or "UTC"


@dataclass
class TypedTimes:
    """Reads the times one command typed, and remembers the zones it read them in for the reply."""

    act: Act
    _used: list[str] = field(default_factory=list)
    _zone: tuple[tzinfo, bool] | None = None

    def zone(self) -> tuple[tzinfo, bool]:
        """(the typing user's zone, whether Slack told it); asked once a command."""
        if self._zone is None:
            self._zone = self.act.deps.people.zone_told(self.act.origin.user)
        return self._zone

    def read(self, value: str) -> datetime:
        """`value` as an instant: in its own zone when it names one, else in the typing user's zone."""
        zone, told = self.zone()
        moment = instant(value, zone)
        if moment.tzinfo is zone:
            said = (f"your Slack time zone, {zone_name(zone)}" if told else
                    f"{zone_name(zone)}, maintbot's default: Slack did not tell me your time zone")
        else:
            said = f"{zone_name(moment.tzinfo, moment)}, as typed"
        if said not in self._used:
            self._used.append(said)
        return moment

    @property
    def note(self) -> str:
        """`Times read in …` for the reply, or "" when nothing was read."""
        if not self._used:
            return ""
        return "🕑 Times read in " + "; ".join(self._used) + "."
