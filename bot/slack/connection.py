"""Whether Slack answers, for `maintbot run`: checked at start-up, then watched, so the bot serves without it.

    link = SlackLink(client)
    link.check()              # once, at start-up: raises Refused when Slack answers and refuses the token
    link.when_back(callback)  # run after every return of Slack (and at the first answer)
    link.start() … link.stop()

`auth.test` is the probe. Slack answering it means connected. Slack refusing the token (invalid_auth,
token_revoked, …) is `Refused`: retrying cannot help, the operator must fix the token. Anything else — no
connection, a timeout, HTTP 5xx, a rate limit, Slack's own transient errors — means unreachable: the HTTP API
serves meanwhile, and the watcher asks again with backoff (1 s doubling to `BACKOFF_CAP`), then every
`WATCH_SECONDS` while Slack answers, so `/readyz` tells the truth. When Slack answers after being away, the
callbacks run: notices waiting out their delivery backoff go at once, Socket Mode connects. A callback that
fails counts as Slack still being away, and is tried again with the next answer.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

BACKOFF_START = 1.0
BACKOFF_CAP = 15.0
WATCH_SECONDS = 60.0
#: Slack errors that say "not now" rather than "not this token".
TRANSIENT = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"})


class Refused(Exception):
    """Slack answered and refused the bot token."""


class SlackLink:
    def __init__(self, client: WebClient, *, watch: float = WATCH_SECONDS) -> None:
        self.client = copy.copy(client)
        self.client.retry_handlers = []  # the watcher retries by itself, without holding anything meanwhile
        self.watch = watch
        self.identity: dict[str, Any] = {}
        self._state = "unknown"
        self._reason = ""
        self._since = datetime.now(UTC)
        self._callbacks: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # -- what it knows -----------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._state == "connected"

    def status(self) -> dict[str, Any]:
        """For /readyz: connected (as whom) or unreachable (why), and since when."""
        with self._lock:
            report: dict[str, Any] = {"status": self._state, "since": self._since.isoformat(timespec="seconds")}
            if self._state == "connected":
                report["team"] = self.identity.get("team") or self.identity.get("team_id")
            elif self._reason:
                report["detail"] = self._reason
            return report

    def when_back(self, callback: Callable[[], None]) -> None:
        """Call `callback()` each time Slack answers after not answering (the first answer included)."""
        self._callbacks.append(callback)

    # -- asking ------------------------------------------------------------------------------------

    def check(self) -> bool:
        """Ask Slack once; True when it answers. Raises Refused when it refuses the token."""
        try:
            identity = self.client.auth_test()
        except SlackApiError as error:
            status = error.response.status_code
            code = error.response.get("error") or f"HTTP {status}"
            if status < 500 and status != 429 and code not in TRANSIENT:
                raise Refused(code) from None
            return self._away(f"{code} (HTTP {status})")
        except Exception as error:  # no connection, DNS, TLS, timeouts: urllib's errors
            return self._away(f"{type(error).__name__}: {getattr(error, 'reason', error)}")
        self.identity = dict(identity.data) if isinstance(identity.data, dict) else {}
        return self._answered()

    def _away(self, reason: str) -> bool:
        with self._lock:
            changed = self._state != "unreachable"
            self._state, self._reason = "unreachable", reason
            if changed:
                self._since = datetime.now(UTC)
        if changed:
            log.warning("Slack is not answering (%s): the HTTP API serves on; notices wait and go once it does",
                        reason)
        return False

    def _answered(self) -> bool:
        with self._lock:
            was, away_since = self._state, self._since
        if was == "connected":
            return True
        for callback in self._callbacks:
            try:
                callback()
            except Exception as error:
                log.exception("after Slack answered again")
                return self._away(f"{type(error).__name__}: {error}")
        with self._lock:
            self._state, self._reason, self._since = "connected", "", datetime.now(UTC)
        who = self.identity.get("user") or self.identity.get("user_id")
        if was == "unreachable":  # operators watching the outage want to see it end
            log.warning("Slack answers again after %.0f s: connected as %s; waiting notices go now",
                        (self._since - away_since).total_seconds(), who)
        else:
            log.info("Slack answers: connected as %s", who)
        return True

    # -- watching ----------------------------------------------------------------------------------

    def start(self) -> SlackLink:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._watch, name="maint-slack-link", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _watch(self) -> None:
        delay = BACKOFF_START
        while not self._stopping.wait(self.watch if self.connected else delay):
            try:
                answered = self.check()
            except Refused as refused:  # the token was revoked while running: say so, keep serving the API
                answered = self._away(f"Slack refused SLACK_BOT_TOKEN ({refused})")
            delay = BACKOFF_START if answered else min(delay * 2, BACKOFF_CAP)
