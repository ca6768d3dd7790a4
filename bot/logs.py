"""Logs people and machines can read, that never carry a secret.

`configure(settings)` gives the root logger one handler: human-readable lines (`MAINTBOT_LOG_FORMAT=text`)
or one JSON object a line (`json`). Every record names the request it belongs to: its id (Slack's
envelope id in Socket Mode, the caller's `X-Request-Id` or a fresh one otherwise), the interface, the
actor and the announcement where there is one, and, on the line that ends a request, its outcome. The
interfaces open a request with `request(...)` (a Bolt middleware, an ASGI middleware) and add what they
learn later with `bind(...)`; the fields live in a `contextvars` variable, so work a request hands to
another thread carries them when the context is copied (as the Slack listener executor and anyio do).

`Redact`, a filter on that handler, rewrites every record that reaches it, from any logger, before it is
formatted: the configured tokens and signing secret, anything shaped like a Slack token (`xox?-…`,
`xapp-…`), Slack's `response_url`s (`https://hooks.slack.com/…`, and the current request's own, whatever
its host) and what the request carried that must stay private (internal notes typed into a form) become
`[redacted]`. Bolt and slack_sdk at DEBUG dump whole bodies — acks, Web API calls and answers, Socket Mode
envelopes — which hold rendered internal notes and `response_url`s in Block Kit, where no field name
marks them; those dumps are cut at the first body, leaving what was called and its status.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.config import Settings

REDACTED = "[redacted]"
#: The fields a record carries, in this order, when its request knows them.
FIELDS = ("request_id", "interface", "actor", "announcement", "outcome")
#: Library loggers whose DEBUG output dumps request and response bodies.
LIBRARIES = ("slack_bolt", "slack_sdk")

_TOKEN = re.compile(r"\bx(?:ox[abpre]|app)-[A-Za-z0-9-]+")
_RESPONSE_URL = re.compile(r"https://hooks\.slack(?:-gov)?\.com/[^\s'\"<>,)]*")
#: Where a library's DEBUG line starts dumping a body: a labelled body, or the first JSON-ish structure.
_BODY = re.compile(
    r"(?:,\s*)?\b(?:query_params|body_params|files|json_body|body|headers|message|payload|data|params)\s*[:=]|[{\[]"
)
_WEBHOOK_URL = re.compile(r"(\burl:\s*)[^\s,]+")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


@dataclass
class Request:
    """What the current request's log records say about it; `hidden` is what they must never say."""

    request_id: str
    interface: str
    actor: str | None = None
    announcement: str | None = None
    outcome: str | None = None
    hidden: set[str] = field(default_factory=set)

    def fields(self) -> dict[str, str]:
        return {name: value for name in FIELDS if (value := getattr(self, name))}


