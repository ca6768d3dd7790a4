"""`/maint admin outbox [retry N]`: how notice delivery is doing, and sending a failed notice again (admins)."""

from __future__ import annotations

from bot.domain.outbox import NoticeView
from bot.slack import messages
from bot.slack.answer import Answer
from bot.slack.bot import Bot, Origin
from bot.slack.parsing import Arguments, BadArguments
from bot.slack.text import clip, date_token, escape

FAILED_SHOWN = 20


def notice_line(notice: NoticeView) -> str:
    return (
        f"• `{notice.id}` {notice.kind} → <#{notice.channel_id}> · *{escape(clip(notice.name, 80))}* · "
        f"{notice.attempts} attempt(s), due {date_token(notice.due)}: {escape(clip(notice.last_error, 200))}"
    )


def outbox_answer(bot: Bot, origin: Origin, args: Arguments) -> Answer:
    outbox = bot.services.outbox
    actor = bot.actor(origin.user)
    if args.positional:
        number = args.positional[1] if len(args.positional) == 2 else ""
        if args.positional[0].lower() != "retry" or not (number.isascii() and number.isdigit() and len(number) <= 18):
            raise BadArguments("Write `admin outbox` to look, or `admin outbox retry N` to send notice N again.")
        notice = outbox.retry(actor, int(number))
        return Answer(f"🔁 Notice `{notice.id}` ({notice.kind} → <#{notice.channel_id}>) will be sent again now.")
    counts = outbox.counts(actor)
    failed = outbox.failed(actor, FAILED_SHOWN)
    summary = " · ".join(f"*{status}* {count}" for status, count in counts.items())
    lines = [notice_line(notice) for notice in failed]
    blocks = messages.note(f"*Outbox:* {summary}")
    if lines:
        blocks += messages.note("*Failed notices* (newest first; `/maint admin outbox retry N` sends one again)")
        blocks += messages.sections(lines, 40)
    return Answer(f"Outbox: {summary}", blocks)
