"""A Slack workspace for tests: people type `/maint`, press buttons, fill modals, open the App Home.

Requests are built as Slack builds them (bot.console.simulator) and reach the app through a `Transport`: by
default `HttpTransport`, signed and POSTed over HTTP on loopback (HTTP mode); `tests/slack/sockets.py` has
the Socket Mode one, the same request as an envelope over the stand-in's websocket. Either way a `Reply`
holds the ack as HTTP mode would carry it (status and body), so a scenario reads the same in both modes.
The app's Web API calls and response_url posts land in the SlackStandIn. `Seen` is one message or view as
a person sees it; `Reply` is what the acting person saw change after one request.
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
import uvicorn

from bot.console import simulator
from bot.console.standin import SlackStandIn
from bot.slack.app import SlackApp
from tests.helpers import TLS

SECRET = "test-signing-secret-0123456789"


def texts(node: Any) -> list[str]:
    """Every piece of text in blocks (section texts, fields, context, headers, button labels)."""
    found = []
    if isinstance(node, dict):
        if isinstance(node.get("text"), str):
            found.append(node["text"])
        for value in node.values():
            if isinstance(value, dict | list):
                found += texts(value)
    elif isinstance(node, list):
        for value in node:
            found += texts(value)
    return found


@dataclass
class Seen:
    """A message (or App Home) as someone sees it, with what a button press on it would carry."""

    text: str
    blocks: list[dict]
    user: str | None = None  # ephemeral: the only person who sees it
    channel: str | None = None
    ts: str | None = None
    view: dict | None = None

    @property
    def ephemeral(self) -> bool:
        return self.user is not None and self.view is None

    @property
    def content(self) -> str:
        return "\n".join([self.text, *texts(self.blocks)])

    @property
    def buttons(self) -> list[str]:
        return [button.label for button in simulator.buttons(self.blocks)]


@dataclass
class Reply:
    status: int
    body: str
    seen: list[Seen] = field(default_factory=list)  # what appeared or changed for the actor

    @property
    def ack(self) -> dict | None:
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None

    @property
    def text(self) -> str:
        return "\n".join(item.content for item in self.seen)

    @property
    def last(self) -> Seen:
        return self.seen[-1]


class Server:
    """uvicorn serving an ASGI app on a free loopback port, in a thread."""

    def __init__(self, asgi_app) -> None:
        config = uvicorn.Config(asgi_app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


class Transport(Protocol):
    """How a request Slack built reaches the app; answers (status, body) as HTTP mode would."""

    def send(self, body: str, content_type: str, *, secret: str, timestamp: int | None) -> tuple[int, str]: ...

    def send_together(self, bodies: list[str], content_type: str) -> list[tuple[int, str]]: ...

    def close(self) -> None: ...


class HttpTransport:
    """HTTP mode: each request signed and POSTed to `/slack/events`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(timeout=10, verify=TLS)

    def send(self, body: str, content_type: str, *, secret: str = SECRET, timestamp: int | None = None
             ) -> tuple[int, str]:
        signed = simulator.sign(body, content_type, secret, timestamp)
        response = self.http.post(self.url, content=signed.body.encode(), headers=signed.headers)
        return response.status_code, response.text

    def send_together(self, bodies: list[str], content_type: str) -> list[tuple[int, str]]:
        """Every body sent at the same moment, from a client each."""
        barrier = threading.Barrier(len(bodies))

        def send(body: str) -> tuple[int, str]:
            signed = simulator.sign(body, content_type, SECRET)
            with httpx.Client(timeout=10, verify=TLS) as client:
                barrier.wait()
                response = client.post(self.url, content=signed.body.encode(), headers=signed.headers)
                return response.status_code, response.text

        with ThreadPoolExecutor(len(bodies)) as pool:
            return list(pool.map(send, bodies))

    def close(self) -> None:
        self.http.close()


