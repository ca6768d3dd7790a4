"""Work that happens after the ack: opening modals, replying through response_url, refreshing App Homes.

Listeners run with `process_before_response=True`, so Slack gets its answer when the listener returns;
anything that needs a Web API call is handed to `Followups` and runs on a small thread pool right after.
Tests and the console call `drain()` to wait until everything started by a request has finished.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

log = logging.getLogger(__name__)


class Followups:
    def __init__(self, workers: int = 4) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="maint-followup")
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, work: Callable[..., Any], *args: Any) -> None:
        with self._idle:
            self._pending += 1
        self._pool.submit(self._run, work, args)

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until no follow-up is pending (those submitted by follow-ups included)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)

    def _run(self, work: Callable[..., Any], args: tuple) -> None:
        try:
            work(*args)
        except Exception:
            log.exception("follow-up %s failed", getattr(work, "__qualname__", work))
        finally:
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()
