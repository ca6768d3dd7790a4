"""`maintbot console`: maintbot's Slack app in a terminal, without a Slack workspace.

The real Bolt app (bot.slack.app) receives signed requests exactly as Slack would send them, and its Web
API calls go to the local SlackStandIn; the outbox dispatcher delivers notices to the stand-in too. What
you see is what Slack users would see: the answers only you see, the cards posted or updated in channels
with their thread replies, the App Home. Buttons are numbered: type the number to press one. Modals are
filled through prompts (Enter keeps the value shown, `-` clears it, `/cancel` closes the form).

Files maintbot shares (the weekly summary's chart, `/maint stats … chart`) are saved under `console-files/` in
the working directory (`--files DIR`), and the console says where each went in Slack and where it was saved.

With `--socket-mode` the requests travel as `maintbot run` receives them by default: the stand-in serves
Slack's Socket Mode websocket (bot.console.socket_standin), the app connects to it with the same handler,
and each command, press, form and Home opening is an envelope acked over that connection.

The console runs maintbot's scheduler against its own clock: the real time, moved forward with `/clock +2h`.
Moving it stops at every moment something is due on the way (a reminder, a start, an end passed, the weekly
summary), runs the scheduler's tick there and shows what it sent, under the time it happened. Notices that
were waiting in the outbox when the console starts are delivered and shown first.

Commands are read from stdin, so a session can be scripted: `maintbot console < session.txt`.
The database is DATABASE_URL (SQLite `maintbot.db` by default); `make console` loads demo data first.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from slack_bolt import BoltRequest

from bot import app as runtime_app
from bot.config import Settings, SettingsError, load_settings
from bot.console import simulator, terminal
from bot.console.clock import ConsoleClock, forward
from bot.console.socket_standin import SocketModeStandIn
from bot.console.standin import SlackStandIn
from bot.domain import agenda
from bot.domain.enums import Interface
from bot.domain.service import build_services
from bot.jobs.tick import SummarySchedule, Ticker
from bot.slack.app import SlackApp, build_app
from bot.slack.delivery import Dispatcher
from bot.slack.socket_mode import socket_mode_handler
from bot.slack.text import duration

CONSOLE_USER = "UCONSOLE"
CONSOLE_CHANNEL = "CCONSOLE"
SECRET = "maintbot-console-signing-secret"
#: Where the files maintbot shares are saved, under the working directory unless told (`--files`).
FILES_DIR = "console-files"
HELP = """\
Type what you would type in Slack, e.g. `/maint help`, `/maint list`, `/maint new`.
  N            press button N of what was shown last
  /home        open your App Home
  /as USER     act as another Slack user id (e.g. /as UDEMOALICE)
  /in CHANNEL  type in another channel (e.g. /in CDEMOCLOUD)
  /summary     send today's weekly summary now, with its chart, as the scheduler does on its day
  /clock +2h   move the clock forward (+45m, +1d6h…): reminders, due nudges, overrun alerts and the weekly
               summary happen on the way, each at its time; `/clock` alone says what time it is
  /quit        leave (or Ctrl-D)"""
#: What `/maint help` adds in the console alone: the console's clock is no Slack command.
CLOCK_HELP = """── in this console only ──
  /clock +2h   move the console's clock forward (+45m, +1d6h…, at most 60 days at once); the scheduler runs
               at every moment on the way, so reminders, the due nudge, overrun alerts and the weekly summary
               show up as they would in Slack. `/clock` alone says what time it is. `help` lists the rest."""
#: A summary moment strictly after now (the cron trigger finds the next one at or after what it is given).
JUST_AFTER = timedelta(microseconds=1)
#: A move of the clock stops at most this many times; past that it jumps to where it was told to go.
MOST_STOPS = 500


@dataclass
class Place:
    """Where a shown message lives, so a button press on it carries what Slack would send."""

    channel: str | None = None
    ts: str | None = None
    ephemeral: bool = False
    response_url: str | None = None
    view: dict | None = None
    text: str = ""
    blocks: list | None = None


class Console:
    def __init__(
        self,
        app: SlackApp,
        standin: SlackStandIn,
        dispatcher,
        *,
        user: str,
        channel: str,
        zone: ZoneInfo,
        read: Callable[[str], str | None],
        out: TextIO,
        files: Path = Path(FILES_DIR),
        sockets: SocketModeStandIn | None = None,
        clock: ConsoleClock | None = None,
        ticker: Ticker | None = None,
    ) -> None:
        self.app = app
        self.clock = clock
        self.ticker = ticker
        self.sockets = sockets
        self.standin = standin
        self.dispatcher = dispatcher
        self.user = user
        self.channel = channel
        self.zone = zone
        self.read = read
        self.out = out
        self.files = files
        self.buttons: list[tuple[simulator.Button, Place]] = []
        self._places: dict[str, Place] = {}  # response_url -> the message it replaces
        self._responses = 0
        self._messages = 0
        self._opened = 0
        self._published = 0
        self._versions: dict[tuple[str, str], int] = {}

    # -- the loop ----------------------------------------------------------------------------------

    def run(self) -> int:
        self.say(f"maintbot console — you are {self.user} in #{self.channel}. Type `help` for help.")
        if self.sockets is not None:
            self.say(f"(over Socket Mode: maintbot is connected to {self.sockets.url}, as `maintbot run` connects "
                     "to Slack)")
        self.catch_up()
        while True:
            line = self.read(f"{self.user} in #{self.channel}> ")
            if line is None:
                return 0
            line = line.strip()
            if not line:
                continue
            if line in ("/quit", "/exit", "quit", "exit"):
                return 0
            self.handle(line)

    def handle(self, line: str) -> None:
        if line in ("help", "/help"):
            self.say(HELP)
        elif line.startswith("/maint"):
            self.command(line.removeprefix("/maint").strip())
        elif line.isdigit():
            self.press(int(line))
        elif line == "/home":
            self.send(simulator.app_home_opened(self.user), simulator.JSON)
            self.show_news()
        elif line.startswith("/as "):
            self.user = line.split(None, 1)[1].strip()
            # Everyone at this console types times in its zone, as its form prompts say.
            self.standin.user_timezones.setdefault(self.user, getattr(self.zone, "key", "UTC"))
            self.say(f"you are now {self.user}")
        elif line == "/summary":
            self.summary()
        elif line == "/clock" or line.startswith("/clock "):
            self.move_clock(line.removeprefix("/clock").strip())
        elif line.startswith("/in "):
            self.channel = line.split(None, 1)[1].strip().lstrip("#")
            self.say(f"you are now typing in #{self.channel}")
        else:
            self.say("Not understood; type `help`.")

    def catch_up(self) -> None:
        """Deliver what was waiting in the outbox before the session, and show it: channels as they are now."""
        if self.dispatcher is None:
            return
        delivered = self.dispatcher.deliver_due()
        if delivered:
            self.say(f"(delivered {delivered} notice(s) that were waiting in the outbox:)")
        self.show_news()

    # -- the clock ---------------------------------------------------------------------------------

    def move_clock(self, how_far: str) -> None:
        """`/clock +2h`: move forward, stopping wherever the scheduler has something to do; `/clock`: the time."""
        if self.clock is None or self.ticker is None:
            return self.say("This console has no clock of its own.")
        if not how_far:
            return self.say(f"🕑 It is {self.when(self.clock.now())}{self._ahead()}.")
        try:
            delta = forward(how_far)
        except ValueError as error:
            return self.say(f"⚠ {error}")
        self.buttons = []
        target = self.clock.now() + delta
        for _ in range(MOST_STOPS):
            moment = self._next_moment(self.clock.now())
            stop = moment if moment is not None and moment < target else target
            self.clock.set(stop)
            self._tick()
            if stop >= target:
                break
        else:
            self.clock.set(target)
            self._tick()
        return self.say(f"🕑 It is now {self.when(self.clock.now())}{self._ahead()}.")

    def _next_moment(self, now: datetime) -> datetime | None:
        """The next moment the scheduler has work, from the database and the weekly summary's schedule."""
        assert self.ticker is not None
        moments = [agenda.next_moment(self.app.services.context, now),
                   self.ticker.schedule.trigger().get_next_fire_time(None, now + JUST_AFTER)]
        return min((moment for moment in moments if moment is not None), default=None)

    def _tick(self) -> None:
        """One scheduler tick at the clock's time, as `maintbot run` ticks; what it sent is shown under the time."""
        assert self.clock is not None and self.ticker is not None
        now = self.clock.now()
        self.ticker.tick(now)
        delivered = self.dispatcher.deliver_due() if self.dispatcher is not None else 0
        if delivered:
            self.app.drain()
            self.say(f"🕑 {self.when(now)}")
            self.show_news()

    def when(self, moment: datetime) -> str:
        """A moment as the console shows the time: in the console's zone."""
        return moment.astimezone(self.zone).strftime("%a %d %b %Y %H:%M %Z")

    def _ahead(self) -> str:
        ahead = self.clock.ahead if self.clock is not None else None
        minutes = round(ahead.total_seconds() / 60) if ahead else 0  # the move took a moment of real time
        return f" ({duration(timedelta(minutes=minutes))} ahead of the real time)" if minutes else ""

    # -- acting ------------------------------------------------------------------------------------

    def summary(self) -> None:
        """Queue the weekly summaries of today (each provider's stats channel), as the scheduler would."""
        services = self.app.services
        now = services.context.clock.now()
        queued = services.digest.queue_weekly(now.astimezone(self.zone).date(), None, now)
        if not queued:
            self.say("No summary to send: no provider has a stats channel, or today's went out already.")
        self.show_news()

    def send(self, body: str, content_type: str) -> tuple[int, str]:
        """(status, body) of the ack: dispatched signed into the app, or in Socket Mode an envelope's ack."""
        if self.sockets is not None:
            answer = self.sockets.request(content_type, body).answer
            status, text = 200, json.dumps(answer) if answer else ""
        else:
            signed = simulator.sign(body, content_type, SECRET)
            response = self.app.bolt.dispatch(BoltRequest(body=signed.body, headers=signed.headers))
            status, text = response.status, response.body
        self.app.drain()
        return status, text

    def command(self, text: str) -> None:
        self.buttons = []
        url = self.standin.response_url("cmd")
        _, body = self.send(simulator.slash_command(self.user, self.channel, text, url), simulator.FORM)
        ack = json.loads(body) if body else {}
        if ack.get("text") or ack.get("blocks"):
            in_channel = ack.get("response_type") == "in_channel"
            place = Place(self.channel, ephemeral=not in_channel, response_url=url, text=ack.get("text", ""),
                          blocks=ack.get("blocks") or [])
            self._places[url] = place
            self.show(f"#{self.channel}" if in_channel else "only you see", place)
        if text.strip().lower() in ("", "help") and self.clock is not None:
            self.say(CLOCK_HELP)
        self.show_news()

    def press(self, number: int) -> None:
        if not 1 <= number <= len(self.buttons):
            return self.say(f"There is no button {number}.")
        button, place = self.buttons[number - 1]
        confirm = button.element.get("confirm")
        if confirm:
            answer = self.read(f"{confirm['title']['text']} {confirm['text']['text']} [y/N] ")
            if (answer or "").strip().lower() not in ("y", "yes"):
                return self.say("Kept it.")
        self.buttons = []
        if place.view is not None:
            body = simulator.block_actions(self.user, button.element, block_id=button.block_id, view=place.view)
        else:
            url = self.standin.response_url("press")
            self._places[url] = place
            message = {"type": "message", "ts": place.ts, "text": place.text, "blocks": place.blocks}
            body = simulator.block_actions(self.user, button.element, block_id=button.block_id,
                                           channel=place.channel, message=message, message_ts=place.ts,
                                           ephemeral=place.ephemeral, response_url=url)
        self.send(body, simulator.FORM)
        self.show_news()
        return None

    def fill_modal(self, view: dict[str, Any]) -> None:
        """Prompt for each field of a modal, submit it, and ask again for fields with errors."""
        self.say(f"┌─ {view['title']['text']} " + "─" * 30)
        answers: dict[str, Any] = {}
        todo = simulator.input_blocks(view)
        while True:
            for block in todo:
                answer = self.ask(block)
                if answer is CANCELLED:
                    return self.say("└─ form closed, nothing saved")
                answers[block["block_id"]] = answer
            values = simulator.fill(view, answers, self.zone)
            empty = simulator.missing(view, values)
            if empty:
                self.say(f"│ please fill in: {', '.join(empty)}")
                todo = [b for b in simulator.input_blocks(view) if b["label"]["text"] in empty]
                continue
            _, body = self.send(simulator.view_submission(self.user, view, values), simulator.FORM)
            ack = json.loads(body) if body else {}
            if ack.get("response_action") != "errors":
                self.say("└─ submitted")
                return self.show_news()
            for block_id, message in ack["errors"].items():
                self.say(f"│ ⚠ {block_id}: {message}")
            todo = [b for b in simulator.input_blocks(view) if b["block_id"] in ack["errors"]]

    def ask(self, block: dict[str, Any]) -> Any:
        element, label = block["element"], block["label"]["text"]
        optional = " (optional)" if block.get("optional") else ""
        kind = element["type"]
        shown = ""
        if kind in ("static_select", "multi_static_select"):
            options = simulator._options(element)
            self.say(f"│ {label}{optional}: " + ", ".join(f"{i}) {o['text']['text']}"
                                                       for i, o in enumerate(options, 1)))
        if kind == "plain_text_input":
            shown = element.get("initial_value") or ""
        elif kind == "static_select":
            shown = (element.get("initial_option") or {}).get("text", {}).get("text", "")
        elif kind == "multi_static_select":
            shown = ", ".join(o["text"]["text"] for o in element.get("initial_options") or [])
        elif kind == "datetimepicker" and element.get("initial_date_time"):
            shown = terminal.local(element["initial_date_time"], self.zone)
        elif kind in simulator.PICKED:
            shown = str(element.get(simulator.PICKED[kind][1]) or "")
        hint = f" YYYY-MM-DD HH:MM in {getattr(self.zone, 'key', self.zone)}" if kind == "datetimepicker" else ""
        while True:
            line = self.read(f"│ {label}{optional}{hint} [{shown[:60]}]: ")
            if line is None or line.strip() == "/cancel":
                return CANCELLED
            line = line.strip()
            if not line:
                return None
            if kind == "datetimepicker" and not _readable_time(line, self.zone):
                self.say(f"│ ⚠ write it like 2030-01-31 22:00 (read in {getattr(self.zone, 'key', self.zone)})")
            elif kind == "static_select" and not self._known(element, line):
                self.say("│ ⚠ type one of the numbers or names above")
            elif kind == "multi_static_select" and line != "-" and not all(
                self._known(element, part.strip()) for part in line.split(",") if part.strip()
            ):
                self.say("│ ⚠ type numbers or names from the list above, separated by commas (- for none)")
            else:
                break
        if line == "-":
            return "" if kind == "plain_text_input" else []
        if kind == "static_select":
            return self._option(element, line)
        if kind == "multi_static_select":
            return [self._option(element, part.strip()) for part in line.split(",") if part.strip()]
        return line

    @classmethod
    def _known(cls, element: dict[str, Any], typed: str) -> bool:
        try:
            simulator._find_option(element, cls._option(element, typed))
        except ValueError:
            return False
        return True

    @staticmethod
    def _option(element: dict[str, Any], typed: str) -> str:
        options = simulator._options(element)
        if typed.isdigit() and 1 <= int(typed) <= len(options):
            return options[int(typed) - 1]["value"]
        return typed

    # -- showing -----------------------------------------------------------------------------------

    def show_news(self) -> None:
        """Everything that changed for people since the last look, delivered notices included."""
        self._show_responses()
        self._show_ephemerals()
        if self.dispatcher is not None:
            self.dispatcher.deliver_due()
        self._show_channels()
        self._show_home()
        opened = self.standin.calls_to("views.open")
        fresh, self._opened = opened[self._opened:], len(opened)
        for call in fresh:
            view = call.args["view"]
            view = json.loads(view) if isinstance(view, str) else view
            self.fill_modal({**view, "id": f"VCONSOLE{self._opened}"})

    def _show_responses(self) -> None:
        responses = self.standin.responses[self._responses:]
        self._responses += len(responses)
        for response in responses:
            url = self.standin.url + response["url"]
            blocks = response.get("blocks") or []
            blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
            place = self._places.get(url)
            if str(response.get("replace_original")).lower() == "true" and place is not None:
                place.text, place.blocks = response.get("text", ""), blocks
                self.show("only you see (updated)", place)
                continue
            new = Place(place.channel if place else self.channel, ephemeral=True, text=response.get("text", ""),
                        blocks=blocks)
            self.show("only you see", new)

    def _show_ephemerals(self) -> None:
        messages = self.standin.messages[self._messages:]
        for message in messages:
            if message.user is not None:
                place = Place(message.channel, message.ts, ephemeral=True, text=message.text, blocks=message.blocks)
                self.show(f"only {message.user} sees, in #{message.channel}", place)

    def _show_channels(self) -> None:
        messages = self.standin.messages[self._messages:]
        self._messages += len(messages)
        for message in messages:
            if message.user is not None:
                continue
            self._versions[(message.channel, message.ts)] = len(message.history)
            if message.files:
                self._show_files(message)
                continue
            where = f"posted in #{message.channel}"
            if message.thread_ts:
                where = f"replied in #{message.channel}, in the thread of {message.thread_ts}"
            self.show(where, Place(message.channel, message.ts, text=message.text, blocks=message.blocks))
        for message in self.standin.messages[: self._messages - len(messages)]:
            key = (message.channel, message.ts)
            if message.user is None and len(message.history) > self._versions.get(key, 0):
                self._versions[key] = len(message.history)
                self.show(f"updated in #{message.channel}", Place(message.channel, message.ts, text=message.text,
                                                                  blocks=message.blocks))

    def _show_files(self, message) -> None:
        """A file shared in a channel or a direct message: where it went, what it shows, and where it was saved."""
        where = f"#{message.channel}"
        if message.channel.startswith("D"):
            where = f"a direct message from maintbot ({message.channel})"
        if message.thread_ts:
            where += f", in the thread of {message.thread_ts}"
        lines = [f"  {terminal.plain(message.text, self.zone)}"] if message.text else []
        for shared in message.files:
            uploaded = self.standin.files.get(shared["id"])
            lines.append(f"  🖼  {shared.get('title') or shared['name']} ({shared['name']}, {shared.get('size', 0):,} "
                         "bytes)")
            if shared.get("alt_txt"):
                lines.append(f"  alt text: {shared['alt_txt']}")
            if uploaded is not None and uploaded.data is not None:
                lines.append(f"  saved to {self._save(shared['name'], uploaded.data)} — open it with any image viewer")
        self.say(f"── file shared in {where} ──\n" + "\n".join(lines))

    def _save(self, name: str, data: bytes) -> Path:
        """Write a shared file under `self.files` (a later file of the same name replaces it: the latest shown)."""
        self.files.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", Path(name).name).lstrip(".") or "file"
        path = (self.files / safe).resolve()
        path.write_bytes(data)
        return path

    def _show_home(self) -> None:
        published = self.standin.calls_to("views.publish")
        fresh, self._published = published[self._published:], len(published)
        if any(call.args.get("user_id") == self.user for call in fresh):
            view = self.standin.home[self.user]
            self.show("your App Home", Place(view=view, blocks=view["blocks"]))

    def show(self, where: str, place: Place) -> None:
        numbered: list[simulator.Button] = []
        text = terminal.render(place.blocks or [], self.zone, numbered) if place.blocks else "  " + terminal.plain(
            place.text, self.zone)
        offset = len(self.buttons)
        if offset:
            text = renumber(text, offset, len(numbered))
        self.buttons += [(button, place) for button in numbered]
        self.say(f"── {where} ──\n{text}")

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)