_current: ContextVar[Request | None] = ContextVar("maintbot_request", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


def request_id_from(value: str | None) -> str:
    """A caller's request id when it is a plain token (it reaches logs as it came), else a fresh one."""
    return value if value and _REQUEST_ID.match(value) else new_request_id()


def current() -> Request | None:
    return _current.get()


@contextmanager
def request(request_id: str | None, interface: str, *, actor: str | None = None, announcement: str | None = None,
            hidden: tuple[str | None, ...] = ()) -> Iterator[Request]:
    """The records logged inside carry this request's fields; cleared after. Without `request_id`, the request
    already open (a server's, an envelope's) goes on with these fields added, or a new one is opened."""
    entry = _current.get()
    if request_id is None and entry is not None:
        bind(actor=actor, announcement=announcement, hidden=hidden)
        yield entry
        return
    entry = Request(request_id or new_request_id(), interface, actor, announcement)
    entry.hidden.update(_worth_hiding(hidden))
    token = _current.set(entry)
    try:
        yield entry
    finally:
        _current.reset(token)


def bind(*, actor: str | None = None, announcement: str | None = None, outcome: str | None = None,
         hidden: tuple[str | None, ...] = ()) -> None:
    """Add what is learnt during a request (who the token belongs to, the announcement, how it ended)."""
    entry = _current.get()
    if entry is None:
        return
    if actor:
        entry.actor = actor
    if announcement:
        entry.announcement = announcement
    if outcome:
        entry.outcome = outcome
    entry.hidden.update(_worth_hiding(hidden))


def _worth_hiding(values: tuple[str | None, ...]) -> set[str]:
    """Values long enough to find (a note of two letters would blank those letters everywhere); the filter's
    other rules and the cut of library bodies cover the rest."""
    return {value for value in values if value and len(value) >= 4}


# -- redaction --------------------------------------------------------------------------------------


class Redact(logging.Filter):
    """Removes secrets from every record before it is formatted (see the module's docstring)."""

    def __init__(self, secrets: tuple[str | None, ...] = ()) -> None:
        super().__init__()
        self.secrets = tuple(sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True))

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # arguments that do not fit the message: logging would print its own complaint
            message = f"{record.msg} {record.args!r}"
        if record.levelno <= logging.DEBUG and record.name.startswith(LIBRARIES):
            message = _without_body(record.name, message)
        record.msg, record.args = self.clean(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = self.clean(record.exc_text)
            record.exc_info = None
        if record.stack_info:
            record.stack_info = self.clean(record.stack_info)
        for name in ("request_id", "actor", "announcement", "outcome"):  # set by `extra=`
            value = record.__dict__.get(name)
            if isinstance(value, str):
                record.__dict__[name] = self.clean(value)
        return True

    def clean(self, text: str) -> str:
        entry = _current.get()
        for secret in (*self.secrets, *sorted(entry.hidden if entry else (), key=len, reverse=True)):
            if secret in text:
                text = text.replace(secret, REDACTED)
        text = _TOKEN.sub(REDACTED, text)
        return _RESPONSE_URL.sub(REDACTED, text)


def _without_body(logger: str, message: str) -> str:
    """A library's DEBUG line up to its first body; a webhook client's URL is a response_url."""
    cut = _BODY.search(message)
    if cut is not None:
        message = message[: cut.start()].rstrip(" ,(:") + " (body not logged)"
    if logger.startswith("slack_sdk.webhook"):
        message = _WEBHOOK_URL.sub(lambda match: match[1] + REDACTED, message)
    return message


# -- formatting -------------------------------------------------------------------------------------


def fields_of(record: logging.LogRecord) -> dict[str, str]:
    """The request fields of a record: the current request's, then any given with `extra=`."""
    entry = _current.get()
    found = entry.fields() if entry else {}
    for name in FIELDS:
        value = record.__dict__.get(name)
        if value:
            found[name] = str(value)
    return found


class TextFormatter(logging.Formatter):
    """`2026-11-30 12:00:00,123 INFO bot.slack.listening: message [request_id=… interface=slack …]`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        found = fields_of(record)
        if not found:
            return line
        head, newline, rest = line.partition("\n")
        return f"{head} [{' '.join(f'{k}={v}' for k, v in found.items())}]{newline}{rest}"


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the request fields, and an exception's text."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **fields_of(record),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


def formatter(kind: str) -> logging.Formatter:
    return JsonFormatter() if kind == "json" else TextFormatter()


def handler_for(settings: Settings, stream: TextIO | None = None) -> logging.Handler:
    """A handler writing `settings.log_format` lines, redacting the configured secrets."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter(settings.log_format))
    handler.addFilter(Redact((settings.slack_bot_token, settings.slack_signing_secret, settings.slack_app_token)))
    handler.set_name("maintbot")
    return handler


def configure(settings: Settings, *, level: int | str | None = None, stream: TextIO | None = None) -> logging.Handler:
    """The root logger's one handler (replacing an earlier one of ours), at `level` (MAINTBOT_LOG_LEVEL unless
    given); library loggers propagate to it."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "maintbot"]:
        root.removeHandler(old)
    handler = handler_for(settings, stream)
    root.addHandler(handler)
    root.setLevel(settings.log_level if level is None else level)
    return handler


def configured() -> bool:
    """Whether `configure` gave the root logger its handler (in `maintbot run`, not in a CLI's early errors)."""
    return any(handler.get_name() == "maintbot" for handler in logging.getLogger().handlers)


def say(logger: logging.Logger, message: str, *, level: int = logging.INFO) -> None:
    """A line for the operator at start-up or shutdown: a record in the configured format (text or JSON) once
    `configure` ran, else plain on stderr (before logging is set up, e.g. a refusal to start)."""
    if configured():
        logger.log(level, message)
    else:
        print(message, file=sys.stderr)
