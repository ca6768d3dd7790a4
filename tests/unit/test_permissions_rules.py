"""What a reach lets an actor do, decided without a database: the rules behind every permission check."""

from __future__ import annotations

import pytest

from bot.domain.actors import Reach
from bot.domain.enums import PUBLIC_STATES, State
from bot.domain.errors import NotAllowed
from storage.models import Offering, Provider

ADMIN, CLOUD_MANAGER, BOTH_MANAGER, NOBODY = Reach(None), Reach({1}), Reach({1, 2}), Reach(set())
CLOUD, STORAGE = 1, 2


def offering_of(provider_id: int) -> Offering:
    return Offering(name="Backup", provider_id=provider_id, provider=Provider(name=f"P{provider_id}"))


def test_admins_manage_every_provider_and_others_only_their_own():
    assert ADMIN.is_admin and ADMIN.manages(CLOUD) and ADMIN.manages(STORAGE)
    assert CLOUD_MANAGER.manages(CLOUD) and not CLOUD_MANAGER.manages(STORAGE) and not CLOUD_MANAGER.is_admin
    assert not NOBODY.manages(CLOUD) and not NOBODY.is_admin


@pytest.mark.parametrize("state", list(State))
def test_published_announcements_are_everyones_and_the_rest_their_managers(state):
    assert NOBODY.may_see(state, CLOUD) is (state in PUBLIC_STATES)
    assert CLOUD_MANAGER.may_see(state, STORAGE) is (state in PUBLIC_STATES)
    assert CLOUD_MANAGER.may_see(state, CLOUD) and ADMIN.may_see(state, STORAGE)


def test_marking_an_offering_affected_takes_managing_its_provider():
    assert CLOUD_MANAGER.may_mark_affected(offering_of(CLOUD))
    assert not CLOUD_MANAGER.may_mark_affected(offering_of(STORAGE))
    assert BOTH_MANAGER.may_mark_affected(offering_of(STORAGE)) and ADMIN.may_mark_affected(offering_of(STORAGE))
    with pytest.raises(NotAllowed) as refused:
        CLOUD_MANAGER.require_may_mark_affected([offering_of(CLOUD), offering_of(STORAGE)])
    assert refused.value.field == "affected" and "P2/Backup" in refused.value.message


def test_only_admins_pass_the_admin_check_and_are_told_what_only_admins_may_do():
    ADMIN.require_admin("Only maintbot admins can manage API tokens.")
    for reach in (CLOUD_MANAGER, BOTH_MANAGER, NOBODY):
        with pytest.raises(NotAllowed) as refused:
            reach.require_admin("Only maintbot admins can manage API tokens.")
        assert refused.value.message == "Only maintbot admins can manage API tokens."


def test_the_manager_check_names_its_refusal_or_says_the_general_words():
    CLOUD_MANAGER.require_manager(CLOUD)
    with pytest.raises(NotAllowed) as general:
        CLOUD_MANAGER.require_manager(STORAGE)
    with pytest.raises(NotAllowed) as named:
        NOBODY.require_manager(CLOUD, "Only admins and this provider's managers can add its offerings.")
    assert general.value.message == "You do not have permission to perform this action."
    assert named.value.message == "Only admins and this provider's managers can add its offerings."
