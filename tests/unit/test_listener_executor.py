"""The executor Bolt runs lazy listeners on: `drain()` waits for everything handed to it, work it started included."""

from __future__ import annotations

import logging
import threading

from bot.slack.executor import ListenerExecutor


def test_drain_waits_for_work_and_for_the_work_it_submits():
    executor = ListenerExecutor(workers=2)
    release, done = threading.Event(), []

    def second() -> None:
        done.append("second")

    def first() -> None:
        release.wait(5)
        done.append("first")
        executor.submit(second)

    executor.submit(first)
    assert executor.drain(timeout=0.05) is False  # still blocked: drain says so instead of returning early
    release.set()

    assert executor.drain(timeout=5) is True
    assert done == ["first", "second"]
    executor.shutdown()


def test_a_failure_after_the_ack_is_logged_and_does_not_keep_drain_waiting(caplog):
    executor = ListenerExecutor(workers=1)

    def fails() -> None:
        raise RuntimeError("Slack went away")

    with caplog.at_level(logging.ERROR, logger="bot.slack.executor"):
        executor.submit(fails)
        assert executor.drain(timeout=5) is True

    assert any("Slack went away" in (record.exc_text or str(record.exc_info)) for record in caplog.records)
    executor.shutdown()


def test_drain_with_nothing_submitted_returns_at_once():
    executor = ListenerExecutor(workers=1)
    assert executor.drain(timeout=0) is True
    executor.shutdown()
