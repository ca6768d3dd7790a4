"""Slack ids have one shape, the domain's, wherever they are checked or recognised."""

from __future__ import annotations

from bot.domain.catalog import CHANNEL, GROUP, USER
from bot.slack.notices import who


def test_slack_ids_have_one_shape_and_thread_replies_mention_only_user_ids():
    assert USER.fullmatch("U0123ABCD") and USER.fullmatch("W0123ABCD") and not USER.fullmatch("C0123ABCD")
    assert CHANNEL.fullmatch("C0123ABCD") and not CHANNEL.fullmatch("general")
    assert GROUP.fullmatch("S0123ABCD")
    assert who({"actor": "U0123ABCD"}) == "<@U0123ABCD>"
    assert who({"actor": "u0123abcd"}) == "u0123abcd"
