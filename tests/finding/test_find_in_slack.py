"""Finding an announcement by what it is called, in Slack: `/maint find`, and words wherever an ID goes.

These tests take `db` and are outside tests/slack, so they run on SQLite and PostgreSQL both."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.enums import State
from tests.factories import announce

READER, MANAGER = "UREADER001", "UCLOUDMGR1"


def later(services, **delta) -> object:
    return services.context.clock.now() + timedelta(**delta)


def at(services, days: int, **fields):
    window = {"scheduled_start": later(services, days=days), "scheduled_end": later(services, days=days, hours=2)}
    return window | fields


@pytest.fixture
def catalogue(db, services, world, cloud_manager):
    """Three Ceph announcements (one a draft, one running), and a kernel upgrade."""
    return {
        "running": announce(services, cloud_manager, State.IN_PROGRESS, name="Ceph OSD rebalance",
                            **at(services, 0)),
        "later": announce(services, cloud_manager, State.SCHEDULED, name="Ceph upgrade to Reef",
                          message="All storage nodes, one at a time.", **at(services, 5)),
        "sooner": announce(services, cloud_manager, State.SCHEDULED, name="Network switch firmware",
                           message="Ceph public network flaps twice.", **at(services, 2)),
        "draft": announce(services, cloud_manager, State.DRAFT, name="Ceph secret draft", **at(services, 1)),
        "kernel": announce(services, cloud_manager, State.SCHEDULED, name="Kernel upgrade", **at(services, 3)),
    }


def listed_ids(text: str, catalogue: dict) -> list[str]:
    """The keys of `catalogue` whose short ids appear in `text`, in the order they appear."""
    found = [(text.find(view.short_id), key) for key, view in catalogue.items() if view.short_id in text]
    return [key for _, key in sorted(found)]


def test_find_lists_what_matches_every_word_soonest_first_in_any_case(slack, catalogue):
    text = slack.command("find CEPH", user=READER).text

    assert listed_ids(text, catalogue) == ["running", "sooner", "later"]  # name or message; in progress first


def test_find_needs_every_word(slack, catalogue):
    text = slack.command("find ceph UPGRADE", user=READER).text

    assert listed_ids(text, catalogue) == ["later"]


def test_find_shows_drafts_to_their_managers_only(slack, catalogue):
    assert "draft" not in listed_ids(slack.command("find secret", user=READER).text, catalogue)
    assert "nothing to show" in slack.command("find secret", user=READER).text
    assert listed_ids(slack.command("find secret", user=MANAGER).text, catalogue) == ["draft"]


def test_find_without_words_says_what_to_type(slack, catalogue):
    text = slack.command("find", user=READER).ack["text"]

    assert "Give the words to look for" in text and "Usage: `/maint find" in text


@pytest.mark.parametrize("hostile", ["%", "_", "\\\\", "'", '"\'"', "100%", "a_b", "%_%"])
def test_wildcards_and_quotes_match_only_themselves(slack, services, catalogue, cloud_manager, hostile):
    announce(services, cloud_manager, State.SCHEDULED, name="Patch 100% of a_b hosts", **at(services, 4))

    reply = slack.command(f"find {hostile}", user=READER)

    assert reply.status == 200
    # nothing but the one name that holds those characters (never every announcement, as a wildcard would)
    assert "Kernel upgrade" not in reply.text and "Ceph" not in reply.text


def test_a_percent_sign_finds_the_announcement_holding_it(slack, services, catalogue, cloud_manager):
    percent = announce(services, cloud_manager, State.SCHEDULED, name="Patch 100% of a_b hosts", **at(services, 4))

    assert percent.short_id in slack.command("find 100%", user=READER).text
    assert percent.short_id in slack.command("find a_b", user=READER).text
    assert "nothing to show" in slack.command("find a%b", user=READER).text


def test_non_ascii_words_match_whatever_their_case(slack, services, catalogue, cloud_manager):
    umlaut = announce(services, cloud_manager, State.SCHEDULED, name="ÜBERHOLUNG der Kühlung", **at(services, 4))

    assert umlaut.short_id in slack.command("find überholung KÜHLUNG", user=READER).text


def test_huge_or_nul_words_are_refused_or_match_nothing_without_failing(slack, catalogue):
    huge = slack.command("find " + "x" * 10_000, user=READER)
    many = slack.command("find " + " ".join(f"w{n}" for n in range(20)), user=READER)
    nul = slack.command("find ceph\x00", user=READER)

    assert huge.status == 200 and "at most 200 characters" in huge.ack["text"]
    assert "Nothing changed" not in huge.ack["text"]
    assert many.status == 200 and "at most 8 words" in many.ack["text"]
    assert nul.status == 200 and "nothing to show" in nul.text


def test_show_by_words_when_exactly_one_matches(slack, catalogue):
    seen = slack.command("show reef", user=READER).last

    assert "Ceph upgrade to Reef" in seen.content and catalogue["later"].short_id in seen.content


def test_show_by_words_lists_the_candidates_when_several_match(slack, catalogue):
    text = slack.command("show ceph", user=READER).ack["text"]

    assert "More than one announcement matches" in text
    assert listed_ids(text, catalogue) == ["running", "sooner", "later"]  # soonest first, no draft
    assert "Give its id, or more words" in text


def test_show_by_words_never_reveals_a_draft(slack, catalogue):
    reader = slack.command("show secret draft", user=READER).ack["text"]
    manager = slack.command("show secret draft", user=MANAGER).last.content

    assert "No announcement matches" in reader and "secret" in reader.lower() and "Ceph secret draft" not in reader
    assert "Ceph secret draft" in manager


def test_a_transition_takes_words(slack, services, catalogue, cloud_manager):
    asked = slack.command("start kernel upgrade", user=MANAGER)  # a day early: asked first
    slack.press(asked.last, "Start now anyway", user=MANAGER)

    assert services.announcements.get(cloud_manager, catalogue["kernel"].uuid).state == State.IN_PROGRESS


def test_history_takes_words(slack, catalogue):
    text = slack.command("history network switch", user=MANAGER).text

    assert catalogue["sooner"].short_id in text and "scheduled" in text.lower()


def test_an_id_still_wins_over_words(slack, catalogue):
    view = catalogue["kernel"]

    assert "Kernel upgrade" in slack.command(f"show {view.short_id}", user=READER).last.content


def test_list_without_a_keyword_shows_running_first_then_upcoming_by_start(slack, catalogue):
    text = slack.command("list", user=READER).text

    assert listed_ids(text, catalogue) == ["running", "sooner", "kernel", "later"]


def test_list_upcoming_keeps_its_order(slack, catalogue):
    assert listed_ids(slack.command("list upcoming", user=READER).text, catalogue) == ["sooner", "kernel", "later"]


def test_find_pages_through_many_matches_with_the_pager(slack, services, world, cloud_manager, db):
    for number in range(22):
        announce(services, cloud_manager, State.SCHEDULED, name=f"Ceph node {number:02d}", **at(services, number + 1))
    announce(services, cloud_manager, State.SCHEDULED, name="Kernel upgrade", **at(services, 1))

    first = slack.command("find ceph node", user=READER)
    assert "Showing 1–20 of 22" in first.text and "Ceph node 00" in first.text and "Kernel" not in first.text

    second = slack.press(first.last, "Next ›", user=READER)
    assert "Showing 21–22 of 22" in second.last.content and "Ceph node 21" in second.last.content
    assert "Kernel" not in second.last.content


def test_words_reach_slack_escaped(slack, catalogue):
    for typed in ("find <!channel> ceph", "find <!channel>", "show <!here>", "list words=<!everyone>"):
        reply = slack.command(typed, user=READER)
        shown = reply.body

        assert reply.status == 200
        assert "<!channel>" not in shown and "<!here>" not in shown and "<!everyone>" not in shown, typed
