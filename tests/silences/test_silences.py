"""Maintenance that silences its own alerts, against the real Alertmanager (read back through its v2 API)."""

from __future__ import annotations

import contextlib
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
    return Silencer(services, clients, backoff=(timedelta(0), timedelta(0)), rng=random.Random(1))


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


def test_alertmanager_down_at_start_the_maintenance_starts_and_the_silence_follows_once_it_is_back(
    services, matchers, cloud_manager, tmp_path, clock, db
):
    from bot.domain.service import build_services
    from bot.domain.silence_policy import SilencePolicy
    from tests.factories import ADMIN_ID
    from tests.silences.alertmanager import AlertmanagerProcess

    down = AlertmanagerProcess(tmp_path / "am")  # its port, with nothing listening yet
    services = build_services(db, clock, admins={ADMIN_ID}, silences=SilencePolicy((down.url,)))
    worker = silencer_of(services)
    try:
        shown = maintenance(services, cloud_manager)
        started = services.announcements.transition(cloud_manager, shown.uuid, Action.START)
        assert started.state is State.IN_PROGRESS  # never waits for Alertmanager
        for _ in range(3):  # three failed attempts: then the managers are told in the card's thread
            assert worker.run_due() == 0
        trouble = notices(db, "silence_trouble")
        assert len(trouble) == 1 and trouble[0].channel_id == "CCLOUD0001"
        down.start()
        assert worker.run_due() == 1
        assert len(active(down.silences(shown.uuid))) == 2
        worker.run_due()
        assert len(down.silences(shown.uuid)) == 2  # once
    finally:
        worker.stop()
        down.stop()


def test_two_replicas_racing_the_same_start_make_one_silence_each(
    db, clock, policy, matchers, services, cloud_manager, alertmanager
):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from bot.domain.errors import InvalidState
    from bot.domain.service import build_services
    from tests.factories import ADMIN_ID

    replicas = [build_services(db, clock, admins={ADMIN_ID}, silences=policy) for _ in range(2)]
    workers = [silencer_of(replica) for replica in replicas]
    shown = maintenance(services, cloud_manager)
    barrier = Barrier(2)

    def press(replica):
        barrier.wait()
        with contextlib.suppress(InvalidState):
            replica.announcements.transition(cloud_manager, shown.uuid, Action.START)
        barrier.wait()
        return replicas.index(replica)

    def work(worker):
        barrier.wait()
        return worker.run_due()

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(press, replicas))
        done = list(pool.map(work, workers))
    assert sum(done) == 1
    assert len(alertmanager.silences(shown.uuid)) == 2
    for worker in workers:
        worker.stop()


def test_a_crash_between_creating_a_silence_and_storing_its_id_is_adopted_not_duplicated(
    services, matchers, cloud_manager, silencer, alertmanager, clock, monkeypatch, db
):
    shown = maintenance(services, cloud_manager)
    services.announcements.transition(cloud_manager, shown.uuid, Action.START)
    store = services.silences.store

    def crash(*args, **kwargs):
        raise SystemError("the process died here")

    monkeypatch.setattr(services.silences, "store", crash)
    assert silencer.run_due() == 0  # the first silence was made, its id never stored
    assert len(alertmanager.silences(shown.uuid)) == 1
    monkeypatch.setattr(services.silences, "store", store)
    assert silencer.run_due() == 1
    silences = alertmanager.silences(shown.uuid)
    assert len(silences) == 2 and len(active(silences)) == 2
    held = services.silences.held(shown.uuid)
    assert sorted(h.silence_id for h in held) == sorted(s["id"] for s in silences)


def test_low_impact_offerings_and_offerings_without_matchers_are_not_silenced_and_provider_matchers_are_the_default(
    services, world, admin, cloud_manager, silencer, alertmanager
):
    services.catalog.update_provider(admin, "Cloud", silence_matchers='provider="cloud"')
    shown = maintenance(services, cloud_manager, State.IN_PROGRESS, affected=[
        AffectedInput("VMs", int(Impact.FULL)), AffectedInput("Kubernetes", int(Impact.DEGRADED))])
    silencer.run_due()
    silences = alertmanager.silences(shown.uuid)
    assert len(silences) == 1
    assert [(m["name"], m["value"]) for m in silences[0]["matchers"]] == [("provider", "cloud")]


def test_a_provider_that_silences_from_the_scheduled_start_does_so_before_anyone_presses_start(
    services, matchers, admin, cloud_manager, silencer, alertmanager, clock
):
    from zoneinfo import ZoneInfo

    from bot.jobs.tick import SummarySchedule, Ticker

    services.catalog.update_provider(admin, "Cloud", silence_at_start=True)
    shown = maintenance(services, cloud_manager, scheduled_start=clock.now() + timedelta(minutes=1))
    ticker = Ticker(services, schedule=SummarySchedule.parse("mon 09:00", ZoneInfo("UTC")))
    ticker.tick(clock.now())
    silencer.run_due()
    assert alertmanager.silences(shown.uuid) == []
    clock.advance(timedelta(minutes=1))
    ticker.tick(clock.now())
    silencer.run_due()
    assert len(alertmanager.silences(shown.uuid)) == 2


def test_the_tick_expires_a_silence_a_crash_left_behind(
    services, matchers, cloud_manager, silencer, alertmanager, clock, db
):
    from zoneinfo import ZoneInfo

    from bot.domain.notices import DROPPED
    from bot.jobs.tick import SummarySchedule, Ticker
    from storage.models import Notice

    shown = maintenance(services, cloud_manager, State.IN_PROGRESS)
    silencer.run_due()
    services.announcements.transition(cloud_manager, shown.uuid, Action.COMPLETE)
    with db.transaction() as lost:  # the work the completion queued is lost (a crash)
        lost.session.query(Notice).filter(Notice.kind == "silence", Notice.status == "pending").update(
            {"status": DROPPED})
        lost.commit()
    assert len(active(alertmanager.silences(shown.uuid))) == 2
    Ticker(services, schedule=SummarySchedule.parse("mon 09:00", ZoneInfo("UTC"))).tick(clock.now())
    silencer.run_due()
    assert active(alertmanager.silences(shown.uuid)) == []


def test_without_alertmanager_urls_nothing_about_silences_happens(db, clock, world, admin, cloud_manager):
    from bot.domain.service import build_services
    from tests.factories import ADMIN_ID

    off = build_services(db, clock, admins={ADMIN_ID})
    off.catalog.set_offering_silence(admin, world["offerings"]["VMs"].uuid, VM)  # may be set ahead of time
    shown = maintenance(off, cloud_manager, State.IN_PROGRESS)
    off.announcements.transition(cloud_manager, shown.uuid, Action.COMPLETE)
    assert notices(db, "silence") == [] and off.silences.held(shown.uuid) == []


def test_cancelling_maintenance_that_silenced_from_its_scheduled_start_expires_the_silences(
    services, matchers, admin, cloud_manager, silencer, alertmanager, clock
):
    from zoneinfo import ZoneInfo

    from bot.jobs.tick import SummarySchedule, Ticker

    services.catalog.update_provider(admin, "Cloud", silence_at_start=True)
    shown = maintenance(services, cloud_manager)  # Scheduled, its start 5 minutes ago: silenced by the tick
    Ticker(services, schedule=SummarySchedule.parse("mon 09:00", ZoneInfo("UTC"))).tick(clock.now())
    silencer.run_due()
    assert len(active(alertmanager.silences(shown.uuid))) == 2
    services.announcements.transition(cloud_manager, shown.uuid, Action.CANCEL)
    silencer.run_due()
    assert active(alertmanager.silences(shown.uuid)) == []
