"""Hostile text — `<!channel>`, `<!here>`, `<@U…>`, `<#C…>`, `*`, `_`, `~`, backticks, `&<>`, very long words,
emoji, line breaks — is shown literally and pings no one: in cards, thread replies (reminder, due nudge,
overrun alert, state changes), the weekly summary, App Homes, command replies and the calendar feed.

What "literally" means where Slack parses text (mrkdwn): `&`, `<` and `>` are escaped, so the only `<…>`
Slack acts on are the ones maintbot writes itself (date tokens, the acting person, channels, the external
link), and the reader sees exactly what was typed. `*`, `_`, `~` and backticks cannot be escaped in
mrkdwn: they stay as typed (never removed, never a ping), and where a layout allows user text is in
plain_text, where they are literal too (cards, headers, offering lists).
"""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy import update

from bot.domain.enums import State
from bot.jobs.tick import SummarySchedule, Ticker
from bot.slack.text import escape
from storage.models import Announcement
from tests.conftest import ADMIN_ID, NOW
from tests.factories import announce
from tests.reliability.helpers import (
    Shown,
    angle_tokens,
    channel_posts,
    message,
    pieces,
    published_homes,
    responses,
    unescaped,
)

pytestmark = pytest.mark.parametrize("db", ["sqlite"], indirect=True)

MANAGER, READER = "UCLOUDMGR1", "UREADER001"
CHANNEL, FOLLOWERS, SUMMARIES = "CCLOUD0001", "CFOLLOW001", "CSUMMARY01"
NAME = "<!channel> *Deploy* <@UEVIL0001> _now_ ~old~ `x` &amp; <#CEVIL0001> <!here> 🛠️"
OFFERING = "<!everyone> *VM*s & <b>"
IMPACT = "<!subteam^SEVIL0001|@ops> ~down~ & <x>"
WORD = "Supercalifragilistic" * 60
MESSAGE = f"{NAME}\n{WORD} 👩‍🔧🧑🏽‍💻 `code` *b* _i_ <https://evil.example|click>"
URL = "https://tracker.example.org/CHG-1?a=<b>&c=|d"
START = NOW + timedelta(hours=2)
END = START + timedelta(hours=1)

#: The only `<…>` maintbot itself may put in mrkdwn: date tokens, people and channels it names, its link.
OURS = re.compile(
    r"!date\^\d+\^[^|]*\|[^<>]*|@U(CLOUDMGR1|ADMIN0001|READER001)|#C(CLOUD0001|FOLLOW001|STORE0001|STATS0001)"
    r"|!subteam\^SCLOUDOPS1|https://tracker\.example\.org/CHG-1\?a=&lt;b&gt;&amp;c=%7Cd\|External reference"
)
PINGS = ("!channel", "!here", "!everyone", "EVIL")


def typed(text: str) -> str:
    """Command text as Slack sends what someone typed: `&`, `<` and `>` escaped."""
    return escape(text)


def shows(shown: list[Shown], text: str) -> bool:
    """Someone reading `shown` sees `text` exactly as it was written."""
    return any(text in (unescaped(piece.text) if piece.mrkdwn else piece.text) for piece in shown)


def ack(reply, where: str) -> list[Shown]:
    return message(reply.ack.get("text"), reply.ack.get("blocks"), where) if reply.ack else []


@pytest.fixture
def hostile(slack, api, services, world, clock, cloud_manager):
    """An announcement full of hostile text, taken through its whole life in Slack; what everyone saw."""
    slack.command(f"offering add Cloud/{typed(OFFERING)}", user=ADMIN_ID)
    slack.command(f"subscribe {typed(OFFERING)}", user=READER, channel=FOLLOWERS)
    gone = announce(services, cloud_manager, State.SCHEDULED, name=NAME, message=MESSAGE)
    slack.deliver()
    deleted = slack.press(slack.command(f"delete {gone.short_id}", user=MANAGER).last, "Delete", user=MANAGER)
    slack.deliver()  # its card becomes "Deleted: …"
    slack.command("new", user=MANAGER)
    slack.submit(slack.modal(), user=MANAGER, name=NAME, message=MESSAGE, offerings=[OFFERING],
                 impact_description=IMPACT, url=URL, start=START, end=END, internal_notes="notes")
    [view] = services.announcements.list(cloud_manager).items
    replies = {"delete": deleted, "schedule": slack.command(f"schedule {view.short_id}", user=MANAGER)}
    ticker = Ticker(services, schedule=SummarySchedule.parse("mon 09:00", ZoneInfo("UTC")), summary_channel=SUMMARIES)
    ticker.summarise()
    slack.deliver()
    homes = {user: slack.open_home(user) for user in (READER, MANAGER)}
    replies |= {
        "list": slack.command("list", user=READER),
        "list upcoming": slack.command("list upcoming", user=READER),
        "show": slack.command(f"show {view.short_id}", user=READER),
        "history": slack.command(f"history {view.short_id}", user=MANAGER),
        "offerings": slack.command("offerings Cloud", user=READER),
        "subscriptions": slack.command("subscriptions", user=READER, channel=FOLLOWERS),
    }
    clock.set(START - timedelta(hours=1))
    slack.deliver()  # the 1 h reminder
    clock.set(START + timedelta(minutes=1))
    ticker.tick()
    slack.deliver()  # the due nudge
    replies["start"] = slack.command(f"start {view.short_id}", user=MANAGER)
    clock.set(END + timedelta(minutes=1))
    ticker.tick()
    slack.deliver()  # the overrun alert
    replies["complete"] = slack.command(f"complete {view.short_id}", user=MANAGER)
    slack.deliver()
    calendar = api.http(None).get("/api/maintenance-calendar.ics")
    return {"view": view, "replies": replies, "homes": homes, "calendar": calendar}


