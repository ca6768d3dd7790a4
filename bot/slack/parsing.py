"""Reading what people type after `/maint`: words, quotes, key=value options and Slack's escaped mentions.

With `should_escape: true` Slack rewrites mentions in command text as `<@U123|name>`, `<#C123|name>` and
`<!subteam^S123|@team>`; each becomes the bare id (`U123`, `C123`, `S123`), which is what the domain
stores. Everything else typed arrives with `&`, `<` and `>` escaped (`&amp;`, `&lt;`, `&gt;`) and is read
back as typed, so `R&D` is stored as `R&D` (and shown escaped again wherever Slack parses text). Curly
quotes, which Slack clients like to type, count as straight ones. The readers at the end turn words into
what the domain takes (an id, a state, a type, a number) or refuse them with `BadArguments`.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.enums import STATE_LABELS, MaintenanceType, State
from bot.slack.text import clip, escape

MENTION = re.compile(r"<(?:@|#|!subteam\^)([A-Z0-9]+)(?:\|[^>]*)?>")
TYPE_WORDS = {"scheduled": 1, "emergency": 2, "security": 3, "upgrade": 4, "patch": 5}
SMART_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})


class BadArguments(ValueError):
    """What the user typed cannot be read; the message says what was wrong."""


def unmention(text: str) -> str:
    """`<@U1|ann> and <#C2|ops>` → `U1 and C2`."""
    return MENTION.sub(lambda match: match[1], text)


def unescape(text: str) -> str:
    """Slack sends `&`, `<` and `>` typed in a command as `&amp;`, `&lt;` and `&gt;`: back to what was typed."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def words(text: str) -> list[str]:
    """Split command text into words, honouring quotes; mentions become ids, escaped characters what was typed."""
    try:
        return shlex.split(unescape(unmention(text.translate(SMART_QUOTES))))
    except ValueError as error:
        raise BadArguments(f"Could not read the arguments: {error}.") from None


@dataclass
class Arguments:
    """The words after a subcommand: positional ones in order, and `key=value` options by key."""

    positional: list[str] = field(default_factory=list)
    options: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, tokens: list[str]) -> Arguments:
        arguments = cls()
        for token in tokens:
            key, equals, value = token.partition("=")
            if equals and re.fullmatch(r"[a-z_]+", key.lower()):
                arguments.options.setdefault(key.lower(), []).append(value)
            else:
                arguments.positional.append(token)
        return arguments

    @property
    def rest(self) -> str:
        """The positional words as one phrase (names may be typed without quotes)."""
        return " ".join(self.positional)

    def first(self, key: str) -> str | None:
        values = self.options.get(key)
        return values[-1] if values else None

    def unknown(self, allowed: set[str]) -> list[str]:
        return sorted(set(self.options) - allowed)


def id_list(values: list[str]) -> list[str]:
    """`U1,U2` and `U1 U2` (and repeated options) → ['U1', 'U2']."""
    return [part for value in values for part in re.split(r"[\s,]+", value) if part]


def yes_no(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("yes", "y", "true", "on", "1"):
        return True
    if lowered in ("no", "n", "false", "off", "0"):
        return False
    raise BadArguments(f"{value!r} is not yes or no.")


def day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadArguments(f"{value!r} is not a date like 2026-03-31.") from None


def instant(value: str, zone: tzinfo) -> datetime:
    """`2026-03-31` (midnight) or `2026-03-31T22:00` / `2026-03-31 22:00`, read in `zone` unless it names one:
    an offset (`…T22:00+02:00`, `…T22:00Z`, `… 22:00 +02:00`) or a zone (`… 22:00 Europe/Tallinn`, `… 22:00 UTC`,
    or in one word `…T22:00[Europe/Tallinn]`). The result keeps the zone it was read in."""
    text, named = typed_zone(value.strip())
    text = text.replace(" ", "T")
    try:
        parsed = datetime.fromisoformat(text) if "T" in text else datetime.combine(date.fromisoformat(text), time())
    except ValueError:
        raise BadArguments(f"`{clip(value, 80)}` is not a date or time like 2026-03-31 or "
                           "2026-03-31T22:00 (optionally with a zone: +02:00, UTC, Europe/Tallinn).") from None
    if named is not None and parsed.tzinfo is not None:
        raise BadArguments(f"`{clip(value, 80)}` names two time zones; give one.")
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=named or zone)
    try:
        parsed.astimezone(UTC)  # times are kept in UTC: 0001-01-01T00:00+14:00 has no UTC time
    except OverflowError:
        raise BadArguments(f"`{clip(value, 80)}` is out of range.") from None
    return parsed


#: A zone typed after a time: `[Europe/Tallinn]` joined to it, or a last word like `Europe/Tallinn`, `UTC`, `Z`,
#: `+02:00`. Zone names are IANA keys (letters, digits, `_ + - /`).
_ZONE_WORD = re.compile(r"^(?P<time>.+?)(?:\[(?P<bracketed>[^\]]{1,64})\]|\s+(?P<word>[A-Za-z][A-Za-z0-9_+\-/]{0,63}|"
                        r"[+-]\d{2}(?::?\d{2})?))$")


def typed_zone(text: str) -> tuple[str, tzinfo | None]:
    """(the date and time, the zone typed with it or None). An offset word is joined back to the time for
    `fromisoformat`; an unknown zone name is refused, naming it."""
    match = _ZONE_WORD.match(text)
    if match is None or not re.match(r"\d{4}-\d", match["time"]):  # a zone only follows a date
        return text, None
    name = match["bracketed"] or match["word"]
    if name[0] in "+-":
        return f"{match['time']}{name}", None
    if name.upper() in ("UTC", "Z", "GMT"):
        return match["time"], UTC
    try:
        return match["time"], ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise BadArguments(f"`{clip(name, 64)}` is not a time zone (give one like Europe/Tallinn, UTC "
                           "or +02:00).") from None


def one_id(args: Arguments) -> str:
    """The announcement named: its id, or the words of its name (the domain tells them apart)."""
    if not args.positional or args.options:
        raise BadArguments("Give exactly one announcement id (or words of its name).")
    return args.rest


def need_rest(args: Arguments, message: str) -> str:
    """The positional words as one phrase; `message` when there are none or options were given."""
    if not args.positional or args.options:
        raise BadArguments(message)
    return args.rest


def positive(value: str, name: str) -> int:
    if not (value.isascii() and value.isdigit()) or len(value) > 9 or int(value) < 1:
        raise BadArguments(f"`{name}` must be a whole number from 1.")
    return int(value)


def state_named(value: str) -> State:
    """The state a word names: `in_progress` or `in progress`, any case."""
    try:
        return State.from_label(value.replace("_", " "))
    except ValueError:
        choices = ", ".join(label.lower().replace(" ", "_") for label in STATE_LABELS.values())
        raise BadArguments(f"`{escape(value)}` is not a state ({choices}).") from None


def type_named(value: str) -> int:
    """The maintenance type a word (`security`) or a number (1–5) names."""
    word = value.strip().lower()
    if word in {str(int(t)) for t in MaintenanceType}:
        return int(word)
    if word in TYPE_WORDS:
        return TYPE_WORDS[word]
    raise BadArguments(f"`{escape(value)}` is not a type ({', '.join(TYPE_WORDS)} or 1–5).")
