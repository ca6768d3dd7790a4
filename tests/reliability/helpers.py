"""What the reliability tests share: a fingerprint of the database, signed requests handed to the Bolt app in
process, and everything Slack was given to show, told apart by whether Slack parses it (mrkdwn) or not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from slack_bolt.request import BoltRequest
from sqlalchemy import text

from bot.console import simulator
from bot.console.standin import SlackStandIn
from bot.slack.app import SlackApp
from storage.db import Database
from storage.models import Base
from tests.slack.workspace import SECRET

#: `<…>` in mrkdwn: a mention (`<@U…>`, `<#C…>`, `<!here>`, `<!subteam^…>`), a date token or a link.
ANGLE = re.compile(r"<([^<>]*)>")
PINGS = ("<!channel>", "<!here>", "<!everyone>")


#: Tables that only restate the announcements (storage/rollup.py): a read may rewrite them.
DERIVED = frozenset({"stats_deltas", "stats_rollup", "stats_rollup_monthly"})


def fingerprint(db: Database) -> dict[str, int]:
    """Row counts of every table and the sum of announcement sequences: any write moves one of them
    (every change records an audit event and bumps its announcement's sequence). The statistics groups and their
    deltas are left out: they are derived from the announcements, and reading statistics folds the deltas in."""
    tables = [table.name for table in Base.metadata.sorted_tables if table.name not in DERIVED]
    columns = ", ".join(f"(SELECT count(*) FROM {name}) AS {name}" for name in tables)
    query = f"SELECT {columns}, (SELECT coalesce(sum(sequence), 0) FROM announcements) AS sequences"
    with db.engine.connect() as connection:
        return dict(connection.execute(text(query)).one()._mapping)


def dispatch(app: SlackApp, body: str, content_type: str = simulator.FORM) -> tuple[int, str]:
    """A request signed as Slack signs it, handed straight to the Bolt app (as `maintbot console` does):
    the same signature check, middleware and listeners as over HTTP, without the socket."""
    signed = simulator.sign(body, content_type, SECRET)
    response = app.bolt.dispatch(BoltRequest(body=signed.body, headers=signed.headers))
    app.drain()
    return response.status, response.body


# -- what Slack was given to show ------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """One piece of text as Slack gets it: `mrkdwn` when Slack parses it (mentions, links, formatting)."""

    where: str
    text: str
    mrkdwn: bool


def pieces(blocks: Any, where: str) -> Iterator[Shown]:
    """Every text object in blocks (sections, fields, context, headers, buttons, options, confirms)."""
    if isinstance(blocks, str):
        blocks = json.loads(blocks) if blocks.strip().startswith("[") else []
    if isinstance(blocks, dict):
        if isinstance(blocks.get("text"), str) and blocks.get("type") in ("mrkdwn", "plain_text"):
            yield Shown(where, blocks["text"], blocks["type"] == "mrkdwn")
        for key, value in blocks.items():
            if isinstance(value, dict | list):
                yield from pieces(value, where)
            elif key == "text" and isinstance(value, str) and blocks.get("type") not in ("mrkdwn", "plain_text"):
                yield Shown(where, value, True)  # a message's or response's own text: Slack parses it
    elif isinstance(blocks, list):
        for value in blocks:
            yield from pieces(value, where)


def message(text: str | None, blocks: Any, where: str) -> list[Shown]:
    """A message: its top-level text (shown in notifications, parsed as mrkdwn) and its blocks."""
    shown = [Shown(where, text, True)] if text else []
    return shown + list(pieces(blocks or [], where))


def channel_posts(standin: SlackStandIn) -> list[Shown]:
    """Everything shown in channels to everyone: every version of every non-ephemeral message."""
    shown = []
    for posted in standin.messages:
        if posted.user is not None:
            continue
        where = f"#{posted.channel} {'reply' if posted.thread_ts else 'post'} {posted.ts}"
        for version in [*posted.history, {"text": posted.text, "blocks": posted.blocks}]:
            shown += message(version["text"], version["blocks"], where)
    return shown


def published_homes(standin: SlackStandIn, users: set[str] | None = None) -> list[tuple[str, list[Shown]]]:
    """Every App Home published (views.publish), by user: (user, its texts)."""
    homes = []
    for number, call in enumerate(standin.calls_to("views.publish")):
        user = call.args.get("user_id")
        if users is not None and user not in users:
            continue
        view = call.args["view"]
        view = json.loads(view) if isinstance(view, str) else view
        homes.append((user, list(pieces(view.get("blocks", []), f"home of {user} #{number}"))))
    return homes


def responses(standin: SlackStandIn) -> list[Shown]:
    """What was posted to response_urls (ephemeral replies and replaced ephemeral cards)."""
    shown = []
    for number, response in enumerate(standin.responses):
        shown += message(response.get("text"), response.get("blocks"), f"response #{number}")
    return shown


def angle_tokens(shown: Shown) -> list[str]:
    """The `<…>` Slack would act on in a mrkdwn text (none in plain text)."""
    return ANGLE.findall(shown.text) if shown.mrkdwn else []


def unescaped(text: str) -> str:
    """mrkdwn as the reader sees it, for the three characters Slack escapes."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
