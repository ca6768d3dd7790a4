"""Recurrence rules (RFC 5545 RRULE, a subset) and their occurrences in a real time zone.

Pure: no storage, no clock. A series says "every second Tuesday at 02:00 Europe/Tallinn"; the rule is
expanded by python-dateutil on NAIVE LOCAL wall-clock times (so 02:00 stays 02:00 across DST changes and
its UTC instant moves), and only then is each local time placed in the zone:

- a local time that does not exist (spring forward, inside the gap) is shifted forward by the gap's length:
  02:30 on the Tallinn spring-forward night is 03:30 EEST; 02:15 on the Lord Howe night (30-minute DST) is
  02:45. This is zoneinfo's fold=0 reading of a missing time (the offset from before the change).
- a local time that exists twice (fall back) is its FIRST instant (fold=0, the offset from before the change).

Each occurrence keeps its rule date (`Occurrence.day`, the local date the rule gave): it is the occurrence's
identity (a skipped or moved occurrence is named by it, and storage keys announcements by series and day), so
changing the series' start time or duration does not change which occurrence is which.

Supported: FREQ=DAILY|WEEKLY|MONTHLY; INTERVAL; BYDAY (plain days; ordinals like 2TU and -1SU with MONTHLY);
BYMONTHDAY (MONTHLY); COUNT or UNTIL (a UTC date-time ending in Z, or a date: through that local day). Anything
else is refused with a clear message (`RuleError`), never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dateutil import rrule as du

FREQUENCIES = {"DAILY": du.DAILY, "WEEKLY": du.WEEKLY, "MONTHLY": du.MONTHLY}
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DU_WEEKDAYS = (du.MO, du.TU, du.WE, du.TH, du.FR, du.SA, du.SU)
_BYDAY = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
#: The most occurrences one expansion returns: every caller asks for a bounded range; this bounds its cost too.
MAX_OCCURRENCES = 1000
MAX_INTERVAL = 1000
MAX_COUNT = 10000
MAX_TEXT = 500


class RuleError(ValueError):
    """A rule, zone or time that cannot be used, with the words to tell the user."""


@dataclass(frozen=True)
class Rule:
    """A validated recurrence rule. Build it with `Rule.parse(text)`; `text()` gives it back canonically."""

    freq: str
    interval: int = 1
    #: (ordinal or None, "MO".."SU"); ordinals only with MONTHLY.
    byday: tuple[tuple[int | None, str], ...] = ()
    bymonthday: tuple[int, ...] = ()
    count: int | None = None
    #: The last moment an occurrence may start: aware UTC (from "…Z"), or None.
    until: datetime | None = None
    #: UNTIL given as a date: occurrences through that local day.
    until_day: date | None = None

    @classmethod
    def parse(cls, text: str) -> Rule:
        """Parse RRULE text ("FREQ=WEEKLY;BYDAY=TU", with or without a leading "RRULE:")."""
        if not isinstance(text, str) or not text.strip():
            raise RuleError("Give a recurrence rule, like FREQ=WEEKLY;BYDAY=TU.")
        if len(text) > MAX_TEXT:
            raise RuleError(f"A recurrence rule is at most {MAX_TEXT} characters.")
        body = text.strip()
        if body.upper().startswith("RRULE:"):
            body = body[6:]
        parts: dict[str, str] = {}
        for part in body.split(";"):
            if not part:
                continue
            name, equals, value = part.partition("=")
            name = name.strip().upper()
            if not equals or not value.strip():
                raise RuleError(f"{part!r} is not NAME=VALUE.")
            if name in parts:
                raise RuleError(f"{name} is given twice.")
            parts[name] = value.strip().upper()
        unknown = sorted(set(parts) - {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "COUNT", "UNTIL", "WKST"})
        if unknown:
            raise RuleError(
                f"{', '.join(unknown)} is not supported: use FREQ (DAILY, WEEKLY or MONTHLY), INTERVAL, BYDAY, "
                "BYMONTHDAY, COUNT or UNTIL."
            )
        if parts.get("WKST", "MO") != "MO":
            raise RuleError("Only WKST=MO (weeks start on Monday) is supported.")
        freq = parts.get("FREQ")
        if freq not in FREQUENCIES:
            raise RuleError("FREQ must be DAILY, WEEKLY or MONTHLY.")
        interval = _integer(parts.get("INTERVAL", "1"), "INTERVAL", 1, MAX_INTERVAL)
        byday = tuple(_byday(item, freq) for item in _items(parts.get("BYDAY")))
        bymonthday = tuple(
            _integer(item, "BYMONTHDAY", -31, 31, nonzero=True) for item in _items(parts.get("BYMONTHDAY"))
        )
        if bymonthday and freq != "MONTHLY":
            raise RuleError("BYMONTHDAY goes with FREQ=MONTHLY.")
        if len(set(byday)) != len(byday) or len(set(bymonthday)) != len(bymonthday):
            raise RuleError("A day is listed twice.")
        if "COUNT" in parts and "UNTIL" in parts:
            raise RuleError("Give COUNT or UNTIL, not both.")
        count = _integer(parts["COUNT"], "COUNT", 1, MAX_COUNT) if "COUNT" in parts else None
        until, until_day = _until(parts["UNTIL"]) if "UNTIL" in parts else (None, None)
        return cls(freq, interval, byday, bymonthday, count, until, until_day)

    def text(self) -> str:
        """The canonical RRULE text (no "RRULE:" prefix)."""
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.byday:
            parts.append("BYDAY=" + ",".join(f"{n if n is not None else ''}{d}" for n, d in self.byday))
        if self.bymonthday:
            parts.append("BYMONTHDAY=" + ",".join(str(d) for d in self.bymonthday))
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        if self.until is not None:
            until = self.until.astimezone(UTC)
            parts.append(f"UNTIL={until.year:04d}{until:%m%dT%H%M%SZ}")
        if self.until_day is not None:
            parts.append(f"UNTIL={self.until_day.year:04d}{self.until_day:%m%d}")
        return ";".join(parts)

    def ending(self, moment: datetime) -> Rule:
        """This rule with no occurrence starting after `moment` (COUNT, if any, replaced by UNTIL)."""
        return Rule(self.freq, self.interval, self.byday, self.bymonthday, None,
                    moment.astimezone(UTC).replace(microsecond=0), None)

    def _dateutil(self, dtstart: datetime) -> du.rrule:
        weekdays = [_DU_WEEKDAYS[WEEKDAYS.index(day)](n) if n else _DU_WEEKDAYS[WEEKDAYS.index(day)]
                    for n, day in self.byday]
        return du.rrule(
            FREQUENCIES[self.freq],
            dtstart=dtstart,
            interval=self.interval,
            byweekday=weekdays or None,
            bymonthday=list(self.bymonthday) or None,
            count=self.count,
            cache=False,
        )


@dataclass(frozen=True)
class Occurrence:
    """One occurrence: the local date the rule gave (its identity), its local start as the rule states it, and
    its real start and end (aware UTC). `local_start` differs from `start` read in the zone only on a DST gap."""

    day: date
    local_start: datetime  # naive wall-clock time the rule states
    start: datetime  # aware, UTC
    end: datetime  # aware, UTC


def zone(name: str) -> ZoneInfo:
    """The IANA zone called `name`, or RuleError."""
    if not isinstance(name, str) or not name.strip() or len(name) > 64:
        raise RuleError("Give an IANA time zone, like Europe/Tallinn.")
    name = name.strip()
    try:
        if name not in _zones():
            raise ZoneInfoNotFoundError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise RuleError(f"{name!r} is not an IANA time zone (like Europe/Tallinn).") from error


def _zones() -> set[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = available_timezones() | {"UTC"}
    return _ZONES


_ZONES: set[str] | None = None


def place(local: datetime, tz: ZoneInfo) -> datetime:
    """The real instant (aware UTC) of naive local wall-clock time `local` in `tz`, by the documented rule:
    a missing time is shifted forward by the gap, a doubled time is its first instant (fold=0 for both)."""
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def exists(local: datetime, tz: ZoneInfo) -> bool:
    """Whether naive `local` is a wall-clock time that happens in `tz` (not inside a spring-forward gap)."""
    return place(local, tz).astimezone(tz).replace(tzinfo=None) == local


def occurrences(
    rule: Rule,
    first_day: date,
    start_time: time,
    duration: timedelta,
    tz: ZoneInfo,
    start: datetime,
    end: datetime,
    *,
    limit: int = MAX_OCCURRENCES,
) -> list[Occurrence]:
    """The occurrences of `rule` (anchored at DTSTART = `first_day` `start_time` local) that START in
    [start, end) (aware), soonest first, at most `limit`. COUNT counts from `first_day`, whatever the range."""
    return list(_between(rule, first_day, start_time, duration, tz, start, end, limit))


def _between(rule, first_day, start_time, duration, tz, start, end, limit) -> Iterator[Occurrence]:
    if limit <= 0 or end <= start:
        return
    dtstart = datetime.combine(first_day, start_time.replace(second=0, microsecond=0, tzinfo=None))
    # Naive local bounds, a day wider than the aware ones (offsets are under a day); exact filtering below.
    low = max(dtstart, (start.astimezone(tz) - timedelta(days=1)).replace(tzinfo=None))
    high = (end.astimezone(tz) + timedelta(days=1)).replace(tzinfo=None)
    if rule.until_day is not None:
        high = min(high, datetime.combine(rule.until_day, time.max))
    if high < low:
        return
    produced = 0
    for local in rule._dateutil(dtstart).xafter(low, inc=True):
        if local > high:
            return
        instant = place(local, tz)
        if rule.until is not None and instant > rule.until:
            return
        if instant < start:
            continue
        if instant >= end:
            return
        yield Occurrence(local.date(), local, instant, instant + duration)
        produced += 1
        if produced >= limit:
            return


def first_on_or_after(
    rule: Rule, first_day: date, start_time: time, duration: timedelta, tz: ZoneInfo, moment: datetime,
    horizon: timedelta = timedelta(days=3660),
) -> Occurrence | None:
    """The first occurrence starting at or after `moment` within `horizon`, or None."""
    found = occurrences(rule, first_day, start_time, duration, tz, moment, moment + horizon, limit=1)
    return found[0] if found else None


def describe(rule: Rule) -> str:
    """Plain words for a rule ("every 2 weeks on Tuesday"), for listings."""
    names = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday",
             "SA": "Saturday", "SU": "Sunday"}
    unit = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month"}[rule.freq]
    words = f"every {unit}" if rule.interval == 1 else f"every {rule.interval} {unit}s"
    if rule.byday:
        days = [f"{_ordinal(n)} {names[d]}" if n else names[d] for n, d in rule.byday]
        words += " on " + ", ".join(days)
    if rule.bymonthday:
        words += " on day " + ", ".join("last" if d == -1 else str(d) for d in rule.bymonthday)
    if rule.count is not None:
        words += f", {rule.count} times"
    if rule.until is not None:
        words += f", until {rule.until:%Y-%m-%d %H:%M} UTC"
    if rule.until_day is not None:
        words += f", until {rule.until_day:%Y-%m-%d}"
    return words


def _ordinal(n: int) -> str:
    if n == -1:
        return "last"
    if n < 0:
        return f"{_ordinal(-n)} to last"
    return {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}[n]


def _items(value: str | None) -> list[str]:
    if value is None:
        return []
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise RuleError(f"{value!r} has an empty item.")
    return items


def _integer(value: str, name: str, low: int, high: int, *, nonzero: bool = False) -> int:
    if not re.fullmatch(r"[+-]?\d{1,6}", value):
        raise RuleError(f"{name} must be a whole number, not {value!r}.")
    number = int(value)
    if number < low or number > high or (nonzero and number == 0):
        raise RuleError(f"{name} must be between {low} and {high}{' (not 0)' if nonzero else ''}.")
    return number


def _byday(item: str, freq: str) -> tuple[int | None, str]:
    match = _BYDAY.match(item)
    if match is None:
        raise RuleError(f"BYDAY {item!r} is not a weekday (MO…SU), optionally with an ordinal like 2TU or -1SU.")
    ordinal = int(match.group(1)) if match.group(1) else None
    if ordinal == 0:
        raise RuleError("BYDAY ordinals are 1 to 5 or -1 to -5.")
    if ordinal is not None and freq != "MONTHLY":
        raise RuleError("Ordinals in BYDAY (like 2TU or -1SU) go with FREQ=MONTHLY.")
    return ordinal, match.group(2)


#: UNTIL before this year ends a series before it could begin: refused, like any other rule mistake.
UNTIL_FIRST_YEAR = 1970


def _until(value: str) -> tuple[datetime | None, date | None]:
    if re.fullmatch(r"\d{8}(T\d{6}Z)?", value) and int(value[:4]) < UNTIL_FIRST_YEAR:
        raise RuleError(f"UNTIL {value!r} is before {UNTIL_FIRST_YEAR}: give the last day the series may run.")
    try:
        if re.fullmatch(r"\d{8}", value):
            return None, datetime.strptime(value, "%Y%m%d").date()
        if re.fullmatch(r"\d{8}T\d{6}Z", value):
            return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC), None
    except ValueError as error:
        raise RuleError(f"UNTIL {value!r} is not a real date.") from error
    raise RuleError("UNTIL must be a UTC time like 20271231T235959Z, or a date like 20271231.")
