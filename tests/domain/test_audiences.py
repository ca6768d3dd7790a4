"""Who may speak to whose audience (DESIGN §2): marking an offering as affected tells its subscribers, so it
takes admin rights or manager rights on the offering's provider too; and a provider's name always means
that provider when a channel subscribes.

Refusals change nothing: no announcement, no link, no audit event, no notice.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.domain.actors import Actor, Reach
from bot.domain.announcements import AffectedInput
from bot.domain.enums import Action, Interface, State
from bot.domain.errors import Ambiguous, NotAllowed, NotFound
from storage.models import AffectedOffering, Event, Notice, Offering, TemplateOffering
from tests.factories import announce

PHISHING = "https://core-routers.example.net/login"


def counts(services) -> tuple[int, ...]:
    """Rows that any accepted change would add: links, template links, audit events, notices."""
    with services.context.db.read() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(table))
            for table in (AffectedOffering, TemplateOffering, Event, Notice)
        )


def refused(act) -> NotAllowed:
    with pytest.raises(NotAllowed) as raised:
        act()
    return raised.value


@pytest.fixture
def network(services, world, admin):
    """A third provider, Network, whose "Core routers" offering a channel follows."""
    services.catalog.add_provider(admin, "Network", "CNETWORK01", manager_users=("UNETMGR001",))
    routers = services.catalog.add_offering(admin, "Core routers", "Network")
    services.subscriptions.subscribe(Actor("UNOC000001", Interface.SLACK), "CNOCWATCH1", "Network/Core routers")
    return routers


@pytest.fixture
def both_manager(services, world, admin) -> Actor:
    """Someone who manages Cloud and Storage."""
    services.catalog.update_provider(admin, "Storage", manager_users=("USTOREMGR1", "UBOTHMGR01"))
    services.catalog.update_provider(admin, "Cloud", manager_users=("UCLOUDMGR1", "UBOTHMGR01"))
    return Actor("UBOTHMGR01", Interface.SLACK)


# -- the rule itself ----------------------------------------------------------------------------------


def test_the_rule_marks_own_offerings_and_admins_mark_any():
    own, other = Offering(provider_id=1), Offering(provider_id=2)

    assert Reach({1}).may_mark_affected(own) and not Reach({1}).may_mark_affected(other)
    assert Reach({1, 2}).may_mark_affected(other)
    assert Reach(None).may_mark_affected(other)  # an admin
    assert not Reach(set()).may_mark_affected(own)


# -- the reproduction ---------------------------------------------------------------------------------


def test_a_provider_token_cannot_announce_work_on_another_providers_offering(services, world, admin, network):
    cloud_token = Actor("cloud-ci", Interface.API, providers=frozenset({world["cloud"].uuid}))
    before = counts(services)

    refusal = refused(lambda: announce(services, cloud_token, affected=[AffectedInput(network.uuid, 4)],
                                       external_reference_url=PHISHING))

    assert "Network/Core routers" in refusal.message and "admin or a manager of Network" in refusal.message
    assert refusal.field == "affected"
    assert counts(services) == before
    assert services.announcements.list(admin).items == []


def test_the_refusal_names_the_first_offering_not_allowed_and_keeps_own_ones_out_too(services, world, cloud_manager):
    before = counts(services)

    refusal = refused(lambda: announce(services, cloud_manager,
                                       affected=[AffectedInput("VMs"), AffectedInput("Storage/Backup")]))

    assert refusal.message.startswith("Marking Storage/Backup as affected")
    assert counts(services) == before


# -- every way of marking -----------------------------------------------------------------------------


def test_an_edit_may_not_add_another_providers_offering(services, world, cloud_manager, admin):
    draft = announce(services, cloud_manager, affected=[AffectedInput("VMs")])
    before = counts(services)

    refused(lambda: services.announcements.update(
        cloud_manager, draft.uuid, {"affected": [AffectedInput("VMs"), AffectedInput("Backup")]}))
    refused(lambda: services.announcements.update(
        cloud_manager, draft.uuid, {"name": "Kernel upgrade", "scheduled_start": draft.scheduled_start,
                                    "scheduled_end": draft.scheduled_end, "provider": "Cloud",
                                    "affected": [AffectedInput("Backup")]}, partial=False))

    assert counts(services) == before
    assert [a.offering.name for a in services.announcements.get(admin, draft.uuid).affected] == ["VMs"]


def test_the_affected_offering_endpoint_may_not_add_another_providers_offering(services, world, cloud_manager):
    published = announce(services, cloud_manager, State.SCHEDULED)
    before = counts(services)

    refused(lambda: services.announcements.add_affected(cloud_manager, published.uuid, AffectedInput("Backup")))

    assert counts(services) == before


def test_a_template_may_not_name_another_providers_offering(services, world, cloud_manager):
    before = counts(services)
    refused(lambda: services.templates.create(
        cloud_manager, {"name": "Backup window", "provider": "Cloud", "offerings": [AffectedInput("Backup")]}))
    template = services.templates.create(cloud_manager, {"name": "Backup window", "provider": "Cloud"})

    refused(lambda: services.templates.add_offering(cloud_manager, template.uuid, AffectedInput("Backup")))

    assert services.templates.get(cloud_manager, template.uuid).offerings == ()
    assert counts(services)[:2] == before[:2]


def test_new_from_a_template_an_admin_made_is_refused_for_a_manager_of_one_provider_only(
    services, world, admin, cloud_manager, both_manager, clock
):
    template = services.templates.create(
        admin, {"name": "Backup window", "provider": "Cloud", "offerings": [AffectedInput("Backup")]})
    start = clock.now() + timedelta(days=2)
    before = counts(services)

    refused(lambda: services.templates.instantiate(cloud_manager, template.uuid, start, start + timedelta(hours=1)))
    assert counts(services) == before

    made = services.templates.instantiate(both_manager, template.uuid, start, start + timedelta(hours=1))
    assert [a.offering.name for a in made.affected] == ["Backup"]


@pytest.mark.parametrize("who", ["admin", "both_manager"])
def test_admins_and_managers_of_both_providers_may_mark_either(request, services, world, who):
    actor = request.getfixturevalue(who)

    draft = announce(services, actor, affected=[AffectedInput("VMs"), AffectedInput("Backup")])
    services.announcements.update(actor, draft.uuid, {"affected": [AffectedInput("Object store")]})
    services.announcements.add_affected(actor, draft.uuid, AffectedInput("Backup"))

    assert sorted(a.offering.name for a in services.announcements.get(actor, draft.uuid).affected) == [
        "Backup", "Object store"]


def test_what_an_admin_marked_stays_through_a_managers_edits_and_they_may_change_or_remove_it(
    services, world, admin, cloud_manager
):
    draft = announce(services, admin, affected=[AffectedInput("VMs"), AffectedInput("Backup", 2)])

    kept = services.announcements.update(
        cloud_manager, draft.uuid, {"name": "Kernel upgrade", "affected": [AffectedInput("VMs"),
                                                                            AffectedInput("Backup", 3)]})
    backup = next(a for a in kept.affected if a.offering.name == "Backup")
    services.announcements.update_affected(cloud_manager, backup.uuid, {"impact_level": 4})
    services.announcements.remove_affected(cloud_manager, backup.uuid)

    assert [a.offering.name for a in services.announcements.get(cloud_manager, draft.uuid).affected] == ["VMs"]
    assert int(backup.impact_level) == 3


def test_a_published_announcement_reaches_another_providers_subscribers_only_when_allowed_to(
    db, services, world, admin, cloud_manager, network
):
    own = announce(services, cloud_manager, affected=[AffectedInput("VMs")])
    services.announcements.transition(cloud_manager, own.uuid, Action.SCHEDULE)
    approved = announce(services, admin, affected=[AffectedInput(network.uuid)], name="Router reboot")
    services.announcements.transition(cloud_manager, approved.uuid, Action.SCHEDULE)

    with db.read() as session:
        told = session.scalars(
            select(Notice.announcement_uuid).where(Notice.channel_id == "CNOCWATCH1", Notice.kind == "published"))
        assert list(told) == [approved.uuid]


# -- per-offering calendars hold every provider's work on the offering --------------------------------


def test_the_calendar_of_an_offering_holds_other_providers_work_on_it(services, world, admin, cloud_manager, network):
    ours = announce(services, admin, State.SCHEDULED, provider="Network", affected=[AffectedInput(network.uuid)],
                    name="Router firmware")
    theirs = announce(services, admin, State.SCHEDULED, affected=[AffectedInput(network.uuid)], name="Rack power")
    announce(services, cloud_manager, State.SCHEDULED, name="Unrelated")

    shown = services.announcements.calendar(services.context.clock.now(), offering_uuid=network.uuid)

    assert {view.uuid for view in shown} == {ours.uuid, theirs.uuid}


# -- what `/maint subscribe NAME` means ---------------------------------------------------------------


@pytest.fixture
def shadowed(services, world, admin):
    """A provider "Network", and an offering "Network" of Cloud that shares its name."""
    services.catalog.add_provider(admin, "Network", "CNETWORK01")
    services.catalog.add_offering(admin, "Routers", "Network")
    return services.catalog.add_offering(admin, "Network", "Cloud")


def test_a_providers_name_means_the_provider_even_when_an_offering_shares_it(services, shadowed, anyone):
    subscription = services.subscriptions.subscribe(anyone, "CNETFANS01", "network")

    assert subscription.offering is None and subscription.provider_name == "Network"
    assert subscription.namesakes == ("Cloud/Network",)


def test_the_offering_is_named_provider_slash_offering(services, shadowed, anyone):
    subscription = services.subscriptions.subscribe(anyone, "CCLOUDNET1", "Cloud/Network")

    assert subscription.offering.uuid == shadowed.uuid and subscription.namesakes == ()


def test_unsubscribing_reads_a_name_the_same_way(services, shadowed, anyone):
    services.subscriptions.subscribe(anyone, "CNETFANS01", "Network")
    services.subscriptions.subscribe(anyone, "CNETFANS01", "Cloud/Network")

    services.subscriptions.unsubscribe(anyone, "CNETFANS01", "Network")

    [left] = services.subscriptions.of_channel("CNETFANS01")
    assert left.offering is not None and left.offering.uuid == shadowed.uuid


def test_an_offering_added_later_cannot_take_a_providers_name(services, world, admin, cloud_manager, anyone):
    services.catalog.add_provider(admin, "Network", "CNETWORK01")
    services.catalog.add_offering(cloud_manager, "Network", "Cloud")

    assert services.subscriptions.subscribe(anyone, "CNETFANS01", "Network").provider_name == "Network"


def test_a_bare_offering_name_still_names_the_offering_when_no_provider_has_it(services, world, anyone):
    subscription = services.subscriptions.subscribe(anyone, "CTEAMVMS01", "vms")

    assert subscription.offering.name == "VMs" and subscription.namesakes == ()


def test_an_offering_name_two_providers_use_is_ambiguous_and_lists_both(services, world, admin, anyone):
    services.catalog.add_offering(admin, "Monitoring", "Cloud")
    services.catalog.add_offering(admin, "Monitoring", "Storage")

    with pytest.raises(Ambiguous) as raised:
        services.subscriptions.subscribe(anyone, "CMONITOR01", "Monitoring")

    assert raised.value.matches == ["Cloud/Monitoring", "Storage/Monitoring"]
    assert services.subscriptions.of_channel("CMONITOR01") == []


def test_a_provider_id_and_an_offering_id_still_work(services, world, anyone):
    vms = world["offerings"]["VMs"]

    assert services.subscriptions.subscribe(anyone, "CBYID00001", vms.uuid.hex[:8]).offering.uuid == vms.uuid
    assert services.subscriptions.subscribe(anyone, "CBYID00001", world["storage"].uuid.hex).offering is None


def test_a_name_nothing_has_is_not_found(services, world, anyone):
    with pytest.raises(NotFound, match="No offering or service provider matches 'Nothing/Here'"):
        services.subscriptions.subscribe(anyone, "CNOWHERE01", "Nothing/Here")
