"""Reading command text: quotes, key=value options and Slack's escaped mentions."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from bot.slack.parsing import Arguments, BadArguments, id_list, instant, unmention, words


def test_escaped_mentions_become_ids():
    text = "managers=<@U123ABC|ann>,<@W999|bob> channel=<#C0FFEE|ops> groups=<!subteam^S42|@sre> <#C777>"

    assert unmention(text) == "managers=U123ABC,W999 channel=C0FFEE groups=S42 C777"


def test_words_honour_straight_and_curly_quotes():
    assert words('provider add "Net Ops" channel=C1') == ["provider", "add", "Net Ops", "channel=C1"]
    assert words("subscribe “Cloud Platform/Kubernetes”") == ["subscribe", "Cloud Platform/Kubernetes"]
    with pytest.raises(BadArguments):
        words('show "unclosed')


def test_arguments_split_positional_words_from_options():
    args = Arguments.of(["upcoming", "state=draft", "State=scheduled", "a=b=c", "https://x.org/?q=1"])

    assert args.positional == ["upcoming", "https://x.org/?q=1"]
    assert args.options == {"state": ["draft", "scheduled"], "a": ["b=c"]}
    assert args.unknown({"state"}) == ["a"]


def test_id_lists_take_commas_and_spaces():
    assert id_list(["U1,U2", "U3 U4"]) == ["U1", "U2", "U3", "U4"]


def test_moments_are_read_in_the_given_zone():
    zone = ZoneInfo("Europe/Tallinn")

    assert instant("2026-03-31", zone).isoformat() == "2026-03-31T00:00:00+03:00"
    assert instant("2026-03-31T22:00", zone).isoformat() == "2026-03-31T22:00:00+03:00"
    assert instant("2026-03-31T22:00+00:00", zone).isoformat() == "2026-03-31T22:00:00+00:00"
    with pytest.raises(BadArguments):
        instant("next tuesday", zone)
