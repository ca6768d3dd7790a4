"""Announcements as their managers write them (DESIGN §2, seed §3): creating, editing, deleting, finding,
the field rules, the audit trail; and the templates and channel subscriptions around them.

Every refusal is an `Invalid` naming the field, `InvalidState` naming the valid states, or `NotFound`,
and leaves everything as it was.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from uuid import UUID

import pytest
from sqlalchemy import select

from bot.domain.announcements import AffectedInput
from bot.domain.enums import Impact, MaintenanceType, State
from bot.domain.errors import Ambiguous, Invalid, InvalidState, NotAllowed, NotFound
from storage.models import Event
from tests.conftest import NOW
from tests.factories import announce

START = NOW + timedelta(days=1)  # the factory's defaults
END = START + timedelta(hours=2)
EDIT_REFUSED = "Valid states for operation: Draft, Scheduled, In progress."


def count(services, admin) -> int:
    return services.announcements.count(admin)


# -- creating -------------------------------------------------------------------------------------


def test_a_manager_creates_a_draft_of_their_provider(services, world, cloud_manager):
    created = announce(services, cloud_manager, affected=[AffectedInput("VMs"), AffectedInput("Kubernetes", 4)])

    assert created.state == State.DRAFT
    assert (created.provider_name, created.created_by) == ("Cloud", cloud_manager.id)
    assert (created.scheduled_start, created.scheduled_end) == (START, END)
    assert (created.actual_start, created.actual_end) == (None, None)
    assert created.maintenance_type == MaintenanceType.SCHEDULED
    assert [(a.offering.name, a.impact_level) for a in created.affected] == [
        ("VMs", Impact.DEGRADED),
        ("Kubernetes", Impact.FULL),
    ]
    assert services.announcements.get(cloud_manager, created.uuid) == created


REFUSED_ON_CREATE = [
    pytest.param({"name": None}, "name", id="name missing"),
    pytest.param({"name": ""}, "name", id="name blank"),
    pytest.param({"name": "  \t "}, "name", id="name only whitespace"),
    pytest.param({"name": "x" * 151}, "name", id="name over 150"),
    pytest.param({"message": "x" * 2001}, "message", id="message over 2000"),
    pytest.param({"internal_notes": "x" * 2001}, "internal_notes", id="internal notes over 2000"),
    pytest.param({"external_reference_url": "wiki/kernel"}, "external_reference_url", id="url without scheme"),
    pytest.param({"external_reference_url": "ftp://files.example.org/x"}, "external_reference_url", id="ftp url"),
    pytest.param({"external_reference_url": "https://exa mple.org"}, "external_reference_url", id="url with space"),
    pytest.param({"maintenance_type": 0}, "maintenance_type", id="type 0"),
    pytest.param({"maintenance_type": 6}, "maintenance_type", id="type 6"),
    pytest.param({"scheduled_start": None}, "scheduled_start", id="start missing"),
    pytest.param({"scheduled_end": START - timedelta(minutes=1)}, "scheduled_end", id="end before start"),
    pytest.param({"scheduled_start": START.replace(tzinfo=None)}, "scheduled_start", id="naive start"),
    pytest.param({"scheduled_end": END.replace(tzinfo=None)}, "scheduled_end", id="naive end"),
    pytest.param({"affected": [AffectedInput("VMs", 0)]}, "affected.0.impact_level", id="impact 0"),
    pytest.param({"affected": [AffectedInput("VMs", 5)]}, "affected.0.impact_level", id="impact 5"),
    pytest.param({"affected": [AffectedInput("VMs")] * 2}, "affected.1.offering", id="offering twice"),
    pytest.param(
        {"affected": [AffectedInput("VMs"), AffectedInput("cloud/vms")]}, "affected.1.offering", id="same, spelt twice"
    ),
    pytest.param({"provider": "Network"}, "provider", id="unknown provider"),
    pytest.param({"affected": [AffectedInput("Mainframe")]}, "affected.0.offering", id="unknown offering"),
]


@pytest.mark.parametrize(("fields", "key"), REFUSED_ON_CREATE)
def test_a_new_announcement_breaking_a_field_rule_is_refused_naming_the_field(
    services, world, admin, cloud_manager, fields, key
):
    with pytest.raises(Invalid) as refused:
        announce(services, cloud_manager, **fields)

    assert list(refused.value.fields) == [key]
    assert count(services, admin) == 0


ACCEPTED_ON_CREATE = [
    pytest.param({"name": "x" * 150}, id="name of 150"),
    pytest.param({"message": "x" * 2000}, id="message of 2000"),
    pytest.param({"message": ""}, id="blank message"),
    pytest.param({"internal_notes": "x" * 2000}, id="internal notes of 2000"),
    pytest.param({"external_reference_url": ""}, id="blank url"),
    pytest.param({"external_reference_url": "https://status.example.org/incidents/42?tab=1"}, id="https url"),
    pytest.param({"maintenance_type": 1}, id="type 1"),
    pytest.param({"maintenance_type": 5}, id="type 5"),
    pytest.param({"scheduled_end": START}, id="end equal to start"),
]


@pytest.mark.parametrize("fields", ACCEPTED_ON_CREATE)
def test_a_new_announcement_at_the_edge_of_a_field_rule_is_accepted(services, world, cloud_manager, fields):
    created = announce(services, cloud_manager, **fields)

    stored = services.announcements.get(cloud_manager, created.uuid)
    assert {name: getattr(stored, name) for name in fields} == fields


@pytest.mark.parametrize("level", list(Impact), ids=lambda level: level.label)
def test_every_impact_level_from_no_impact_to_full_outage_is_accepted(services, world, cloud_manager, level):
    created = announce(services, cloud_manager, affected=[AffectedInput("VMs", int(level))])

    assert [a.impact_level for a in created.affected] == [level]


# -- editing --------------------------------------------------------------------------------------


REFUSED_ON_EDIT = [
    pytest.param({"name": ""}, "name", id="name blank"),
    pytest.param({"name": "   "}, "name", id="name only whitespace"),
    pytest.param({"name": "x" * 151}, "name", id="name over 150"),
    pytest.param({"message": "x" * 2001}, "message", id="message over 2000"),
    pytest.param({"internal_notes": "x" * 2001}, "internal_notes", id="internal notes over 2000"),
    pytest.param({"external_reference_url": "not a url"}, "external_reference_url", id="bad url"),
    pytest.param({"maintenance_type": 9}, "maintenance_type", id="type 9"),
    pytest.param({"scheduled_end": START - timedelta(minutes=1)}, "scheduled_end", id="only end, before start"),
    pytest.param({"scheduled_start": END + timedelta(minutes=1)}, "scheduled_end", id="only start, after end"),
    pytest.param({"scheduled_start": START.replace(tzinfo=None)}, "scheduled_start", id="naive start"),
    pytest.param({"affected": [AffectedInput("VMs", 5)]}, "affected.0.impact_level", id="impact 5"),
    pytest.param({"affected": [AffectedInput("VMs")] * 2}, "affected.1.offering", id="offering twice"),
    pytest.param({"affected": [AffectedInput("Mainframe")]}, "affected.0.offering", id="unknown offering"),
    pytest.param({"provider": "Network"}, "provider", id="unknown provider"),
]


@pytest.mark.parametrize(("fields", "key"), REFUSED_ON_EDIT)
def test_an_edit_breaking_a_field_rule_is_refused_naming_the_field_and_changes_nothing(
    services, world, cloud_manager, fields, key
):
    announcement = announce(services, cloud_manager, State.SCHEDULED, affected=[AffectedInput("Kubernetes")])

    with pytest.raises(Invalid) as refused:
        services.announcements.update(cloud_manager, announcement.uuid, fields)

    assert list(refused.value.fields) == [key]
    assert services.announcements.get(cloud_manager, announcement.uuid) == announcement


@pytest.mark.parametrize(
    "fields", [{"scheduled_end": START}, {"scheduled_start": END}], ids=["end onto the start", "start onto the end"]
)
def test_moving_one_end_of_the_window_onto_the_other_is_allowed(services, world, cloud_manager, fields):
    announcement = announce(services, cloud_manager)

    edited = services.announcements.update(cloud_manager, announcement.uuid, fields)

    assert edited.scheduled_start == edited.scheduled_end


def test_a_partial_edit_changes_only_the_fields_given(services, world, cloud_manager):
    announcement = announce(services, cloud_manager, external_reference_url="https://wiki.example.org/kernel")

    edited = services.announcements.update(
        cloud_manager, announcement.uuid, {"message": "Now with firmware too.", "external_reference_url": ""}
    )

    assert (edited.message, edited.external_reference_url) == ("Now with firmware too.", "")
    assert (edited.name, edited.internal_notes, edited.scheduled_start) == (
        announcement.name,
        announcement.internal_notes,
        announcement.scheduled_start,
    )


def test_a_full_edit_needs_every_required_field(services, world, cloud_manager):
    announcement = announce(services, cloud_manager)

    with pytest.raises(Invalid) as refused:
        services.announcements.update(
            cloud_manager, announcement.uuid, {"name": "Kernel upgrade v2", "provider": "Cloud"}, partial=False
        )

    assert set(refused.value.fields) == {"scheduled_start", "scheduled_end"}
    assert services.announcements.get(cloud_manager, announcement.uuid) == announcement


def test_an_edit_with_affected_offerings_replaces_the_whole_set(services, world, cloud_manager, admin):
    announcement = announce(services, cloud_manager, affected=[AffectedInput("VMs"), AffectedInput("Kubernetes")])

    edited = services.announcements.update(  # an admin: Backup is another provider's offering
        admin, announcement.uuid, {"affected": [AffectedInput("Kubernetes", 4), AffectedInput("Backup", 1)]}
    )

    assert [(a.offering.name, a.impact_level) for a in edited.affected] == [
        ("Kubernetes", Impact.FULL),
        ("Backup", Impact.NONE),
    ]


@pytest.mark.parametrize("state", [State.DRAFT, State.SCHEDULED, State.IN_PROGRESS], ids=lambda s: s.label)
def test_announcements_can_be_edited_until_they_are_over(services, world, cloud_manager, state):
    announcement = announce(services, cloud_manager, state)

    edited = services.announcements.update(cloud_manager, announcement.uuid, {"name": "Kernel and firmware upgrade"})

    assert edited.name == "Kernel and firmware upgrade"
    assert edited.state == state


@pytest.mark.parametrize("state", [State.COMPLETED, State.CANCELLED], ids=lambda s: s.label)
@pytest.mark.parametrize("fields", [{"name": "Kernel upgrade (done)"}, {"internal_notes": "Lessons learnt: …"}])
def test_completed_and_cancelled_announcements_cannot_be_edited(services, world, cloud_manager, state, fields):
    announcement = announce(services, cloud_manager, state)

    with pytest.raises(InvalidState) as refused:
        services.announcements.update(cloud_manager, announcement.uuid, fields)

    assert refused.value.message == EDIT_REFUSED
    assert services.announcements.get(cloud_manager, announcement.uuid) == announcement


# -- deleting -------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", list(State), ids=lambda s: s.label)
def test_an_announcement_can_be_deleted_in_any_state(services, world, admin, cloud_manager, state):
    kept = announce(services, cloud_manager, name="Storage migration")
    doomed = announce(services, cloud_manager, state)

    services.announcements.delete(cloud_manager, doomed.uuid)

    with pytest.raises(NotFound):
        services.announcements.get(cloud_manager, doomed.uuid)
    assert [a.uuid for a in services.announcements.list(admin).items] == [kept.uuid]


# -- finding --------------------------------------------------------------------------------------

SPELLINGS = {
    "uuid object": lambda u: u,
    "hyphenated": str,
    "32 hex digits": lambda u: u.hex,
    "upper case": lambda u: str(u).upper(),
    "surrounded by spaces": lambda u: f"  {u}  ",
}


@pytest.mark.parametrize("spell", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_an_announcement_is_found_by_its_full_uuid_however_it_is_written(services, world, cloud_manager, spell):
    announcement = announce(services, cloud_manager)

    assert services.announcements.get(cloud_manager, spell(announcement.uuid)).uuid == announcement.uuid


@pytest.mark.parametrize("digits", [6, 8, 13, 31])
def test_a_prefix_of_at_least_six_hex_digits_finds_the_announcement(services, world, cloud_manager, digits):
    announcement = announce(services, cloud_manager)
    announce(services, cloud_manager, name="Another one")

    prefix = str(announcement.uuid)[:digits]

    assert services.announcements.get(cloud_manager, prefix).uuid == announcement.uuid


def test_the_short_id_on_a_card_finds_the_announcement(services, world, cloud_manager):
    announcement = announce(services, cloud_manager)

    assert services.announcements.get(cloud_manager, announcement.short_id).uuid == announcement.uuid


@pytest.mark.parametrize("digits", [1, 3, 5])
def test_a_prefix_shorter_than_six_hex_digits_is_refused(services, world, cloud_manager, digits):
    # Words without a hex digit, so that the prefix cannot be found as a word of them either.
    announcement = announce(services, cloud_manager, name="Porting run", message="Worn out trunk.")

    with pytest.raises(NotFound) as refused:
        services.announcements.get(cloud_manager, announcement.uuid.hex[:digits])

    assert "No announcement matches" in refused.value.message  # too short for an id, and no word of its name


@pytest.mark.parametrize("reference", ["Nothing called this", "zzz", "", "zzzzzzzz"])
def test_a_reference_that_is_not_an_id_is_refused(services, world, cloud_manager, reference):
    announce(services, cloud_manager)

    with pytest.raises(NotFound):
        services.announcements.get(cloud_manager, reference)


def test_an_id_matching_no_announcement_is_not_found(services, world, cloud_manager):
    announcement = announce(services, cloud_manager)
    other_first_digit = "0" if announcement.uuid.hex[0] != "0" else "1"

    with pytest.raises(NotFound):
        services.announcements.get(cloud_manager, other_first_digit + announcement.uuid.hex[1:8])
    with pytest.raises(NotFound):
        services.announcements.get(cloud_manager, uuid.uuid4())


@pytest.fixture
def twin_uuids(monkeypatch, world):
    """The next two rows get uuids sharing their first 8 hex digits (as two in four billion would by chance)."""
    twins = iter([UUID("c0ffee12-0000-4000-8000-000000000001"), UUID("c0ffee12-0000-4000-8000-000000000002")])
    real = uuid.uuid4
    monkeypatch.setattr(uuid, "uuid4", lambda: next(twins, None) or real())


def test_a_prefix_shared_by_two_announcements_is_ambiguous_and_lists_both(services, twin_uuids, cloud_manager):
    announce(services, cloud_manager, name="Kernel upgrade")
    announce(services, cloud_manager, name="Firmware update")

    with pytest.raises(Ambiguous) as refused:
        services.announcements.get(cloud_manager, "c0ffee")

    assert sorted(refused.value.matches) == ["c0ffee12 Firmware update", "c0ffee12 Kernel upgrade"]
    assert services.announcements.get(cloud_manager, "c0ffee12-0000-4000-8000-000000000002").name == "Firmware update"


def test_a_hidden_draft_sharing_a_prefix_does_not_make_it_ambiguous_for_readers(
    services, twin_uuids, cloud_manager, anyone
):
    announce(services, cloud_manager, State.SCHEDULED, name="Kernel upgrade")
    announce(services, cloud_manager, State.DRAFT, name="Secret plan")

    assert services.announcements.get(anyone, "c0ffee").name == "Kernel upgrade"


# -- the audit trail ------------------------------------------------------------------------------


def test_an_edit_is_recorded_with_the_old_and_new_values(services, world, cloud_manager):
    announcement = announce(services, cloud_manager)

    services.announcements.update(cloud_manager, announcement.uuid, {"name": "Kernel and firmware upgrade"})

    last = services.announcements.history(cloud_manager, announcement.uuid)[-1]
    assert last.message == (
        "Maintenance announcement Kernel and firmware upgrade has been updated. "
        "Details: name: Kernel upgrade -> Kernel and firmware upgrade"
    )
    assert (last.action, last.actor, last.interface) == ("updated", cloud_manager.id, "slack")


def test_an_edit_that_changes_nothing_records_nothing(services, world, cloud_manager):
    announcement = announce(services, cloud_manager)

    services.announcements.update(cloud_manager, announcement.uuid, {"name": announcement.name})

    assert [e.action for e in services.announcements.history(cloud_manager, announcement.uuid)] == ["created"]


def test_every_change_to_an_announcement_is_in_its_history(services, world, cloud_manager):
    announcement = announce(services, cloud_manager, affected=[AffectedInput("VMs")])
    services.announcements.update(cloud_manager, announcement.uuid, {"scheduled_end": END + timedelta(hours=1)})
    added = services.announcements.add_affected(cloud_manager, announcement.uuid, AffectedInput("Kubernetes"))
    services.announcements.update_affected(cloud_manager, added.uuid, {"impact_level": 3})
    services.announcements.remove_affected(cloud_manager, announcement.affected[0].uuid)
    services.announcements.update(cloud_manager, announcement.uuid, {"affected": []})

    history = services.announcements.history(cloud_manager, announcement.uuid)

    assert [e.action for e in history] == ["created", *["updated"] * 5]
    assert [e.changes for e in history[1:]] == [
        {"scheduled_end": [str(END), str(END + timedelta(hours=1))]},
        {"affected_offerings": ["", "+Kubernetes"]},
        {"Kubernetes.impact_level": ["2", "3"]},
        {"affected_offerings": ["VMs", ""]},
        {"affected_offerings": ["Kubernetes", ""]},
    ]


def test_a_deleted_announcement_leaves_its_deletion_in_the_audit_trail(services, world, cloud_manager, anyone):
    announcement = announce(services, cloud_manager, State.COMPLETED)

    services.announcements.delete(cloud_manager, announcement.uuid)

    with services.context.db.read() as session:
        events = session.scalars(select(Event).where(Event.announcement_uuid == announcement.uuid).order_by(Event.id))
        trail = [(e.action, e.actor, e.message) for e in events]
    assert [action for action, _, _ in trail] == ["created", "scheduled", "started", "completed", "deleted"]
    assert trail[-1] == ("deleted", cloud_manager.id, "Maintenance announcement Kernel upgrade has been deleted")


# -- templates ------------------------------------------------------------------------------------


@pytest.fixture
def template(services, world, cloud_manager):
    return services.templates.create(
        cloud_manager,
        {
            "name": "Hypervisor patching",
            "message": "Rolling reboots of every hypervisor.",
            "maintenance_type": int(MaintenanceType.PATCH),
            "provider": "Cloud",
            "offerings": [AffectedInput("VMs", 3, "Live migration"), AffectedInput("Kubernetes")],
        },
    )


def test_a_manager_saves_a_template_with_the_offerings_it_usually_affects(services, template, cloud_manager):
    saved = services.templates.get(cloud_manager, "hypervisor patching")

    assert saved == template
    assert (saved.name, saved.maintenance_type, saved.provider_name) == (
        "Hypervisor patching",
        MaintenanceType.PATCH,
        "Cloud",
    )
    assert [(o.offering.name, o.impact_level, o.impact_description) for o in saved.offerings] == [
        ("VMs", Impact.PARTIAL, "Live migration"),
        ("Kubernetes", Impact.DEGRADED, ""),
    ]


def test_a_template_needs_a_name_and_a_provider(services, world, admin, cloud_manager):
    with pytest.raises(Invalid) as refused:
        services.templates.create(cloud_manager, {"message": "Something"})

    assert set(refused.value.fields) == {"name", "provider"}
    assert services.templates.list(admin).items == []


def test_a_draft_made_from_a_template_carries_its_name_message_type_provider_and_offerings(
    services, template, cloud_manager
):
    draft = services.templates.instantiate(cloud_manager, template.uuid, START, END)

    assert draft.state == State.DRAFT
    assert (draft.name, draft.message, draft.maintenance_type, draft.provider_name) == (
        template.name,
        template.message,
        template.maintenance_type,
        "Cloud",
    )
    assert (draft.scheduled_start, draft.scheduled_end, draft.created_by) == (START, END, cloud_manager.id)
    assert [(a.offering.name, a.impact_level, a.impact_description) for a in draft.affected] == [
        ("VMs", Impact.PARTIAL, "Live migration"),
        ("Kubernetes", Impact.DEGRADED, ""),
    ]


def test_a_draft_made_from_a_template_may_differ_where_the_manager_says(services, template, cloud_manager):
    draft = services.templates.instantiate(cloud_manager, template.uuid, START, END, name="Emergency patching",
                                           maintenance_type=int(MaintenanceType.EMERGENCY))

    assert (draft.name, draft.maintenance_type, draft.message) == (
        "Emergency patching",
        MaintenanceType.EMERGENCY,
        template.message,
    )
    assert services.templates.get(cloud_manager, template.uuid) == template


def test_a_draft_from_a_template_follows_the_same_rules_as_any_new_announcement(
    services, template, admin, cloud_manager
):
    with pytest.raises(Invalid) as refused:
        services.templates.instantiate(cloud_manager, template.uuid, END, START)

    assert list(refused.value.fields) == ["scheduled_end"]
    assert count(services, admin) == 0


# -- channel subscriptions ------------------------------------------------------------------------


def test_a_channel_subscribes_to_an_offering(services, world, anyone):
    subscription = services.subscriptions.subscribe(anyone, "CVMWATCH1", "VMs")

    assert (subscription.offering.name, subscription.provider_name) == ("VMs", "Cloud")
    assert services.subscriptions.of_channel("CVMWATCH1") == [subscription]


def test_a_channel_subscribes_to_a_whole_provider(services, world, anyone):
    subscription = services.subscriptions.subscribe(anyone, "CSTOREFAN", "Storage")

    assert (subscription.offering, subscription.provider_name) == (None, "Storage")
    assert services.subscriptions.of_channel("CSTOREFAN") == [subscription]


def test_subscribing_a_channel_twice_is_harmless(services, world, anyone, cloud_manager):
    first = services.subscriptions.subscribe(anyone, "CVMWATCH1", "VMs")

    second = services.subscriptions.subscribe(cloud_manager, "CVMWATCH1", "cloud/vms")

    assert (second.target, second.already, first.already) == (first.target, first.target, None)
    assert services.subscriptions.of_channel("CVMWATCH1") == [first]


def test_unsubscribing_stops_only_that_subscription(services, world, anyone):
    services.subscriptions.subscribe(anyone, "CVMWATCH1", "VMs")
    kept = services.subscriptions.subscribe(anyone, "CVMWATCH1", "Kubernetes")

    services.subscriptions.unsubscribe(anyone, "CVMWATCH1", "VMs")

    assert services.subscriptions.of_channel("CVMWATCH1") == [kept]


def test_unsubscribing_a_channel_that_is_not_subscribed_is_refused(services, world, anyone):
    with pytest.raises(NotFound):
        services.subscriptions.unsubscribe(anyone, "CVMWATCH1", "VMs")


def test_a_subscription_needs_a_slack_channel_id(services, world, anyone):
    with pytest.raises(Invalid) as refused:
        services.subscriptions.subscribe(anyone, "#vm-news", "VMs")

    assert list(refused.value.fields) == ["channel"]


def test_subscribing_to_something_unknown_is_refused(services, world, anyone):
    with pytest.raises(NotFound):
        services.subscriptions.subscribe(anyone, "CVMWATCH1", "Mainframe")

    assert services.subscriptions.of_channel("CVMWATCH1") == []


def test_an_announcement_reaches_its_providers_channel_and_each_subscribed_channel_once(
    services, world, anyone, cloud_manager
):
    announcement = announce(services, cloud_manager, affected=[AffectedInput("VMs")])
    for channel, target in [
        ("CVMWATCH1", "VMs"),
        ("CCLOUDFAN", "Cloud"),
        ("CBOTHWAYS", "VMs"),
        ("CBOTHWAYS", "Cloud"),
        ("CCLOUD0001", "VMs"),  # the provider's own channel
        ("CK8SWATCH", "Kubernetes"),  # not affected
        ("CSTOREFAN", "Storage"),  # another provider
    ]:
        services.subscriptions.subscribe(anyone, channel, target)

    channels = services.subscriptions.channels_for(announcement.uuid)

    assert channels[0] == "CCLOUD0001"
    assert sorted(channels) == sorted({"CCLOUD0001", "CVMWATCH1", "CCLOUDFAN", "CBOTHWAYS"})


def test_renaming_a_provider_to_a_taken_name_or_clearing_its_channel_is_refused(services, world, admin):
    with pytest.raises(Invalid) as taken:
        services.catalog.update_provider(admin, "Cloud", name=" Storage ")
    with pytest.raises(Invalid) as cleared:
        services.catalog.update_provider(admin, "Cloud", channel_id="")

    assert "already exists" in taken.value.fields["name"][0]
    assert "channel" in cleared.value.fields["channel_id"][0]
    assert services.catalog.provider("Cloud").channel_id == "CCLOUD0001"


def test_opening_an_edit_is_refused_as_saving_it_would_be(services, world, cloud_manager, storage_manager):
    completed = announce(services, cloud_manager, State.COMPLETED)
    published = announce(services, cloud_manager, State.SCHEDULED)

    with pytest.raises(InvalidState):
        services.announcements.for_editing(cloud_manager, completed.uuid)
    with pytest.raises(NotAllowed):
        services.announcements.for_editing(storage_manager, published.uuid)
    assert services.announcements.for_editing(cloud_manager, published.uuid).internal_notes is not None