CANCELLED = object()


def _readable_time(text: str, zone: ZoneInfo) -> bool:
    try:
        simulator.epoch_of(text, zone)
    except ValueError:
        return False
    return True


def renumber(text: str, offset: int, count: int) -> str:
    for number in range(count, 0, -1):
        text = text.replace(f"[{number}] ", f"[{number + offset}] ")
    return text


def reader(stdin: TextIO, out: TextIO) -> Callable[[str], str | None]:
    """input() on a terminal; on a pipe, lines from stdin echoed after their prompt (a readable transcript)."""
    if stdin.isatty():

        def ask(prompt: str) -> str | None:
            try:
                return input(prompt)
            except EOFError:
                return None

        return ask

    def read(prompt: str) -> str | None:
        line = stdin.readline()
        if not line:
            return None
        print(prompt + line.rstrip("\n"), file=out, flush=True)
        return line.rstrip("\n")

    return read


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="maintbot console", description=__doc__.split("\n\n")[0])
    parser.add_argument("--user", default=None, help="your Slack user id (default: UCONSOLE, an admin here)")
    parser.add_argument("--channel", default=None, help="the channel you type in (default: the first provider's)")
    parser.add_argument("--files", default=FILES_DIR, type=Path,
                        help=f"where to save the files maintbot shares, like charts (default: ./{FILES_DIR})")
    parser.add_argument("--shared-database", action="store_true",
                        help="allow a PostgreSQL DATABASE_URL (notices waiting there would be 'sent' to the stand-in)")
    parser.add_argument("--socket-mode", action="store_true",
                        help="reach the app over Socket Mode, as `maintbot run` does by default (the stand-in serves "
                             "the websocket)")
    return parser


