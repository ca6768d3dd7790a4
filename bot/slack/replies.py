"""The one place where refusals become words in Slack.

The two error boundaries (`bot.slack.ack_errors` in the ack, `listening.after_ack` after it) hand what they
catch (`EXPLAINED_ERRORS`) to `error_text`; the result goes only to the person who acted. Each message says
what was wrong and what to do about it. Modal field errors are mapped to the modal's blocks in
`bot.slack.modals`, but their words come from the domain unchanged. When the database cannot answer
(`UNAVAILABLE`: down, restarting), the person is asked to try again in a moment instead of meeting Slack's
generic failure. A statement the database stopped for its cost (`TOO_COSTLY`: past the query timeout, or too
large) is told as that, not as an outage."""

from __future__ import annotations

from bot.domain.errors import (
    TOO_COSTLY,
    UNAVAILABLE,
    Ambiguous,
    AmbiguousWords,
    DomainError,
    Invalid,
    InvalidState,
    NotAllowed,
    NotFound,
    Stale,
    StatementTimeout,
)
from bot.slack.parsing import BadArguments
from bot.slack.text import clip, escape

#: What is explained to the person who acted (`error_text`) instead of failing: what they typed cannot be read,
#: a refusal from the domain, the database not answering, a statement stopped for its cost.
EXPLAINED_ERRORS: tuple[type[Exception], ...] = (BadArguments, DomainError, *UNAVAILABLE, *TOO_COSTLY)
TRY_AGAIN = "⏳ maintbot cannot reach its database right now. Please try again in a moment."
TOOK_TOO_LONG = ("⏱️ That took too long and was stopped; nothing was changed. Ask for less (a filter, another "
                 "page) or try again later.")
TOO_LARGE = "⚠️ That asks for more than the database can answer at once; nothing was changed. Ask for less."

FIELD_NAMES = {
    "name": "Name",
    "message": "Message",
    "internal_notes": "Internal notes",
    "maintenance_type": "Type",
    "external_reference_url": "External reference URL",
    "scheduled_start": "Start",
    "scheduled_end": "End",
    "provider": "Service provider",
    "channel_id": "Channel",
    "stats_channel_id": "Stats channel",
    "manager_users": "Managers",
    "manager_groups": "Manager groups",
    "o": "Sort",
}


def or_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def error_text(error: Exception, doing: str | None = None) -> str:
    """What the acting user is told. `doing` names the attempted action ("start", "schedule"…)."""
    if isinstance(error, BadArguments):
        return f"⚠️ {escape(str(error))}"
    if isinstance(error, AmbiguousWords):
        listed = "\n".join(f"• `{escape(match[:8])}` {escape(match[9:])}" for match in error.matches)
        more = "\n…and more: `/maint find` lists them all." if error.more else ""
        return (f"🤔 More than one announcement matches “{escape(clip(error.words, 80))}”:\n{listed}{more}\n"
                "Give its id, or more words.")
    if isinstance(error, Ambiguous):
        listed = "\n".join(f"• `{escape(match)}`" for match in error.matches)
        return f"🤔 That id matches more than one thing:\n{listed}\nType more of the id to pick one."
    if isinstance(error, NotFound):
        return f"🔍 {escape(error.message)} `/maint list` shows what you can see."
    if isinstance(error, NotAllowed):
        return f"🚫 {escape(error.message)} Ask one of the provider's managers or a maintbot admin."
    if isinstance(error, InvalidState):
        action = f"*{doing.capitalize()}*" if doing else "That"
        valid = or_list([f"*{state}*" for state in error.valid])
        now = f"the announcement is already *{error.current}*, and " if error.current else ""
        return f"↩️ Nothing changed: {now}{action} needs it to be {valid}. Someone may have changed it a moment ago."
    if isinstance(error, Stale):
        return f"↩️ Nothing changed: {escape(error.message)}"
    if isinstance(error, Invalid):
        lines = [
            f"• {FIELD_NAMES.get(name, name.replace('_', ' ').capitalize())}: {escape(' '.join(messages))}"
            for name, messages in error.fields.items()
        ]
        return "⚠️ Nothing changed; please fix:\n" + "\n".join(lines)
    if isinstance(error, DomainError):
        return f"⚠️ {escape(error.message)}"
    if isinstance(error, UNAVAILABLE):
        return TRY_AGAIN
    if isinstance(error, TOO_COSTLY):
        return TOOK_TOO_LONG if isinstance(error, StatementTimeout) else TOO_LARGE
    return "💥 Something went wrong on our side; nothing was changed. Please try again."
