"""Who may do what (DESIGN §1-§2, seed §7): admins everything, a provider's managers their provider,
everyone else reads what is published.

A refusal is NotAllowed when the actor can see the thing and NotFound when they cannot (drafts and
cancelled announcements, and templates, are seen only by their provider's managers), and it changes
nothing: no row, no audit event, no notice.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.domain.announcements import NO_PERMISSION_FOR_PROVIDER, AffectedInput
from bot.domain.catalog import ADMINS_ONLY
from bot.domain.enums import PUBLIC_STATES, Action, State
from bot.domain.errors import DomainError, Invalid, NotAllowed, NotFound
from bot.domain.listing import ListQuery
from storage.models import ApiToken, Event, Notice
from tests.factories import announce

CLOUD_MANAGERS = ["admin", "cloud_manager", "cloud_group_member"]
OUTSIDERS = ["storage_manager", "anyone"]
NOT_ADMINS = ["cloud_manager", "cloud_group_member", "storage_manager", "anyone"]
EVERYONE = [*CLOUD_MANAGERS, *OUTSIDERS]
NOT_PERMITTED = "You do not have permission to perform this action."


def everything(services, admin) -> tuple:
    """All an admin can see, plus the audit and outbox row counts: equal before and after means nothing changed."""
    announcements = services.announcements.list(admin, ListQuery(page_size=300)).items
    with services.context.db.read() as session:
        events = session.scalar(select(func.count()).select_from(Event))
        notices = session.scalar(select(func.count()).select_from(Notice))
    return (
        announcements,
        [services.announcements.history(admin, a.uuid) for a in announcements],
        services.templates.list(admin, page_size=300).items,
        services.catalog.providers(),
        services.catalog.offerings(),
        services.tokens.list(admin),
        events,
        notices,
    )


def outcome(act) -> str:
    """'allowed', or the name of the refusal."""
    try:
        act()
    except DomainError as refusal:
        return type(refusal).__name__
    return "allowed"


# -- operations on one Cloud announcement ---------------------------------------------------------


def full_update(services, actor, announcement):
    fields = {
        "name": "Kernel upgrade (moved)",
        "message": announcement.message,
        "scheduled_start": announcement.scheduled_start + timedelta(hours=1),
        "scheduled_end": announcement.scheduled_end + timedelta(hours=1),
        "provider": "Cloud",
    }
    return services.announcements.update(actor, announcement.uuid, fields, partial=False)


ON_AN_ANNOUNCEMENT = {
    "full update": full_update,
    "partial update": lambda s, actor, a: s.announcements.update(actor, a.uuid, {"message": "Two reboots."}),
    "delete": lambda s, actor, a: s.announcements.delete(actor, a.uuid),
    "schedule": lambda s, actor, a: s.announcements.transition(actor, a.uuid, Action.SCHEDULE),
    "unschedule": lambda s, actor, a: s.announcements.transition(actor, a.uuid, Action.UNSCHEDULE),
    "start": lambda s, actor, a: s.announcements.transition(actor, a.uuid, Action.START),
    "complete": lambda s, actor, a: s.announcements.transition(actor, a.uuid, Action.COMPLETE),
    "cancel": lambda s, actor, a: s.announcements.transition(actor, a.uuid, Action.CANCEL),
    "add affected offering": lambda s, actor, a: s.announcements.add_affected(
        actor, a.uuid, AffectedInput("Kubernetes")
    ),
    "update affected offering": lambda s, actor, a: s.announcements.update_affected(
        actor, a.affected[0].uuid, {"impact_level": 4}
    ),
    "remove affected offering": lambda s, actor, a: s.announcements.remove_affected(actor, a.affected[0].uuid),
    "history": lambda s, actor, a: s.announcements.history(actor, a.uuid),
}
READS = {"history"}
# Each operation in a state where it is legal: hidden (Draft, Cancelled) and published where it applies.
ANNOUNCEMENT_CASES = [
    ("full update", State.DRAFT),
    ("full update", State.SCHEDULED),
    ("partial update", State.DRAFT),
    ("partial update", State.IN_PROGRESS),
    ("delete", State.DRAFT),
    ("delete", State.COMPLETED),
    ("schedule", State.DRAFT),
    ("unschedule", State.SCHEDULED),
    ("start", State.SCHEDULED),
    ("complete", State.IN_PROGRESS),
    ("cancel", State.DRAFT),
    ("cancel", State.SCHEDULED),
    ("add affected offering", State.DRAFT),
    ("add affected offering", State.SCHEDULED),
    ("update affected offering", State.DRAFT),
    ("update affected offering", State.IN_PROGRESS),
    ("remove affected offering", State.CANCELLED),
    ("remove affected offering", State.COMPLETED),
    ("history", State.DRAFT),
    ("history", State.COMPLETED),
]
CASE_IDS = [f"{operation} in {state.label}" for operation, state in ANNOUNCEMENT_CASES]


def cloud_announcement(services, cloud_manager, state):
    return announce(services, cloud_manager, state, affected=[AffectedInput("VMs")])


@pytest.mark.parametrize("who", CLOUD_MANAGERS)
@pytest.mark.parametrize(("operation", "state"), ANNOUNCEMENT_CASES, ids=CASE_IDS)
def test_admins_and_the_providers_managers_may_act_on_its_announcements(
    request, services, world, admin, cloud_manager, operation, state, who
):
    announcement = cloud_announcement(services, cloud_manager, state)
    before = everything(services, admin)

    result = ON_AN_ANNOUNCEMENT[operation](services, request.getfixturevalue(who), announcement)

    if operation in READS:
        assert result, "a manager reads a non-empty history"
    else:
        assert everything(services, admin) != before


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize(("operation", "state"), ANNOUNCEMENT_CASES, ids=CASE_IDS)
def test_others_are_refused_on_a_providers_announcements_and_nothing_changes(
    request, services, world, admin, cloud_manager, operation, state, who
):
    announcement = cloud_announcement(services, cloud_manager, state)
    before = everything(services, admin)
    expected = NotAllowed if state in PUBLIC_STATES else NotFound

    with pytest.raises(expected):
        ON_AN_ANNOUNCEMENT[operation](services, request.getfixturevalue(who), announcement)

    assert everything(services, admin) == before


def test_an_outsider_refused_on_a_published_announcement_is_told_they_lack_permission(
    services, world, cloud_manager, anyone
):
    announcement = cloud_announcement(services, cloud_manager, State.SCHEDULED)

    with pytest.raises(NotAllowed) as refused:
        services.announcements.transition(anyone, announcement.uuid, Action.START)

    assert refused.value.message == NOT_PERMITTED


def test_linking_an_offering_without_permission_names_the_provider_rule(services, world, cloud_manager, anyone):
    announcement = cloud_announcement(services, cloud_manager, State.SCHEDULED)

    with pytest.raises(NotAllowed) as refused:
        services.announcements.add_affected(anyone, announcement.uuid, AffectedInput("Kubernetes"))

    assert refused.value.message == NO_PERMISSION_FOR_PROVIDER


# -- creating and moving between providers --------------------------------------------------------


@pytest.mark.parametrize("who", CLOUD_MANAGERS)
def test_admins_and_managers_create_announcements_for_their_provider(request, services, world, admin, who):
    announcement = announce(services, request.getfixturevalue(who))

    assert services.announcements.get(admin, announcement.uuid).provider_name == "Cloud"


@pytest.mark.parametrize("who", OUTSIDERS)
def test_others_may_not_create_announcements_for_a_provider(request, services, world, admin, who):
    before = everything(services, admin)

    with pytest.raises(NotAllowed) as refused:
        announce(services, request.getfixturevalue(who))

    assert refused.value.message == NO_PERMISSION_FOR_PROVIDER
    assert everything(services, admin) == before


@pytest.mark.parametrize("who", ["cloud_manager", "cloud_group_member"])
def test_a_manager_may_not_move_an_announcement_to_a_provider_they_do_not_manage(
    request, services, world, admin, cloud_manager, who
):
    announcement = cloud_announcement(services, cloud_manager, State.DRAFT)
    before = everything(services, admin)

    with pytest.raises(NotAllowed) as refused:
        services.announcements.update(request.getfixturevalue(who), announcement.uuid, {"provider": "Storage"})

    assert refused.value.message == NO_PERMISSION_FOR_PROVIDER
    assert everything(services, admin) == before


def test_an_admin_may_move_an_announcement_to_another_provider(services, world, admin, cloud_manager, storage_manager):
    announcement = cloud_announcement(services, cloud_manager, State.DRAFT)

    moved = services.announcements.update(admin, announcement.uuid, {"provider": "Storage"})

    assert moved.provider_name == "Storage"
    assert services.announcements.get(storage_manager, announcement.uuid).name == announcement.name
    with pytest.raises(NotFound):
        services.announcements.get(cloud_manager, announcement.uuid)


# -- templates ------------------------------------------------------------------------------------


@pytest.fixture
def template(services, world, cloud_manager):
    return services.templates.create(
        cloud_manager,
        {"name": "Hypervisor patching", "message": "Rolling reboots.", "provider": "Cloud", "offerings": [
            AffectedInput("VMs", impact_level=3)
        ]},
    )


ON_A_TEMPLATE = {
    "create": lambda s, actor, t: s.templates.create(actor, {"name": "Kubernetes upgrade", "provider": "Cloud"}),
    "update": lambda s, actor, t: s.templates.update(actor, t.uuid, {"message": "One reboot only."}),
    "delete": lambda s, actor, t: s.templates.delete(actor, t.uuid),
    "instantiate": lambda s, actor, t: s.templates.instantiate(
        actor, t.uuid, t.created + timedelta(days=2), t.created + timedelta(days=2, hours=1)
    ),
    "add offering": lambda s, actor, t: s.templates.add_offering(actor, t.uuid, AffectedInput("Kubernetes")),
    "update offering": lambda s, actor, t: s.templates.update_offering(actor, t.offerings[0].uuid, {"impact_level": 4}),
    "remove offering": lambda s, actor, t: s.templates.remove_offering(actor, t.offerings[0].uuid),
}
# Creating names a provider everyone can see; an existing template is seen only by its provider's managers.
REFUSED_ON_A_TEMPLATE = {"create": NotAllowed} | dict.fromkeys(set(ON_A_TEMPLATE) - {"create"}, NotFound)


@pytest.mark.parametrize("who", CLOUD_MANAGERS)
@pytest.mark.parametrize("operation", ON_A_TEMPLATE)
def test_admins_and_the_providers_managers_may_manage_and_use_its_templates(
    request, services, template, admin, operation, who
):
    before = everything(services, admin)

    ON_A_TEMPLATE[operation](services, request.getfixturevalue(who), template)

    assert everything(services, admin) != before


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("operation", ON_A_TEMPLATE)
def test_others_may_not_manage_or_use_a_providers_templates(request, services, template, admin, operation, who):
    before = everything(services, admin)

    with pytest.raises(REFUSED_ON_A_TEMPLATE[operation]):
        ON_A_TEMPLATE[operation](services, request.getfixturevalue(who), template)

    assert everything(services, admin) == before


@pytest.mark.parametrize("who", OUTSIDERS)
def test_others_do_not_see_a_providers_templates(request, services, template, who):
    actor = request.getfixturevalue(who)

    assert services.templates.list(actor).items == []
    with pytest.raises(NotFound):
        services.templates.get(actor, template.uuid)


# -- set-up: providers, offerings, tokens ---------------------------------------------------------


@pytest.fixture
def token(services, world, admin):
    return services.tokens.create(admin, "read_only", name="dashboard").token


ADMIN_ONLY = {
    "add provider": lambda s, actor, token: s.catalog.add_provider(actor, "Network", "CNETWORK1"),
    "update provider": lambda s, actor, token: s.catalog.update_provider(actor, "Cloud", channel_id="CCLOUD0002"),
    "create token": lambda s, actor, token: s.tokens.create(actor, "read_only", name="wiki"),
    "list tokens": lambda s, actor, token: s.tokens.list(actor),
    "revoke token": lambda s, actor, token: s.tokens.revoke(actor, token.uuid),
}


@pytest.mark.parametrize("operation", ADMIN_ONLY)
def test_an_admin_sets_up_providers_and_tokens(services, token, admin, operation):
    before = everything(services, admin)

    result = ADMIN_ONLY[operation](services, admin, token)

    if operation == "list tokens":
        assert [t.name for t in result] == ["dashboard"]
    else:
        assert everything(services, admin) != before


@pytest.mark.parametrize("who", NOT_ADMINS)
@pytest.mark.parametrize("operation", ADMIN_ONLY)
def test_only_admins_set_up_providers_and_tokens(request, services, token, admin, operation, who):
    before = everything(services, admin)

    with pytest.raises(NotAllowed):
        ADMIN_ONLY[operation](services, request.getfixturevalue(who), token)

    assert everything(services, admin) == before


def test_a_non_admin_setting_up_a_provider_is_told_it_is_for_admins(services, world, cloud_manager):
    with pytest.raises(NotAllowed) as refused:
        services.catalog.add_provider(cloud_manager, "Network", "CNETWORK1")

    assert refused.value.message == ADMINS_ONLY


@pytest.mark.parametrize("who", CLOUD_MANAGERS)
def test_admins_and_the_providers_managers_add_its_offerings(request, services, world, who):
    offering = services.catalog.add_offering(request.getfixturevalue(who), "GPUs", "Cloud")

    assert (offering.name, offering.provider_name) == ("GPUs", "Cloud")
    assert "GPUs" in [o.name for o in services.catalog.offerings("Cloud")]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_others_may_not_add_offerings_to_a_provider(request, services, world, admin, who):
    before = everything(services, admin)

    with pytest.raises(NotAllowed):
        services.catalog.add_offering(request.getfixturevalue(who), "GPUs", "Cloud")

    assert everything(services, admin) == before


# -- visibility -----------------------------------------------------------------------------------

NOTES_SEEN_BY = {
    "admin": "Runbook: wiki/kernel",
    "cloud_manager": "Runbook: wiki/kernel",
    "cloud_group_member": "Runbook: wiki/kernel",
    "storage_manager": None,
    "anyone": None,
}


@pytest.mark.parametrize(("who", "notes"), NOTES_SEEN_BY.items())
def test_internal_notes_are_shown_only_to_the_providers_managers_and_admins(
    request, services, world, cloud_manager, who, notes
):
    announcement = announce(services, cloud_manager, State.SCHEDULED)
    actor = request.getfixturevalue(who)

    assert services.announcements.get(actor, announcement.uuid).internal_notes == notes
    assert [a.internal_notes for a in services.announcements.list(actor).items] == [notes]


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("state", [State.DRAFT, State.CANCELLED], ids=lambda s: s.label)
def test_drafts_and_cancelled_announcements_are_hidden_from_everyone_but_managers(
    request, services, world, cloud_manager, state, who
):
    announcement = announce(services, cloud_manager, state)
    actor = request.getfixturevalue(who)

    assert services.announcements.list(actor).items == []
    assert services.announcements.count(actor) == 0
    with pytest.raises(NotFound):
        services.announcements.get(actor, announcement.uuid)


@pytest.mark.parametrize("who", CLOUD_MANAGERS)
@pytest.mark.parametrize("state", [State.DRAFT, State.CANCELLED], ids=lambda s: s.label)
def test_managers_and_admins_see_their_providers_drafts_and_cancelled_announcements(
    request, services, world, cloud_manager, state, who
):
    announcement = announce(services, cloud_manager, state)
    actor = request.getfixturevalue(who)

    assert [a.uuid for a in services.announcements.list(actor).items] == [announcement.uuid]
    assert services.announcements.get(actor, announcement.uuid).state == state


@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize("state", sorted(PUBLIC_STATES), ids=lambda s: s.label)
def test_published_announcements_are_visible_to_everyone(request, services, world, cloud_manager, state, who):
    announcement = announce(services, cloud_manager, state)
    actor = request.getfixturevalue(who)

    assert [a.uuid for a in services.announcements.list(actor).items] == [announcement.uuid]
    assert services.announcements.get(actor, announcement.uuid).state == state


def test_another_providers_manager_sees_only_the_published_work_of_that_provider(
    services, world, cloud_manager, storage_manager
):
    published = announce(services, cloud_manager, State.SCHEDULED, name="Network switch swap")
    announce(services, cloud_manager, State.DRAFT, name="Secret plan")
    own_draft = announce(services, storage_manager, State.DRAFT, provider="Storage", name="Disk firmware")

    seen = {a.name: a.can_manage for a in services.announcements.list(storage_manager).items}

    assert seen == {published.name: False, own_draft.name: True}


# -- API tokens -----------------------------------------------------------------------------------

TOKEN_ROLES = [("admin", None, "admin"), ("provider", "Cloud", "cloud_manager"), ("read_only", None, "anyone")]
TOKEN_IDS = ["admin token", "Cloud token", "read-only token"]


def token_actor(services, admin, role, provider):
    return services.tokens.authenticate(services.tokens.create(admin, role, provider=provider, name="ci").secret)


@pytest.mark.parametrize(("role", "provider", "like"), TOKEN_ROLES, ids=TOKEN_IDS)
def test_a_token_sees_exactly_what_a_person_in_its_role_sees(
    request, services, world, admin, cloud_manager, storage_manager, role, provider, like
):
    for state in State:
        announce(services, cloud_manager, state, name=f"Cloud {state.label}")
        announce(services, storage_manager, state, provider="Storage", name=f"Storage {state.label}")
    everything_listed = ListQuery(page_size=300)

    seen_by_token = services.announcements.list(token_actor(services, admin, role, provider), everything_listed)

    assert seen_by_token.items == services.announcements.list(request.getfixturevalue(like), everything_listed).items


PROBES = {
    "create for Cloud": lambda s, actor, admin: announce(s, actor),
    "create for Storage": lambda s, actor, admin: announce(s, actor, provider="Storage"),
    "schedule a Cloud draft": lambda s, actor, admin: s.announcements.transition(
        actor, announce(s, admin).uuid, Action.SCHEDULE
    ),
    "start a Storage announcement": lambda s, actor, admin: s.announcements.transition(
        actor, announce(s, admin, State.SCHEDULED, provider="Storage").uuid, Action.START
    ),
    "cancel a Storage draft": lambda s, actor, admin: s.announcements.transition(
        actor, announce(s, admin, provider="Storage").uuid, Action.CANCEL
    ),
    "add a Cloud offering": lambda s, actor, admin: s.catalog.add_offering(actor, f"GPUs {actor.id}", "Cloud"),
    "list tokens": lambda s, actor, admin: s.tokens.list(actor),
}


@pytest.mark.parametrize(("role", "provider", "like"), TOKEN_ROLES, ids=TOKEN_IDS)
def test_a_token_may_do_exactly_what_a_person_in_its_role_may_do(
    request, services, world, admin, role, provider, like
):
    token = token_actor(services, admin, role, provider)
    person = request.getfixturevalue(like)

    by_token = {name: outcome(lambda probe=probe: probe(services, token, admin)) for name, probe in PROBES.items()}
    by_person = {name: outcome(lambda probe=probe: probe(services, person, admin)) for name, probe in PROBES.items()}

    assert by_token == by_person


def test_what_a_token_does_is_recorded_as_done_through_the_api(services, world, admin):
    token = token_actor(services, admin, "provider", "Cloud")

    announcement = announce(services, token, State.SCHEDULED)

    trail = services.announcements.history(admin, announcement.uuid)
    assert {(e.actor, e.interface) for e in trail} == {("token:ci", "api")}


MALFORMED_TOKENS = [
    pytest.param("root", None, "role", id="unknown role"),
    pytest.param("provider", None, "provider", id="provider token without a provider"),
    pytest.param("read_only", "Cloud", "provider", id="read-only token with a provider"),
]


@pytest.mark.parametrize(("role", "provider", "key"), MALFORMED_TOKENS)
def test_a_non_admin_asking_for_a_malformed_token_is_refused_before_it_is_checked(
    services, world, cloud_manager, role, provider, key
):
    with pytest.raises(NotAllowed):
        services.tokens.create(cloud_manager, role, provider=provider)


@pytest.mark.parametrize(("role", "provider", "key"), MALFORMED_TOKENS)
def test_an_admin_asking_for_a_malformed_token_is_told_what_is_wrong(services, world, admin, role, provider, key):
    with pytest.raises(Invalid) as refused:
        services.tokens.create(admin, role, provider=provider)

    assert list(refused.value.fields) == [key]
    assert services.tokens.list(admin) == []


def test_a_revoked_token_no_longer_authenticates(services, world, admin):
    issued = services.tokens.create(admin, "admin", name="old ci")
    services.tokens.revoke(admin, issued.token.uuid)

    assert services.tokens.authenticate(issued.secret) is None


def test_an_unknown_token_does_not_authenticate(services, world, admin):
    services.tokens.create(admin, "admin")

    assert services.tokens.authenticate("0" * 40) is None
    assert services.tokens.authenticate("") is None


def test_tokens_are_stored_only_as_a_hash_of_the_secret(services, world, admin):
    issued = services.tokens.create(admin, "provider", provider="Cloud", name="deploy")

    with services.context.db.read() as session:
        rows = session.execute(select(ApiToken.__table__)).all()

    assert [row.token_hash for row in rows] == [hashlib.sha256(issued.secret.encode()).hexdigest()]
    assert not any(issued.secret in str(value) for row in rows for value in row)
