"""Block Kit as terminal text, for `maintbot console`: headers, sections, context, numbered buttons.

Slack's markup is turned into what a reader would see: date tokens in the reader's time zone, mentions
as @U… / #C…, links as `label (url)`, and the three escaped characters back to themselves.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.console.simulator import Button

DATE_TOKEN = re.compile(r"<!date\^(\d+)\^([^|>]*)(?:\|[^>]*)?>")
MENTION = re.compile(r"<([@#])([A-Z0-9]+)(?:\|[^>]*)?>")
SUBTEAM = re.compile(r"<!subteam\^([A-Z0-9]+)(?:\|[^>]*)?>")
LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")
SPECIAL = re.compile(r"<!(channel|here|everyone)>")


def plain(text: str, zone: ZoneInfo = UTC) -> str:
    """Slack mrkdwn → what a person reads."""

    def date(match: re.Match) -> str:
        moment = datetime.fromtimestamp(int(match[1]), UTC).astimezone(zone)
        if match[2] == "{time}":
            return moment.strftime("%H:%M")
        return moment.strftime("%a %d %b %Y %H:%M %Z")

    text = DATE_TOKEN.sub(date, text)
    text = MENTION.sub(lambda m: f"{m[1]}{m[2]}", text)
    text = SUBTEAM.sub(lambda m: f"@{m[1]}", text)
    text = LINK.sub(lambda m: f"{m[2]} ({m[1]})", text)
    text = SPECIAL.sub(lambda m: f"@{m[1]}", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def text_of(node: dict[str, Any], zone: ZoneInfo) -> str:
    """A text object as read: mrkdwn is interpreted, plain_text is shown exactly as written."""
    return node.get("text", "") if node.get("type") == "plain_text" else plain(node.get("text", ""), zone)


def render(blocks: list[dict[str, Any]], zone: ZoneInfo, numbered: list[Button], indent: str = "  ") -> str:
    """The blocks as lines of text; each button gets the next number and is appended to `numbered`."""
    lines: list[str] = []

    def label(button: dict[str, Any], block_id: str) -> str:
        numbered.append(Button(button["text"]["text"], block_id, button))
        danger = "!" if button.get("style") == "danger" else ""
        return f"[{len(numbered)}] {button['text']['text']}{danger}"

    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            lines.append(f"━━ {block['text']['text']} ━━")
        elif kind == "section":
            if block.get("text"):
                lines += text_of(block["text"], zone).splitlines()
            for field in block.get("fields") or []:
                lines.append(text_of(field, zone))
            accessory = block.get("accessory") or {}
            if accessory.get("type") == "button":
                lines.append("   " + label(accessory, block.get("block_id", "")))
        elif kind == "context":
            parts = [text_of(element, zone) for element in block.get("elements", [])]
            lines.append("   · " + " · ".join(part for part in parts if part))
        elif kind == "actions":
            buttons = [e for e in block.get("elements", []) if e.get("type") == "button"]
            lines.append("   " + "  ".join(label(button, block.get("block_id", "")) for button in buttons))
        elif kind == "divider":
            lines.append("─" * 40)
    return "\n".join(indent + line for line in lines)


def local(epoch: int, zone: ZoneInfo) -> str:
    """A moment as typed back into the console's date prompts."""
    return datetime.fromtimestamp(int(epoch), UTC).astimezone(zone).strftime("%Y-%m-%d %H:%M")
