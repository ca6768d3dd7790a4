"""Replayed requests: a request Slack signed is accepted once.

Bolt checks each HTTP-mode request's signature and that its timestamp lies within five minutes of now,
so a captured request sent again inside those five minutes would be accepted a second time. This global
middleware runs after Bolt's checks (only correctly signed requests reach it) and remembers the
signature of every request it lets through until the request's timestamp leaves Bolt's window; the
same signature again is refused with the 401 a forged request gets. Commands and interactions are
never resent by Slack; an event delivery Slack retries is signed again with a fresh timestamp (and had
it repeated a signature, refusing the copy of an event already received would lose nothing).

The memory is per process. With several replicas behind a load balancer, a replay that lands on another
replica is not recognised here; what it asks for then meets the domain's rules like any request, and a
transition already made is refused by the compare-and-set (DESIGN §2), so a press replayed there changes
nothing. A replayed form submission can create a second draft, seen only by the provider's managers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from slack_bolt.middleware import Middleware
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

log = logging.getLogger(__name__)

#: Bolt accepts a timestamp this many seconds from now, either way.
WINDOW = 5 * 60
SWEEP_EVERY = 30.0


def refused() -> BoltResponse:
    """The answer to a request that is not accepted: the same as Bolt's for a bad signature."""
    return BoltResponse(status=401, body={"error": "invalid request"})


class ReplayGuard(Middleware):
    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._seen: dict[str, float] = {}  # signature -> when its timestamp leaves the window
        self._lock = threading.Lock()
        self._next_sweep = 0.0

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse:
        if req.mode == "socket_mode":
            return next()
        signature = (req.headers.get("x-slack-signature") or [""])[0]
        timestamp = (req.headers.get("x-slack-request-timestamp") or ["0"])[0]
        if not signature:  # request verification is off (a trusted transport): nothing to remember
            return next()
        now = self._clock()
        with self._lock:
            if now >= self._next_sweep:
                self._seen = {key: until for key, until in self._seen.items() if until > now}
                self._next_sweep = now + SWEEP_EVERY
            if self._seen.get(signature, 0.0) > now:
                log.info("refused a replayed Slack request (timestamp %s)", timestamp)
                return refused()
            self._seen[signature] = int(timestamp) + WINDOW + 1 if timestamp.isdigit() else now + 2 * WINDOW
        return next()
