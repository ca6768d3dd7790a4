"""A local stand-in for Slack's Web API, used by the tests, the console and the benchmarks.

It answers the Web API methods maintbot calls, over real HTTP on loopback, the way Slack does: JSON
`{"ok": true, …}` bodies, message timestamps, `ok: false` errors, HTTP 429 with Retry-After. It records
every call and every message, so tests can assert what people in Slack would see, and it can be told to
fail (errors, rate limits, server errors, latency) to show that nothing is lost.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    at: float


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    blocks: list[dict]
    thread_ts: str | None = None
    user: str | None = None  # set for ephemeral messages: who sees it
    history: list[dict] = field(default_factory=list)  # earlier versions, oldest first
    metadata: dict | None = None  # message metadata (event_type, event_payload), as apps attach it
    files: list[dict] = field(default_factory=list)  # files shared with the message: id, name, title, alt_txt


@dataclass
class Fault:
    """Answer matching calls with a failure, `times` times (None: until cleared).

    `delay` makes the answer late; `drop` closes the connection without any answer (the client learns at
    once that the answer was lost, with no timeout to wait for or to race). With status 200 and no error,
    Slack has done the work first (the answer, not the work, is late or lost: a client that gives up has
    still posted); otherwise nothing is done. Tests wait for late answers with `SlackStandIn.settled()`,
    never with sleeps.
    """

    method: str | None = None
    channel: str | None = None
    status: int = 200
    error: str | None = None
    retry_after: int | None = None
    delay: float = 0.0
    drop: bool = False
    times: int | None = 1

    def matches(self, method: str, args: dict[str, Any]) -> bool:
        return (self.method in (None, method)) and (self.channel in (None, args.get("channel")))


#: The status `_answer` gives when the connection is to be closed without an answer.
LOST = 0
#: Where the stand-in takes a file's bytes (its own files.slack.com).
UPLOAD_PATH = "/upload/"


@dataclass
class UploadedFile:
    """A file as files_upload_v2 gave it: announced, then its bytes, then shared (channel and ts of its message)."""

    id: str
    name: str
    length: int
    alt_txt: str = ""
    title: str = ""
    data: bytes | None = None
    channel: str | None = None
    ts: str | None = None
    thread_ts: str | None = None

    @property
    def mimetype(self) -> str:
        return "image/png" if self.name.lower().endswith(".png") else "application/octet-stream"


class _CountingServer(ThreadingHTTPServer):
    """Counts requests from the moment they are accepted until their handler ends, for `settled()`."""

    #: The listen backlog. socketserver's default of 5 overflowed when replicas and users connected at once
    #: (bench/reliability_load.py): the kernel dropped the connection attempts, and clients retried them only
    #: after TCP's 1 s (then 3 s) timeout — the second before a pressed card was replaced.
    request_queue_size = 1024

    def __init__(self, address, handler, standin: SlackStandIn) -> None:
        self.standin = standin
        super().__init__(address, handler)

    def process_request(self, request, client_address) -> None:
        self.standin._request_started()
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.standin._request_finished()
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.standin._request_finished()


class SlackStandIn:
    """Start with `start()`; point SLACK_API_URL (or WebClient base_url) at `.api_url`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, latency: float = 0.0) -> None:
        self.latency = latency
        self.calls: list[Call] = []
        self.messages: list[Message] = []
        self.responses: list[dict] = []  # what was POSTed to response_url
        self.views: dict[str, dict] = {}  # view id -> view
        self.home: dict[str, dict] = {}  # user id -> published App Home view
        self.user_groups: dict[str, list[str]] = {}  # group id -> user ids
        self.user_timezones: dict[str, str] = {}
        self.faults: list[Fault] = []
        self.files: dict[str, UploadedFile] = {}  # file id -> the file and its bytes (files_upload_v2)
        self.methods: dict[str, Callable[[dict[str, Any]], dict]] = {}  # more methods (Socket Mode's), by name
        self._lock = threading.Lock()
        self._idle = threading.Condition()
        self._in_flight = 0  # requests accepted and not yet answered (or abandoned)
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._server = _CountingServer((host, port), self._handler(), self)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, name: str = "r") -> str:
        return f"{self.url}/response/{name}-{next(self._ids)}"

    def start(self, poll_interval: float = 0.5) -> SlackStandIn:
        """Serve in a thread; `stop()` waits up to `poll_interval` seconds for it to notice."""
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": poll_interval}, name="slack-standin",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def settled(self, timeout: float = 10.0) -> None:
        """Wait until every request accepted so far has been answered, late ones included.

        A client that timed out leaves its request running here; after this returns, everything it did
        (or did not do) is recorded, so a test can look without guessing how long to sleep.
        """
        with self._idle:
            if not self._idle.wait_for(lambda: self._in_flight == 0, timeout):
                raise TimeoutError(f"{self._in_flight} Slack stand-in requests still running after {timeout} s")

    def _request_started(self) -> None:
        with self._idle:
            self._in_flight += 1

    def _request_finished(self) -> None:
        with self._idle:
            self._in_flight -= 1
            self._idle.notify_all()

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- what people would see ---------------------------------------------------------------------

    def fail(self, **kwargs: Any) -> Fault:
        fault = Fault(**kwargs)
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def posts_in(self, channel: str, *, threads: bool = True) -> list[Message]:
        """Messages visible to everyone in `channel` (ephemeral ones excluded), oldest first."""
        with self._lock:
            return [m for m in self.messages if m.channel == channel and m.user is None
                    and (threads or m.thread_ts is None)]

    def thread(self, channel: str, ts: str) -> list[Message]:
        with self._lock:
            return [m for m in self.messages if m.channel == channel and m.thread_ts == ts]

    def message(self, channel: str, ts: str) -> Message | None:
        with self._lock:
            return next((m for m in self.messages if m.channel == channel and m.ts == ts), None)

    # -- the Web API -------------------------------------------------------------------------------

    def _answer(self, method: str, args: dict[str, Any]) -> tuple[int, dict, dict]:
        """(status, headers, body) for one call."""
        with self._lock:
            self.calls.append(Call(method, args, time.monotonic()))
            fault = next((f for f in self.faults if f.matches(method, args)), None)
            if fault is not None and fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
        if fault is not None and (fault.status != 200 or fault.error):
            if fault.delay:
                time.sleep(fault.delay)
            if fault.drop:
                return LOST, {}, {}
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            if fault.status != 200:
                return fault.status, headers, {"ok": False, "error": fault.error or "fatal_error"}
            return 200, headers, {"ok": False, "error": fault.error}
        if self.latency:
            time.sleep(self.latency)
        handler = self.methods.get(method) or getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return 200, {}, {"ok": False, "error": "unknown_method"}
        with self._lock:
            result = handler(args)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)  # the work is done; only the answer is late
        if fault is not None and fault.drop:
            return LOST, {}, {}  # the work is done; the answer is lost
        return 200, {}, {"ok": "error" not in result, **result}

    def _ts_now(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.000100"

    @staticmethod
    def _blocks(args: dict[str, Any]) -> list[dict]:
        blocks = args.get("blocks") or []
        return json.loads(blocks) if isinstance(blocks, str) else blocks

    def _auth_test(self, args):
        return {"user_id": "UMAINTBOT", "bot_id": "BMAINTBOT", "team_id": "TSTANDIN", "url": self.url}

    def _chat_postMessage(self, args):
        message = Message(args["channel"], self._ts_now(), args.get("text", ""), self._blocks(args),
                          thread_ts=args.get("thread_ts"), metadata=self._metadata(args))
        self.messages.append(message)
        return {"channel": message.channel, "ts": message.ts, "message": {"text": message.text}}

    @staticmethod
    def _metadata(args: dict[str, Any]) -> dict | None:
        metadata = args.get("metadata")
        return json.loads(metadata) if isinstance(metadata, str) else metadata

    def _conversations_history(self, args):
        """Top-level messages of a channel, newest first."""
        found = [m for m in self.messages if m.channel == args["channel"] and m.user is None and m.thread_ts is None]
        return {"messages": [self._listed(m, args) for m in reversed(found)][: int(args.get("limit") or 100)],
                "has_more": False}

    def _conversations_replies(self, args):
        """A thread: its parent first, then the replies, oldest first."""
        channel, ts = args["channel"], args["ts"]
        found = [m for m in self.messages if m.channel == channel and m.user is None and ts in (m.ts, m.thread_ts)]
        if not found:
            return {"error": "thread_not_found"}
        return {"messages": [self._listed(m, args) for m in found][: int(args.get("limit") or 1000)],
                "has_more": False}

    @staticmethod
    def _listed(message: Message, args: dict[str, Any]) -> dict:
        listed = {"type": "message", "ts": message.ts, "text": message.text, "bot_id": "BMAINTBOT"}
        if message.thread_ts:
            listed["thread_ts"] = message.thread_ts
        if message.metadata and str(args.get("include_all_metadata", "")).lower() in ("1", "true"):
            listed["metadata"] = message.metadata
        if message.files:
            listed["files"] = [dict(shared) for shared in message.files]
        return listed

    def _chat_postEphemeral(self, args):
        message = Message(args["channel"], self._ts_now(), args.get("text", ""), self._blocks(args),
                          user=args["user"], thread_ts=args.get("thread_ts"))
        self.messages.append(message)
        return {"message_ts": message.ts}

    def _chat_update(self, args):
        message = next((m for m in self.messages if m.channel == args["channel"] and m.ts == args["ts"]), None)
        if message is None:
            return {"error": "message_not_found"}
        message.history.append({"text": message.text, "blocks": message.blocks})
        message.text, message.blocks = args.get("text", message.text), self._blocks(args) or message.blocks
        return {"channel": message.channel, "ts": message.ts}

    def _views_open(self, args):
        view = self._view(args)
        return {"view": view}

    def _views_push(self, args):
        return {"view": self._view(args)}

    def _views_update(self, args):
        view = self._view(args, view_id=args.get("view_id"))
        return {"view": view}

    def _views_publish(self, args):
        view = self._view(args)
        self.home[args["user_id"]] = view
        return {"view": view}

    def _view(self, args, view_id: str | None = None) -> dict:
        view = args["view"]
        view = json.loads(view) if isinstance(view, str) else dict(view)
        view["id"] = view_id or f"V{next(self._ids):08d}"
        self.views[view["id"]] = view
        return view

    def _usergroups_list(self, args):
        return {"usergroups": [{"id": g, "users": users} for g, users in self.user_groups.items()]}

    def _users_info(self, args):
        user = args["user"]
        zone = self.user_timezones.get(user, "UTC")
        try:  # as Slack gives it: the offset from UTC now, in seconds
            offset = int(datetime.now(ZoneInfo(zone)).utcoffset().total_seconds())
        except (ZoneInfoNotFoundError, ValueError):
            offset = 0
        return {"user": {"id": user, "tz": zone, "tz_offset": offset, "name": user.lower()}}

    # -- files (files_upload_v2) ---------------------------------------------------------------------
    # slack-sdk's files_upload_v2 makes three requests: files.getUploadURLExternal (a file id and an upload URL,
    # here served by the stand-in itself), a POST of the bytes to that URL, and files.completeUploadExternal,
    # which shares the file in a channel or thread as a message of its own. Each step can be made to fail with
    # `fail(method=…)` (the upload's method is "upload"), like any Web API call.

    def uploads_in(self, channel: str) -> list[UploadedFile]:
        """Files shared in `channel` (its threads included), in the order they were shared."""
        with self._lock:
            return [f for f in self.files.values() if f.channel == channel]

    def _files_getUploadURLExternal(self, args):
        if not args.get("filename") or not str(args.get("length", "")).isdigit():
            return {"error": "invalid_arguments"}
        file_id = f"F{next(self._ids):08d}"
        self.files[file_id] = UploadedFile(file_id, args["filename"], int(args["length"]), args.get("alt_txt", ""))
        return {"file_id": file_id, "upload_url": f"{self.url}{UPLOAD_PATH}{file_id}"}

    def _upload(self, args):
        uploaded = self.files.get(args["file_id"])
        if uploaded is None:
            return {"error": "file_not_found"}
        uploaded.data = args["data"]
        return {}

    def _files_completeUploadExternal(self, args):
        listed = args.get("files") or "[]"
        listed = json.loads(listed) if isinstance(listed, str) else listed
        found = [(self.files.get(item.get("id")), item) for item in listed]
        if not found or any(f is None or f.data is None or len(f.data) != f.length for f, _ in found):
            return {"error": "file_upload_incomplete"}  # no bytes, or not as many as announced
        channel = args.get("channel_id") or None
        shared = []
        for uploaded, item in found:
            uploaded.title = item.get("title") or uploaded.name
            shared.append({"id": uploaded.id, "name": uploaded.name, "title": uploaded.title,
                           "alt_txt": uploaded.alt_txt, "mimetype": uploaded.mimetype, "size": uploaded.length})
        if channel is not None:
            comment = args.get("initial_comment", "")
            blocks = [{"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [
                {"type": "text", "text": comment}]}]}] if comment else []  # as Slack shows a file's comment
            message = Message(channel, self._ts_now(), comment, blocks, thread_ts=args.get("thread_ts") or None,
                              files=shared)
            self.messages.append(message)
            for uploaded, _ in found:
                uploaded.channel, uploaded.ts, uploaded.thread_ts = channel, message.ts, message.thread_ts
        return {"files": [{"id": item["id"], "title": item["title"]} for item in shared]}

    def _conversations_open(self, args):
        """The direct message channel between the bot and one user (a `D…` id derived from the user's)."""
        users = [u for u in str(args.get("users", "")).split(",") if u]
        if len(users) != 1:
            return {"error": "not_implemented"}
        return {"channel": {"id": "D" + users[0].lstrip("UW")}}

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length)
                if self.path.startswith(UPLOAD_PATH):  # a file's bytes, as files_upload_v2 sends them
                    return self._answer_with(standin._answer("upload", {
                        "file_id": self.path.removeprefix(UPLOAD_PATH), "data": data}))
                raw = data.decode()
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    args = json.loads(raw or "{}")
                else:
                    args = dict(parse_qsl(raw))
                path, _, query = self.path.partition("?")
                args = dict(parse_qsl(query)) | args  # GET methods (conversations.*) send their arguments here
                if path.startswith("/response/"):
                    with standin._lock:
                        standin.responses.append({"url": path, **args})
                    return self._send(200, {}, {"ok": True})
                method = path.removeprefix("/api/").strip("/")
                return self._answer_with(standin._answer(method, args))

            def _answer_with(self, answer: tuple[int, dict, dict]) -> None:
                status, headers, body = answer
                if status == LOST:
                    self.close_connection = True  # no answer at all: the client sees the connection end
                    return
                self._send(status, headers, body)

            do_GET = do_POST

            def _send(self, status: int, headers: dict, body: dict) -> None:
                payload = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout under test): Slack does not mind either

        return Handler
