"""An admin adds a provider with its silence settings in one `/maint provider add` (the fuzzer found a 500 here)."""

from __future__ import annotations

from tests.factories import ADMIN_ID


def test_a_provider_added_with_matchers_and_silence_at_start_keeps_them(slack, services, world):
    reply = slack.command("provider add Network channel=C0NETWORK1 silence='team=\"net\"' silence_at_start=yes",
                          user=ADMIN_ID)

    assert "Added" in reply.text
    network = services.catalog.provider("Network")
    assert network.silence_matchers == 'team="net"' and network.silence_at_start is True


def test_a_provider_added_with_bad_matchers_is_refused_and_not_added(slack, services, world):
    reply = slack.command("provider add Network channel=C0NETWORK1 silence='team=net'", user=ADMIN_ID)

    assert "must be in double quotes" in reply.text
    assert "Network" not in {provider.name for provider in services.catalog.providers()}
