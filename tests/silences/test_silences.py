"""Maintenance that silences its own alerts, against the real Alertmanager (read back through its v2 API)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from bot.domain.announcements import AffectedInput
from bot.domain.enums import Action, Impact, State
from bot.jobs.alertmanager import Alertmanager
from bot.jobs.silencer import Silencer
from tests.factories import announce
from tests.jobs.helpers import notices

VM = 'service="vm", cluster=~"a|b"'
K8S = 'service="k8s"'


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def silencer_of(services, *urls: str) -> Silencer:
    clients = {url: Alertmanager(url) for url in urls or services.context.silences.alertmanagers}
    return Silencer(services, clients, backoff=(timedelta(seconds=1), timedelta(seconds=1)), rng=random.Random(1))


@pytest.fixture
def silencer(services):
    worker = silencer_of(services)
    yield worker
    worker.stop()


@pytest.fixture
def matchers(services, world, admin):
    catalog = services.catalog
    catalog.set_offering_silence(admin, world["offerings"]["VMs"].uuid, VM)
    catalog.set_offering_silence(admin, world["offerings"]["Kubernetes"].uuid, K8S)


def maintenance(services, actor, state=State.SCHEDULED, **fields):
    now = services.context.clock.now()
    values = {
        "scheduled_start": now - timedelta(minutes=5),
        "scheduled_end": now + timedelta(hours=1),
        "affected": [AffectedInput("VMs", int(Impact.FULL)), AffectedInput("Kubernetes", int(Impact.PARTIAL))],
    } | fields
    return announce(services, actor, state, **values)


def active(silences):
    return [s for s in silences if s["status"]["state"] == "active"]


def test_start_silences_each_offering_once_with_its_matchers_until_the_end_plus_grace(
    services, matchers, cloud_manager, silencer, alertmanager, db
):
    shown = maintenance(services, cloud_manager)
    assert alertmanager.silences(shown.uuid) == []  # published, not started: nothing silenced yet
    started = services.announcements.transition(cloud_manager, shown.uuid, Action.START)
    assert silencer.run_due() == 1

    silences = alertmanager.silences(shown.uuid)
    assert len(silences) == 2 and len(active(silences)) == 2
    by_service = {next(m["value"] for m in s["matchers"] if m["name"] == "service"): s for s in silences}
    vm = by_service["vm"]
    assert {(m["name"], m["value"], m["isRegex"], m["isEqual"]) for m in vm["matchers"]} == {
        ("service", "vm", False, True), ("cluster", "a|b", True, True)}
    assert when(vm["endsAt"]) == started.scheduled_end + timedelta(minutes=15)
    assert vm["createdBy"] == "maintbot"
    assert "Kernel upgrade" in vm["comment"] and shown.uuid.hex[:8] in vm["comment"]
    assert f"https://maint.example.org/api/public-maintenance-announcements/{shown.uuid.hex}/" in vm["comment"]
    said = [n for n in notices(db, "silenced")]
    assert len(said) == 1 and said[0].channel_id == "CCLOUD0001"
    assert sorted(said[0].payload["offerings"]) == ["Kubernetes", "VMs"]
    assert sorted(said[0].payload["ids"]) == sorted(s["id"] for s in silences)

    assert silencer.run_due() == 0  # nothing more to do: still exactly one each
    assert len(alertmanager.silences(shown.uuid)) == 2


def test_extend_moves_the_end_and_complete_expires(services, matchers, cloud_manager, silencer, alertmanager):
    shown = maintenance(services, cloud_manager, State.IN_PROGRESS)
    silencer.run_due()
    extended = services.announcements.extend(cloud_manager, shown.uuid, shown.scheduled_end, timedelta(hours=1))
    silencer.run_due()
    silences = active(alertmanager.silences(shown.uuid))
    assert len(silences) == 2
    assert {when(s["endsAt"]) for s in silences} == {extended.scheduled_end + timedelta(minutes=15)}

    services.announcements.transition(cloud_manager, shown.uuid, Action.COMPLETE)
    silencer.run_due()
    assert active(alertmanager.silences(shown.uuid)) == []
    assert {s["status"]["state"] for s in alertmanager.silences(shown.uuid)} == {"expired"}


def test_deleting_maintenance_in_progress_expires_its_silences(
    services, matchers, cloud_manager, silencer, alertmanager
):
    shown = maintenance(services, cloud_manager, State.IN_PROGRESS)
    silencer.run_due()
    assert len(active(alertmanager.silences(shown.uuid))) == 2
    services.announcements.delete(cloud_manager, shown.uuid)
    silencer.run_due()
    assert active(alertmanager.silences(shown.uuid)) == []
