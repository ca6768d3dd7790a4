"""The answer to `/maint admin outbox [retry N]`: how notice delivery is doing, and sending a failed notice again.

Admins only (the domain's outbox service refuses anyone else). The outbox itself is `bot.domain.outbox`;
delivery to Slack is `bot.slack.delivery`.
"""

from __future__ import annotations

from bot.domain.outbox import NoticeView
from bot.slack import messages
from bot.slack.answer import Answer
from bot.slack.listening import Act
from bot.slack.parsing import Arguments, BadArguments
from bot.slack.text import clip, date_token, escape

FAILED_SHOWN = 20


def notice_line(notice: NoticeView) -> str:
    return (
        f"• `{notice.id}` {notice.kind} → <#{notice.channel_id}> · *{escape(clip(notice.name, 80))}* · "
        f"{notice.attempts} attempt(s), due {date_token(notice.due)}: {escape(clip(notice.last_error, 200))}"
    )


def outbox_answer(act: Act, args: Arguments) -> Answer:
    outbox = act.services.outbox
    if args.positional:
        number = args.positional[1] if len(args.positional) == 2 else ""
        if args.positional[0].lower() != "retry" or not (number.isascii() and number.isdigit() and len(number) <= 18):
            raise BadArguments("Write `admin outbox` to look, or `admin outbox retry N` to send notice N again.")
        notice = outbox.retry(act.actor, int(number))
        return Answer(f"🔁 Notice `{notice.id}` ({notice.kind} → <#{notice.channel_id}>) will be sent again now.")
    counts = outbox.counts(act.actor)
    failed = outbox.failed(act.actor, FAILED_SHOWN)
    summary = " · ".join(f"*{status}* {count}" for status, count in counts.items())
    lines = [notice_line(notice) for notice in failed]
    blocks = messages.note(f"*Outbox:* {summary}")
    if lines:
        blocks += messages.note("*Failed notices* (newest first; `/maint admin outbox retry N` sends one again)")
        blocks += messages.sections(lines, 40)
    return Answer(f"Outbox: {summary}", blocks)
