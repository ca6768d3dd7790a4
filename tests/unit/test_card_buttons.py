"""Every button a card or an App Home item shows is the domain's answer (`lifecycle.available`), for every
state and for managers and everyone else; and every button routes to a listener."""

from __future__ import annotations

import pytest

from bot.domain.enums import Action, State
from bot.domain.lifecycle import EXTENSIONS, FORWARD, available, next_steps
from bot.domain.views import Page
from bot.slack.actions import CARD_ACTIONS
from bot.slack.cards import ACTION_PREFIX, EXTEND_VERBS, card_blocks, done
from bot.slack.home import home_view
from bot.slack.messages import announcement_detail
from bot.slack.progress import POST_UPDATE
from tests.unit.views import view

CASES = [(state, manager) for state in State for manager in (True, False)]


def card_verbs(card) -> list[str]:
    """The lifecycle's buttons of a card (Post update, the domain's `updates.POSTABLE` answer, is tested apart)."""
    buttons = [block for block in card if block.type == "actions"]
    return [element.action_id.removeprefix(ACTION_PREFIX) for block in buttons for element in block.elements
            if element.action_id != POST_UPDATE]


def home_verbs(shown) -> list[str]:
    page = Page([shown], 1, 1, 10)
    empty = Page([], 0, 1, 10)
    blocks = home_view(empty, page, None).to_dict()["blocks"]
    return [
        element["action_id"].removeprefix(ACTION_PREFIX)
        for block in blocks
        if block["type"] == "actions" and block.get("block_id", "").startswith("card:")
        for element in block["elements"]
    ]


@pytest.mark.parametrize(("state", "manager"), CASES)
def test_a_cards_buttons_are_what_the_announcements_managers_may_do(state, manager):
    """A card is one message for everyone who sees it: it offers the managers' actions, whoever looks, and the
    domain refuses anyone else's press (their own answer is empty)."""
    card = card_blocks(view(state, can_manage=manager))

    assert card_verbs(card) == list(available(state, manager=True))
    assert set(card_verbs(card)) >= set(available(state, manager=manager))


@pytest.mark.parametrize(("state", "manager"), CASES)
def test_a_card_shown_to_one_person_offers_what_they_may_do(state, manager):
    """`/maint show` and an ephemeral card: the viewer's own answer, so a reader sees no buttons."""
    assert card_verbs(announcement_detail(view(state, can_manage=manager))) == list(available(state, manager=manager))


@pytest.mark.parametrize(("state", "manager"), CASES)
def test_an_app_home_item_shows_the_viewers_safe_next_steps(state, manager):
    assert home_verbs(view(state, can_manage=manager)) == list(next_steps(state, manager=manager))


@pytest.mark.parametrize("state", list(State))
def test_destructive_buttons_are_red_and_ask_first(state):
    for block in card_blocks(view(state)):
        if block.type != "actions":
            continue
        for button in block.elements:
            verb = button.action_id.removeprefix(ACTION_PREFIX)
            if verb in FORWARD or verb == "edit" or button.action_id == POST_UPDATE:
                assert button.confirm is None
            else:
                assert button.style == "danger" and button.confirm is not None


def test_a_read_only_card_has_no_buttons():
    assert card_verbs(card_blocks(view(State.SCHEDULED), buttons=False)) == []


def test_every_card_button_and_every_extend_button_routes_to_the_card_listener():
    verbs = {verb for state in State for verb in available(state, manager=True)} | set(EXTEND_VERBS)

    assert all(CARD_ACTIONS.match(f"{ACTION_PREFIX}{verb}") for verb in verbs)
    assert not CARD_ACTIONS.match(f"{ACTION_PREFIX}extend45")


def test_extend_offers_exactly_the_domains_extensions():
    assert sorted(EXTEND_VERBS.values()) == sorted(EXTENSIONS)


def test_confirmations_start_with_the_domains_words():
    said = [done(outcome) for outcome in ("published", "withdrawn", "started", "completed", "cancelled")]

    assert said == ["📣 Published", "↩️ Withdrew", "🛠️ Started", "✅ Completed", "🚫 Cancelled"]
    assert done("deleted") == "🗑️ Deleted" and done("extended") == "⏱️ Extended"
    assert Action.SCHEDULE in FORWARD
