"""Named lists, the statistics' default window, a calendar feed's reach, Slack id shapes, the modal's limits."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.catalog import CHANNEL, GROUP, USER
from bot.domain.enums import State
from bot.domain.feeds import FEED_PAST, feed_since
from bot.domain.listing import PRESETS
from bot.domain.stats import default_window, window
from bot.domain.validation import NAME_MAX, TEXT_MAX, URL_MAX
from bot.slack.modals import announcement_modal, suggested_times
from bot.slack.notices import who

TODAY = date(2026, 11, 30)


def test_presets_name_the_states_and_order_of_each_list():
    assert {name: (p.states, p.ordering) for name, p in PRESETS.items()} == {
        "upcoming": ((State.SCHEDULED,), ("scheduled_start",)),
        "active": ((State.IN_PROGRESS,), ("scheduled_end",)),
        "drafts": ((State.DRAFT,), ("scheduled_start",)),
    }


def test_a_presets_query_is_a_fresh_one_each_time():
    first = PRESETS["upcoming"].query(page_size=15)
    first.states.append(State.DRAFT)

    assert PRESETS["upcoming"].query().states == [State.SCHEDULED]
    assert first.page_size == 15


def test_statistics_cover_the_last_90_days_and_the_next_30_unless_told():
    assert default_window(TODAY) == (date(2026, 9, 1), date(2026, 12, 30))
    assert window(TODAY, None, None) == default_window(TODAY)
    assert window(TODAY, date(2026, 1, 1), None) == (date(2026, 1, 1), date(2026, 12, 30))
    assert window(TODAY, None, date(2026, 12, 1)) == (date(2026, 9, 1), date(2026, 12, 1))


def test_a_feed_reaches_back_thirty_days():
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)

    assert timedelta(days=30) == FEED_PAST
    assert feed_since(now) == now - timedelta(days=30)


def test_slack_ids_have_one_shape_and_thread_replies_mention_only_user_ids():
    assert USER.fullmatch("U0123ABCD") and USER.fullmatch("W0123ABCD") and not USER.fullmatch("C0123ABCD")
    assert CHANNEL.fullmatch("C0123ABCD") and not CHANNEL.fullmatch("general")
    assert GROUP.fullmatch("S0123ABCD")
    assert who({"actor": "U0123ABCD"}) == "<@U0123ABCD>"
    assert who({"actor": "u0123abcd"}) == "u0123abcd"


def test_the_modal_holds_what_the_domain_accepts_and_no_more():
    tallinn = ZoneInfo("Europe/Tallinn")
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    modal = announcement_modal(providers=[], offerings=[], zone=tallinn, now=now, private_metadata="")
    limits = {block["block_id"]: block["element"].get("max_length") for block in modal.to_dict()["blocks"]
              if block["type"] == "input"}

    assert limits["name"] == NAME_MAX
    assert limits["message"] == limits["internal_notes"] == limits["impact_description"] == TEXT_MAX
    assert limits["url"] == URL_MAX


def test_a_new_announcement_is_suggested_for_tomorrow_night_in_the_users_zone():
    tallinn = ZoneInfo("Europe/Tallinn")
    start, end = suggested_times(datetime(2026, 11, 30, 12, tzinfo=UTC), tallinn)

    assert start == datetime(2026, 12, 1, 22, tzinfo=tallinn)
    assert end - start == timedelta(hours=2)
