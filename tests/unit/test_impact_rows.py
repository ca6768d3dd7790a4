"""Impact per offering: the merge rule's reach (`keeps_own`), and the form's rows read back into impacts."""

from __future__ import annotations

from uuid import uuid4

from bot.domain.announcements import AffectedInput
from bot.domain.impacts import keeps_own
from bot.slack import modals


def test_the_merge_rule_reaches_every_offering_or_only_those_named():
    one, other = uuid4(), uuid4()

    assert keeps_own(True, one) and not keeps_own(False, one)
    assert keeps_own(frozenset({one}), one) and not keeps_own(frozenset({one}), other)
    assert not keeps_own(frozenset(), one)


def test_an_offering_with_a_row_takes_its_row_and_the_others_the_remaining_impact():
    rowed, shared = uuid4(), uuid4()
    values = {"offerings": [rowed.hex, shared.hex], f"impact:{rowed.hex}": "4", f"what:{rowed.hex}": "down",
              "impact": "3", "impact_description": "slow"}

    assert modals.affected_items(values) == [AffectedInput(rowed, 4, "down"), AffectedInput(shared, 3, "slow")]


def test_only_offerings_without_a_row_keep_their_own_and_only_while_the_remaining_impact_is_as_shown():
    rowed, shared = uuid4(), uuid4()
    shown = {"i": 2, "d": modals.fingerprint("")}
    values = {"offerings": [rowed.hex, shared.hex, "not-a-uuid"], f"impact:{rowed.hex}": "4", "impact": "2"}

    assert modals.kept_impacts(values, shown) == frozenset({shared})
    assert modals.kept_impacts(values | {"impact": "3"}, shown) == frozenset()


def test_a_redraw_shows_what_was_entered_and_nothing_the_element_cannot_show():
    modal = {"blocks": [
        {"type": "input", "block_id": "name", "element": {"type": "plain_text_input", "max_length": 5}},
        {"type": "input", "block_id": "impact", "element": {"type": "static_select", "options": [
            {"value": "2", "text": {"type": "plain_text", "text": "Degraded"}}]}},
        {"type": "input", "block_id": "start", "element": {"type": "datetimepicker", "initial_date_time": 7}},
    ]}
    state = {"values": {
        "name": {"value": {"type": "plain_text_input", "value": "too long for it"}},
        "impact": {"value": {"type": "static_select", "selected_option": {"value": "99"}}},
        "start": {"value": {"type": "datetimepicker", "selected_date_time": "soon"}},
    }}

    shown = modals.kept(modal, state)["blocks"]

    assert shown[0]["element"]["initial_value"] == "too l"
    assert "initial_option" not in shown[1]["element"]
    assert shown[2]["element"]["initial_date_time"] == 7
