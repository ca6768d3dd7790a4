"""A `/maint` whose text contains the word "payload" is read like any other (Bolt alone reads such a form body
as an interaction's `payload=` field, and the command would go unanswered)."""

from __future__ import annotations

from bot.domain.enums import State
from tests.factories import announce

MANAGER = "UCLOUDMGR1"


def test_a_command_that_says_payload_is_answered(slack, world, services, cloud_manager):
    announce(services, cloud_manager, State.DRAFT, name="payload rollout")

    reply = slack.command("list drafts payload", user=MANAGER)

    assert reply.status == 200
    assert reply.ack is not None and reply.ack.get("text")


def test_a_command_naming_payload_gets_its_usage_not_silence(slack, world):
    reply = slack.command("show payload", user=MANAGER)

    assert reply.status == 200
    assert "payload" in reply.ack["text"]