def everything_shown(slack, hostile) -> list[Shown]:
    shown = channel_posts(slack.standin) + responses(slack.standin)
    shown += [piece for _, home in published_homes(slack.standin) for piece in home]
    shown += [piece for name, reply in hostile["replies"].items() for piece in ack(reply, name)]
    shown += [piece for m in slack.standin.messages if m.user for piece in message(m.text, m.blocks, "ephemeral")]
    return shown


def test_nothing_anyone_typed_becomes_a_ping_or_a_link(slack, hostile, figures):
    shown = everything_shown(slack, hostile)

    tokens = [(piece.where, token) for piece in shown for token in angle_tokens(piece)]
    foreign = [(where, token) for where, token in tokens if not OURS.fullmatch(token)]
    figures["texts checked for pings"] += len(shown)
    figures["pings or links from user text"] += len(foreign)
    assert foreign == []
    assert not any(ping in token for _, token in tokens for ping in PINGS)
    assert len(shown) > 100


def test_the_card_shows_every_field_as_typed(slack, hostile):
    card = [piece for piece in channel_posts(slack.standin) if piece.where.startswith(f"#{CHANNEL} post")]

    for text in (NAME, MESSAGE, OFFERING, IMPACT):
        assert shows(card, text), text
    assert all(not piece.mrkdwn for piece in card if NAME in piece.text)  # plain_text: `*`, `_`, `~` literal
    followers = [piece for piece in channel_posts(slack.standin) if piece.where.startswith(f"#{FOLLOWERS}")]
    assert shows(followers, NAME) and shows(followers, OFFERING)


def test_thread_replies_and_the_summary_show_the_name_as_typed(slack, hostile):
    replies = [piece for piece in channel_posts(slack.standin) if " reply " in piece.where]
    texts = [unescaped(piece.text) for piece in replies if piece.mrkdwn]
    summary = [piece for piece in channel_posts(slack.standin) if piece.where.startswith(f"#{SUMMARIES}")]

    assert any("Reminder" in text and NAME in text for text in texts)
    assert any("was due to start" in text and NAME in text for text in texts)
    assert any("was due to end" in text and NAME in text for text in texts)
    assert shows(summary, NAME)
    deleted = slack.posts(CHANNEL)[0]
    assert f"Deleted: {NAME}" in deleted.content


def test_homes_and_command_replies_show_names_as_typed(slack, hostile):
    for user, home in hostile["homes"].items():
        assert shows(list(pieces(home.blocks, user)), NAME), user
        assert shows(list(pieces(home.blocks, user)), OFFERING), user
    replies = hostile["replies"]
    for name in ("schedule", "list", "list upcoming", "show", "history", "start", "complete"):
        assert shows(ack(replies[name], name), NAME), name
    deleted = replies["delete"].last  # `/maint delete` asks first: the answer replaces the question
    assert shows(message(deleted.text, deleted.blocks, "delete"), NAME)
    assert shows(ack(replies["show"], "show"), MESSAGE) and shows(ack(replies["show"], "show"), IMPACT)
    assert shows(ack(replies["offerings"], "offerings"), OFFERING)
    assert shows(ack(replies["subscriptions"], "subscriptions"), OFFERING)


def test_the_calendar_feed_holds_the_text_as_typed(hostile):
    assert hostile["calendar"].status_code == 200
    [event] = icalendar.Calendar.from_ical(hostile["calendar"].content).walk("VEVENT")

    assert str(event["SUMMARY"]) == f"[Cloud] {NAME}"
    description = str(event["DESCRIPTION"]).split("\n")
    assert "\n".join(description[:2]) == MESSAGE
    assert f"Affected: {OFFERING} (Degraded performance)" in description and URL in description


def test_line_breaks_and_separators_cannot_break_out_of_a_calendar_field(api, services, world, cloud_manager):
    name = "Line\rbreak;comma,back\\slash\nDTSTART:19990101T000000Z"
    text = "first\r\nsecond\rthird\nfourth\r\nX-INJECTED:1\n\nEND:VEVENT"
    view = announce(services, cloud_manager, State.SCHEDULED)
    with services.context.db.write() as session:  # saved before the domain refused control characters in text
        session.execute(update(Announcement).where(Announcement.uuid == view.uuid).values(name=name, message=text))

    response = api.http(None).get("/api/maintenance-calendar.ics")
    [event] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")

    assert str(event["SUMMARY"]) == f"[Cloud] {name}".replace("\r\n", "\n").replace("\r", "\n")
    assert str(event["DESCRIPTION"]).startswith(text.replace("\r\n", "\n").replace("\r", "\n"))
    assert "X-INJECTED" not in event and event.decoded("DTSTART").year == START.year
    assert all(line and line[0] != "\r" for line in response.text.split("\r\n")[:-1])
