"""Which Socket Mode envelopes were already dispatched: the memory behind answering a re-delivery once."""

from __future__ import annotations

from bot.slack.socket_mode import Redeliveries


def test_the_first_delivery_dispatches_and_a_repeat_gets_the_same_answer():
    memory = Redeliveries()
    first, dispatch = memory.claim("env-1")
    again, dispatch_again = memory.claim("env-1")

    assert dispatch and not dispatch_again
    assert again is first


def test_another_envelope_is_dispatched_on_its_own():
    memory = Redeliveries()
    memory.claim("env-1")

    assert memory.claim("env-2")[1]


def test_an_envelope_is_forgotten_after_the_time_slack_retries_within():
    memory = Redeliveries(keep=-1)  # everything older than now is past keeping
    memory.claim("env-1")

    assert memory.claim("env-1")[1]


def test_the_memory_is_bounded_oldest_first():
    memory = Redeliveries(most=2)
    for envelope in ("env-1", "env-2", "env-3"):
        memory.claim(envelope)

    assert not memory.claim("env-3")[1]
    assert memory.claim("env-1")[1]  # the oldest made room
