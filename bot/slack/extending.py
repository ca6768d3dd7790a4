"""`/maint extend ID 30m|2h|1h30m|until TIME`: push back the end of Scheduled or In-progress maintenance.

The same domain operation as the overrun alert's Extend buttons (`Announcements.extend_to`, sharing
`extend`'s compare-and-set, audit and "extended" notice), for any length up to the domain's limit or to a
typed moment. A moment is read in the typing user's Slack time zone unless it names one, and the reply
says which zone it used (bot/slack/typed_times.py).
"""

from __future__ import annotations

import re
from datetime import timedelta

from bot.slack import messages
from bot.slack.answer import Answer
from bot.slack.cards import done
from bot.slack.listening import Act
from bot.slack.parsing import Arguments, BadArguments
from bot.slack.subcommand import ANNOUNCING, subcommand
from bot.slack.text import clip, date_token, duration, escape
from bot.slack.typed_times import TypedTimes

#: `30m`, `2h`, `1h30m`, `90min`, `1d`, `2 h 15 m`: whole numbers of days, hours and minutes, in that order.
LENGTH = re.compile(r"(?:(?P<d>\d{1,6})\s*d(?:ays?)?)?\s*(?:(?P<h>\d{1,6})\s*h(?:ours?)?)?\s*"
                    r"(?:(?P<m>\d{1,6})\s*m(?:in(?:utes?)?)?)?", re.IGNORECASE)
SHAPE = "Extend by a length like `30m`, `2h` or `1h30m`, or to a moment: `until 2026-12-03 02:00`."


def length(text: str) -> timedelta:
    """`30m` → 30 minutes; anything else that is not a length is refused, saying what a length looks like."""
    match = LENGTH.fullmatch(text.strip())
    if match is None or not any(match.groups()):
        if re.fullmatch(r"[\d\s]+[a-z]*", text.strip(), re.IGNORECASE) and re.search(r"\d{7}", text):
            raise BadArguments("That is far too long: extend by at most 7 days at a time.")
        raise BadArguments(f"`{clip(text, 60)}` is not a length. {SHAPE}")
    days, hours, minutes = (int(match[unit] or 0) for unit in "dhm")
    return timedelta(days=days, hours=hours, minutes=minutes)


def refresh_home(act: Act, args: Arguments) -> None:
    act.deps.homes.refresh(act.origin.user)


@subcommand("extend", group=ANNOUNCING, usage="`/maint extend ID 30m|2h|until TIME`",
            help="push back the end of Scheduled or In-progress maintenance (managers)", after_ack=refresh_home)
def extend(act: Act, args: Arguments) -> Answer:
    if args.options or len(args.positional) < 2:
        raise BadArguments(f"Give an announcement id and how long to extend it. {SHAPE}")
    reference, rest = args.positional[0], args.positional[1:]
    times = TypedTimes(act)
    if rest[0].lower() == "until":
        if len(rest) < 2:
            raise BadArguments(f"Until when? {SHAPE}")
        moment = times.read(" ".join(rest[1:]))
        view = act.services.announcements.extend_to(act.actor, reference, until=moment)
    else:
        view = act.services.announcements.extend_to(act.actor, reference, by=length(" ".join(rest)))
    said = (f"{done('extended')} *{escape(clip(view.name, 150))}* (`{view.short_id}`) to "
            f"{date_token(view.scheduled_end)} ({duration(view.scheduled_end - view.scheduled_start)} in all).")
    if times.note:
        said += f"\n{times.note}"
    return Answer(said, [*messages.note(said), *messages.announcement_detail(view)])
