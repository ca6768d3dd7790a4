"""The rules of progress updates that need no database: what text is an update, when one may be posted, and
who sees a view's updates (bot/domain/updates.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from bot.domain.enums import MaintenanceType, State, TimingBucket
from bot.domain.errors import Invalid, InvalidState
from bot.domain.updates import POSTABLE, UPDATE_MAX, checked_message, require_postable, shown
from bot.domain.views import AnnouncementView
from bot.slack.cards import card_blocks
from bot.slack.progress import POST_UPDATE

WHEN = datetime(2026, 11, 2, 9, tzinfo=UTC)


def view(state: State, *, manager: bool) -> AnnouncementView:
    return AnnouncementView(
        uuid=uuid4(), name="Kernel upgrade", message="", internal_notes=None,
        maintenance_type=MaintenanceType.SCHEDULED, external_reference_url="", state=state, scheduled_start=WHEN,
        scheduled_end=WHEN, actual_start=None, actual_end=None, provider_uuid=uuid4(), provider_name="Cloud",
        created_by="U1", backend_id="", sequence=1, created=WHEN, modified=WHEN, affected=(), overrun_minutes=None,
        start_delta_minutes=None, timing_bucket=TimingBucket.PENDING, can_manage=manager,
    )


def test_an_update_is_stored_without_its_surrounding_blanks():
    assert checked_message("  Nodes 1–4 done\n") == "Nodes 1–4 done"


def test_an_update_of_exactly_the_maximum_length_is_accepted():
    assert len(checked_message("x" * UPDATE_MAX)) == UPDATE_MAX


@pytest.mark.parametrize("text", ["", "   ", "\n\t", None, 5, ["x"], "x" * (UPDATE_MAX + 1), "a\x00b"])
def test_blank_too_long_or_odd_updates_are_refused_beside_message(text):
    with pytest.raises(Invalid) as refused:
        checked_message(text)
    assert list(refused.value.fields) == ["message"]


@pytest.mark.parametrize("state", [State.SCHEDULED, State.IN_PROGRESS])
def test_updates_may_be_posted_while_scheduled_or_in_progress(state):
    require_postable(state)


@pytest.mark.parametrize("state", [State.DRAFT, State.COMPLETED, State.CANCELLED])
def test_updates_are_refused_in_other_states_naming_the_valid_ones(state):
    with pytest.raises(InvalidState) as refused:
        require_postable(state)
    assert refused.value.valid == ["Scheduled", "In progress"] and refused.value.current == state.label


@pytest.mark.parametrize(("state", "manager", "seen"), [
    (State.SCHEDULED, False, True), (State.IN_PROGRESS, False, True), (State.COMPLETED, False, True),
    (State.DRAFT, False, False), (State.CANCELLED, False, False),
    (State.DRAFT, True, True), (State.CANCELLED, True, True),
])
def test_updates_are_shown_to_everyone_while_public_and_to_managers_always(state, manager, seen):
    assert shown(view(state, manager=manager)) is seen


@pytest.mark.parametrize("state", list(State))
def test_a_card_offers_post_update_right_after_edit_while_updates_may_be_posted(state):
    [actions] = [block for block in card_blocks(view(state, manager=True)) if block.type == "actions"] or [None]
    ids = [element.action_id for element in actions.elements] if actions else []

    if state in POSTABLE:
        assert ids[ids.index("maint.edit") + 1] == POST_UPDATE
    else:
        assert POST_UPDATE not in ids