class Workspace:
    def __init__(self, url: str, app: SlackApp, standin: SlackStandIn, dispatcher=None,
                 transport: Transport | None = None) -> None:
        self.url = url.rstrip("/") + "/slack/events"
        self.app = app
        self.standin = standin
        self.dispatcher = dispatcher
        self.transport: Transport = transport or HttpTransport(self.url)
        self._by_response_url: dict[str, Seen] = {}
        self._owners: dict[str, tuple[str, str | None]] = {}
        self._responses_seen = 0
        self._messages_seen = 0
        self._publishes_seen = 0

    @property
    def http(self) -> httpx.Client:
        """The HTTP client of HTTP mode (tests that post by hand)."""
        assert isinstance(self.transport, HttpTransport), "only HTTP mode posts requests"
        return self.transport.http

    def close(self) -> None:
        self.transport.close()

    # -- sending -----------------------------------------------------------------------------------

    def send(self, body: str, content_type: str, *, secret: str = SECRET, timestamp: int | None = None) -> Reply:
        status, text = self.transport.send(body, content_type, secret=secret, timestamp=timestamp)
        self.app.drain()
        return Reply(status, text)

    def command(self, text: str, *, user: str, channel: str = "CCLOUD0001") -> Reply:
        response_url = self._url_for(user, channel)
        reply = self.send(simulator.slash_command(user, channel, text, response_url), simulator.FORM)
        ack = reply.ack
        if ack and (ack.get("text") or ack.get("blocks")):
            in_channel = ack.get("response_type") == "in_channel"
            shown = Seen(ack.get("text", ""), ack.get("blocks") or [], user=None if in_channel else user,
                         channel=channel)
            self._by_response_url[response_url] = shown
            reply.seen.append(shown)
        reply.seen += self._collect().get(user, [])
        return reply

    def press(self, message: Seen, label: str, *, user: str, nth: int = 0) -> Reply:
        reply = self.send(self._press_body(message, label, user, nth), simulator.FORM)
        reply.seen += self._collect().get(user, [])
        return reply

    def press_together(self, message: Seen, label: str, *, users: list[str]) -> list[Reply]:
        """Several people press the same button at the same moment."""
        bodies = [self._press_body(message, label, user) for user in users]
        answers = self.transport.send_together(bodies, simulator.FORM)
        self.app.drain()
        seen = self._collect()
        return [Reply(status, text, seen.get(user, []))
                for user, (status, text) in zip(users, answers, strict=True)]

    def _url_for(self, user: str, channel: str | None, message: Seen | None = None) -> str:
        """A fresh response_url, as Slack gives one per interaction, remembering whose it is."""
        url = self.standin.response_url("r")
        self._owners[url] = (user, channel)
        if message is not None:
            self._by_response_url[url] = message
        return url

    def _press_body(self, message: Seen, label: str, user: str, nth: int = 0) -> str:
        matches = [b for b in simulator.buttons(message.blocks) if b.label == label]
        if len(matches) <= nth:
            raise AssertionError(f"no button {label!r} on {message.buttons}")
        button = matches[nth]
        if message.view is not None:
            return simulator.block_actions(user, button.element, block_id=button.block_id, view=message.view)
        return simulator.block_actions(
            user, button.element, block_id=button.block_id, channel=message.channel,
            message={"type": "message", "ts": message.ts, "text": message.text, "blocks": message.blocks},
            message_ts=message.ts, ephemeral=message.ephemeral,
            response_url=self._url_for(user, message.channel, message))

    def modal(self) -> dict:
        """The last modal opened (views.open), as Slack would show it."""
        opened = self.standin.calls_to("views.open")
        assert opened, "no modal was opened"
        view = opened[-1].args["view"]
        view = json.loads(view) if isinstance(view, str) else view
        return {**view, "id": f"VMODAL{len(opened):04d}"}

    def submit(self, view: dict, *, user: str, **answers: Any) -> Reply:
        values = simulator.fill(view, answers)
        reply = self.send(simulator.view_submission(user, view, values), simulator.FORM)
        reply.seen += self._collect().get(user, [])
        return reply

    def open_home(self, user: str) -> Seen:
        self.send(simulator.app_home_opened(user), simulator.JSON)
        return self.home(user)

    def home(self, user: str) -> Seen:
        view = self.standin.home.get(user)
        assert view is not None, f"no App Home was published for {user}"
        return Seen("", view["blocks"], user=user, view=view)

    # -- what people see ---------------------------------------------------------------------------

    def deliver(self) -> int:
        """Let the dispatcher deliver due notices (channel cards and thread replies)."""
        assert self.dispatcher is not None, "the outbox dispatcher is not available"
        return self.dispatcher.deliver_due()

    def posts(self, channel: str, *, threads: bool = False) -> list[Seen]:
        messages = self.standin.posts_in(channel, threads=threads)
        return [Seen(m.text, m.blocks, channel=channel, ts=m.ts) for m in messages]

    def thread(self, post: Seen) -> list[Seen]:
        messages = self.standin.thread(post.channel, post.ts)
        return [Seen(m.text, m.blocks, channel=post.channel, ts=m.ts) for m in messages]

    def card_in(self, channel: str) -> Seen:
        posts = [post for post in self.posts(channel) if post.buttons or post.blocks]
        assert posts, f"no card in {channel}"
        return posts[-1]

    def _collect(self) -> dict[str, list[Seen]]:
        """What changed for whom since the last look: response_url posts, ephemerals, App Homes."""
        seen: dict[str, list[Seen]] = {}
        responses = self.standin.responses[self._responses_seen:]
        self._responses_seen += len(responses)
        for response in responses:
            url = self.standin.url + response["url"]
            user, channel = self._owners.get(url, (None, None))
            blocks = response.get("blocks") or []
            blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
            target = self._by_response_url.get(url)
            if str(response.get("replace_original")).lower() == "true" and target is not None:
                target.text, target.blocks = response.get("text", ""), blocks
                seen.setdefault(user, []).append(target)
                continue
            shown = Seen(response.get("text", ""), blocks, user=user, channel=channel)
            seen.setdefault(user, []).append(shown)
        messages = self.standin.messages[self._messages_seen:]
        self._messages_seen += len(messages)
        for message in messages:
            if message.user is not None:
                shown = Seen(message.text, message.blocks, user=message.user, channel=message.channel, ts=message.ts)
                seen.setdefault(message.user, []).append(shown)
        publishes = self.standin.calls_to("views.publish")
        fresh, self._publishes_seen = publishes[self._publishes_seen:], len(publishes)
        for user in dict.fromkeys(call.args.get("user_id") for call in fresh):
            seen.setdefault(user, []).append(self.home(user))
        return seen