def main(argv: Sequence[str] | None = None, *, stdin: TextIO | None = None, out: TextIO | None = None) -> int:
    args = build_parser().parse_args(argv)
    stdin, out = stdin or sys.stdin, out or sys.stdout
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if not settings.database_url.startswith("sqlite") and not args.shared_database:
        print("error: the console delivers the outbox to a stand-in for Slack, so notices waiting in this "
              "database would never reach the real Slack; use a SQLite DATABASE_URL, or pass --shared-database",
              file=sys.stderr)
        return 2
    return session(settings, user=args.user, channel=args.channel, stdin=stdin, out=out, files=args.files,
                   socket_mode=args.socket_mode)


def session(
    settings: Settings, *, user: str | None, channel: str | None, stdin: TextIO, out: TextIO,
    files: Path = Path(FILES_DIR), socket_mode: bool = False,
) -> int:
    user = user or CONSOLE_USER
    runtime = runtime_app.build_runtime(settings)
    clock = ConsoleClock()
    standin = SlackStandIn().start(poll_interval=0.05)
    standin.user_timezones[user] = settings.timezone
    console_settings = settings.model_copy(update={
        "slack_api_url": standin.api_url, "slack_signing_secret": SECRET, "slack_bot_token": "xoxb-console"})
    admins = {*settings.admins, CONSOLE_USER}
    services = build_services(runtime.db, clock, admins=admins, reminder_leads=settings.reminder_leads)
    ticker = Ticker(services, schedule=SummarySchedule.parse(settings.summary_at, settings.zone),
                    summary_channel=settings.summary_channel, chart=settings.summary_chart, since=clock.now())
    # audited as the console's; over Socket Mode no signatures, as `maintbot run` there
    app = build_app(services, console_settings, interface=Interface.CONSOLE, verify_requests=not socket_mode)
    dispatcher = Dispatcher(services, app.client, pace=0.0)
    sockets = handler = None
    providers = services.catalog.providers()
    channel = channel or (providers[0].channel_id if providers else CONSOLE_CHANNEL)
    try:
        if socket_mode:
            sockets = SocketModeStandIn(standin).start()
            handler = socket_mode_handler(app.bolt, "xapp-console")
            handler.connect()
            sockets.wait_connected()
        console = Console(app, standin, dispatcher, user=user, channel=channel, zone=settings.zone,
                          read=reader(stdin, out), out=out, files=files, sockets=sockets, clock=clock, ticker=ticker)
        return console.run()
    finally:
        if handler is not None:
            handler.close()
        if sockets is not None:
            sockets.stop()
        dispatcher.stop()
        app.close()
        standin.stop()
        runtime.close()


if __name__ == "__main__":
    sys.exit(main())
