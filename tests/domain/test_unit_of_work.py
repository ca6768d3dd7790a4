"""One operation, one transaction: a change, its audit event and its notices commit together, once, when the
operation says so; operations made of several (extend, a draft from a template, delete telling what it deleted,
an edit keeping offering impacts, a fixed-link update) are each one transaction."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from bot.domain.announcements import AffectedInput
from bot.domain.enums import Impact, State
from bot.domain.errors import Invalid, NotFound
from bot.domain.fixed_links import FIXED
from storage.models import Announcement, Event, Notice
from tests.factories import announce


@contextmanager
def transactions(db):
    """How many transactions the block begins on the database."""
    begun: list[int] = []

    def count(_connection) -> None:
        begun.append(1)

    event.listen(db.engine, "begin", count)
    try:
        yield begun
    finally:
        event.remove(db.engine, "begin", count)


def counted(db, model) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_nothing_a_unit_of_work_holds_lasts_unless_it_commits(services, db, world, cloud_manager):
    context = services.context
    before = counted(db, Event)
    with context.unit_of_work() as uow:
        uow.record(cloud_manager, "created", "Maintenance announcement Never")
    assert counted(db, Event) == before

    with context.unit_of_work() as uow:
        uow.record(cloud_manager, "created", "Maintenance announcement Kept")
        uow.commit()
    assert counted(db, Event) == before + 1


def test_a_refused_change_leaves_neither_change_nor_audit_event_nor_notice(services, db, world, cloud_manager):
    published = announce(services, cloud_manager, State.SCHEDULED)
    before = (counted(db, Event), counted(db, Notice))
    with pytest.raises(Invalid):
        early_end = published.scheduled_start - timedelta(hours=1)
        services.announcements.update(cloud_manager, published.uuid, {"name": "Renamed", "scheduled_end": early_end})
    assert (counted(db, Event), counted(db, Notice)) == before
    assert services.announcements.get(cloud_manager, published.uuid).name == published.name


def test_extending_is_one_transaction(services, db, world, cloud_manager, clock):
    running = announce(services, cloud_manager, State.IN_PROGRESS)
    with transactions(db) as begun:
        extended = services.announcements.extend(cloud_manager, running.uuid, running.scheduled_end,
                                                 timedelta(minutes=30))
    assert extended.scheduled_end == running.scheduled_end + timedelta(minutes=30)
    assert len(begun) == 1


def test_deleting_tells_what_was_deleted_in_the_same_transaction(services, db, world, cloud_manager):
    made = announce(services, cloud_manager, State.SCHEDULED)
    with transactions(db) as begun:
        deleted = services.announcements.delete(cloud_manager, made.uuid.hex[:8])
    assert (deleted.uuid, deleted.name, deleted.state, deleted.short_id) == (made.uuid, made.name, State.SCHEDULED,
                                                                             made.short_id)
    assert len(begun) == 1
    with pytest.raises(NotFound):
        services.announcements.get(cloud_manager, made.uuid)


def test_a_draft_from_a_template_is_read_and_created_in_one_transaction(services, db, world, cloud_manager, clock):
    template = services.templates.create(cloud_manager, {
        "name": "Kernel upgrade", "message": "Rolling reboot.", "provider": "Cloud",
        "offerings": [{"offering": "VMs", "impact_level": int(Impact.FULL)}]})
    start = clock.now() + timedelta(days=2)
    with transactions(db) as begun:
        draft = services.templates.instantiate(cloud_manager, template.uuid, start, start + timedelta(hours=1))
    assert len(begun) == 1
    assert (draft.name, draft.state, [(a.offering.name, a.impact_level) for a in draft.affected]) == (
        "Kernel upgrade", State.DRAFT, [("VMs", Impact.FULL)])


def test_an_edit_keeping_impacts_leaves_marked_offerings_as_they_were(services, world, cloud_manager):
    made = announce(services, cloud_manager, affected=[AffectedInput("VMs", int(Impact.FULL), "Down for 5 minutes")])
    shared = int(Impact.DEGRADED)
    edited = services.announcements.update(
        cloud_manager, made.uuid,
        {"affected": [AffectedInput("VMs", shared, "Slower"), AffectedInput("Kubernetes", shared, "Slower")]},
        keep_impacts=True,
    )
    assert {(a.offering.name, a.impact_level, a.impact_description) for a in edited.affected} == {
        ("VMs", Impact.FULL, "Down for 5 minutes"), ("Kubernetes", Impact.DEGRADED, "Slower")}

    changed = services.announcements.update(
        cloud_manager, made.uuid, {"affected": [AffectedInput("VMs", shared, "Slower")]}
    )
    assert [(a.offering.name, a.impact_level) for a in changed.affected] == [("VMs", Impact.DEGRADED)]


def test_a_links_fixed_ends_are_checked_in_its_updates_own_transaction(services, db, world, cloud_manager):
    made = announce(services, cloud_manager, affected=[AffectedInput("VMs")])
    link = made.affected[0]
    other = announce(services, cloud_manager)
    same = {"maintenance": made.uuid, "offering": link.offering.uuid, "impact_level": int(Impact.FULL)}
    with transactions(db) as begun:
        updated = services.announcements.update_affected(cloud_manager, link.uuid, same)
    assert (updated.impact_level, len(begun)) == (Impact.FULL, 1)

    with pytest.raises(Invalid) as refused:
        services.announcements.update_affected(cloud_manager, link.uuid, same | {"maintenance": other.uuid,
                                                                                "impact_level": int(Impact.NONE)})
    assert refused.value.fields == {"maintenance": [FIXED]}
    assert services.announcements.get_affected(cloud_manager, link.uuid).impact_level == Impact.FULL


def test_a_templates_provider_and_its_offerings_ends_are_fixed(services, world, cloud_manager, admin):
    template = services.templates.create(cloud_manager, {
        "name": "Patch", "provider": "Cloud", "offerings": [{"offering": "VMs"}]})
    storage = world["storage"].uuid
    renamed = services.templates.update(cloud_manager, template.uuid, {"name": "Patch night",
                                                                        "service_provider": template.provider_uuid})
    assert renamed.name == "Patch night"
    with pytest.raises(Invalid) as moved:
        services.templates.update(cloud_manager, template.uuid, {"name": "Moved", "service_provider": storage})
    assert moved.value.fields == {"service_provider": [FIXED]}

    link = template.offerings[0]
    with pytest.raises(Invalid) as repointed:
        services.templates.update_offering(cloud_manager, link.uuid, {
            "maintenance_template": template.uuid, "offering": world["offerings"]["Kubernetes"].uuid})
    assert repointed.value.fields == {"offering": [FIXED]}
    assert services.templates.get(cloud_manager, template.uuid).name == "Patch night"


def test_a_commit_that_queued_notices_wakes_the_dispatcher_once(services, world, cloud_manager):
    woken: list[int] = []
    services.context.when_notices_queued(lambda: woken.append(1))
    made = announce(services, cloud_manager)
    assert woken == []  # a draft tells no one
    services.announcements.transition(cloud_manager, made.uuid, "schedule")
    assert woken == [1]


def test_rows_of_a_deleted_announcement_are_gone_with_it(services, db, world, cloud_manager):
    made = announce(services, cloud_manager)
    services.announcements.delete(cloud_manager, made.uuid)
    assert counted(db, Announcement) == 0
