"""The named lists every interface offers: upcoming, active, drafts."""

from __future__ import annotations

from bot.domain.enums import State
from bot.domain.listing import PRESETS


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
