"""Text for Slack: escaping user-supplied text, date tokens, and short forms.

Slack parses `<…>` in mrkdwn as mentions and links; escaping `&`, `<` and `>` keeps `<!channel>` or
`<@U…>` typed into a name from pinging anyone. Wherever a layout allows, user text goes into
plain_text objects instead, where `*`, `_`, `~` and backticks stay literal too.
"""

from __future__ import annotations

from datetime import datetime, timedelta


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def date_token(moment: datetime, style: str = "{date_short_pretty} {time}") -> str:
    """A Slack date token: each reader sees the moment in their own time zone."""
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{style}|{fallback}>"


def duration(delta: timedelta) -> str:
    """'2 h 30 min', '45 min', '3 d 4 h'."""
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min" if minutes else ""]
    return " ".join(p for p in parts if p) or "0 min"
