"""The executor Bolt runs lazy listeners on, which can say when everything handed to it has finished.

With `process_before_response=True` a listener's ack function answers Slack; its lazy functions (opening a
modal, replying through `response_url`, refreshing App Homes) are started right after on
`App(listener_executor=…)`. Tests and the console call `drain()` to wait until all work started by a request
has finished, including work that work submitted; it waits on a condition, never by polling. Work runs in a
copy of the submitter's `contextvars` context, so its log records name the request it belongs to (`bot.logs`).
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

log = logging.getLogger(__name__)


class ListenerExecutor(ThreadPoolExecutor):
    """A thread pool that counts the work not yet finished; a failure is logged, never lost silently."""

    def __init__(self, workers: int = 4) -> None:
        super().__init__(max_workers=workers, thread_name_prefix="maint-lazy")
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        with self._idle:
            self._pending += 1
        try:
            return super().submit(contextvars.copy_context().run, self._run, fn, args, kwargs)
        except BaseException:
            self._finished()
            raise

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until nothing submitted is pending (work submitted by that work included); False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def _run(self, fn: Callable[..., Any], args: tuple, kwargs: dict[str, Any]) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception:
            log.exception("work after the ack (%s) failed", getattr(fn, "__qualname__", fn))
            return None
        finally:
            self._finished()

    def _finished(self) -> None:
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()
