"""Matchers are checked to Alertmanager's rules (RE2), never with a 500; and a silence Alertmanager still refuses
is told to the managers in the card's thread once, not retried for a day."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import update

from bot import cli
from bot.domain.announcements import AffectedInput
from bot.domain.enums import Action, Impact, State
from bot.jobs.alertmanager import Alertmanager
from bot.jobs.silencer import Silencer
from storage.models import Offering
from tests.factories import ADMIN_ID, announce
from tests.jobs.helpers import cards_in, notices, replies_in

NESTED = "(" * 490 + "a" + ")" * 490
REFUSED = {  # what an admin types -> what they are told
    'x=~"a{4294967296}"': "repeats more than 1000 times",
    'x=~"a{99999999999999999999}"': "repeats more than 1000 times",
    f'x=~"{NESTED}"': "nests groups more than 100 deep",
    'x=~"a{1001}"': "repeats more than 1000 times",
    'x=~"(?>a)"': "atomic groups",
    'x=~"(?#c)a"': "comments",
    'x=~"(a)?(?(1)b|c)"': "conditionals",
    'x=~"a\\\\Z"': "write \\z",
    'x=~"((a{100}){100}){100}"': "nested repeats multiply",
    'x=~"a*+"': "possessive",
    'x=~"\\\\u00e9"': "the escape \\u",
}
ACCEPTED = ['x=~"\\\\p{L}+"', 'x=~"\\\\pL"', 'x=~"a\\\\x{10FFFF}"', 'x=~"vm-\\\\d{1,3}\\\\z"',
            'x=~"(?i)VM|(a{10}){100}"']


@pytest.mark.parametrize("typed", list(REFUSED))
def test_http_refuses_what_alertmanager_would_with_a_field_error_and_changes_nothing(api, world, typed):
    path = f"/api/marketplace-provider-offerings/{world['offerings']['VMs'].uuid.hex}/"
    assert api.http("admin").patch(path, json={"silence_matchers": 'service="vm"'}).status_code == 200
    bad = api.http("admin").patch(path, json={"silence_matchers": typed})
    assert bad.status_code == 400
    assert REFUSED[typed] in bad.json()["silence_matchers"][0]
    assert api.http("admin").get(path).json()["silence_matchers"] == 'service="vm"'


@pytest.mark.parametrize("typed", ACCEPTED)
def test_http_accepts_re2s_own_escapes(api, world, typed):
    path = f"/api/marketplace-provider-offerings/{world['offerings']['VMs'].uuid.hex}/"
    answer = api.http("admin").patch(path, json={"silence_matchers": typed})
    assert answer.status_code == 200
    assert answer.json()["silence_matchers"] == typed


def test_the_command_line_prints_its_error_line_not_a_traceback(cli_with_an_offering, capsys):
    for typed in ('x=~"a{4294967296}"', f'x=~"{NESTED}"'):
        assert cli.main(["offering", "set", "Virtual machines", "--silence", typed]) == 1
        err = capsys.readouterr().err
        assert "silence_matchers: The pattern of x" in err and "Traceback" not in err


def test_slack_answers_the_admin(slack, services, world):
    reply = slack.command("offering set Cloud/VMs silence='x=~\"a{4294967296}\"'", user=ADMIN_ID)
    assert "repeats more than 1000 times" in reply.text
    reply = slack.command(f"offering set Cloud/VMs silence='x=~\"{NESTED}\"'", user=ADMIN_ID)
    assert "nests groups more than 100 deep" in reply.text
    assert services.catalog.offering(world["offerings"]["VMs"].uuid).silence_matchers == ""


@pytest.fixture
def silencer(services):
    worker = Silencer(services, {url: Alertmanager(url) for url in services.context.silences.alertmanagers},
                      backoff=(timedelta(0), timedelta(0)), rng=random.Random(1))
    yield worker
    worker.stop()


def started(services, cloud_manager, clock):
    now = clock.now()
    affected = [AffectedInput("VMs", int(Impact.FULL)), AffectedInput("Kubernetes", int(Impact.PARTIAL))]
    shown = announce(services, cloud_manager, State.SCHEDULED, scheduled_start=now,
                     scheduled_end=now + timedelta(hours=2), affected=affected)
    services.announcements.transition(cloud_manager, shown.uuid, Action.START)
    return shown


def test_a_silence_alertmanager_refuses_is_told_once_in_the_thread_and_not_retried(
    services, world, admin, cloud_manager, silencer, dispatcher, standin, clock, alertmanager, db
):
    # maintbot accepts any Unicode class name (RE2 knows scripts too); Alertmanager 0.25 has no script "Foo"
    services.catalog.set_offering_silence(admin, world["offerings"]["VMs"].uuid, 'service=~"\\\\p{Foo}"')
    services.catalog.set_offering_silence(admin, world["offerings"]["Kubernetes"].uuid, 'service="k8s"')
    shown = started(services, cloud_manager, clock)
    assert silencer.run_due() == 1  # done: the refusal is not something to retry
    silences = alertmanager.silences(shown.uuid)
    assert [m["value"] for s in silences for m in s["matchers"]] == ["k8s"]  # the other offering is silenced
    dispatcher.deliver_due()
    card = next(c for c in cards_in(standin, "CCLOUD0001") if "Kernel upgrade" in c.text)
    said = [t for t in replies_in(standin, "CCLOUD0001", card) if "refused" in t]
    assert len(said) == 1
    assert "Alertmanager refused the silence of VMs" in said[0] and "p{Foo}" in said[0]
    assert "will not try it again" in said[0]
    assert "400" not in said[0] and alertmanager.url in said[0]  # what Alertmanager said, not just a status

    clock.advance(timedelta(minutes=10))
    services.announcements.extend(cloud_manager, shown.uuid, shown.scheduled_end, timedelta(hours=1))
    assert silencer.run_due() == 1  # the extension moves the Kubernetes silence; VMs, refused again, is not told twice
    assert [m["value"] for s in alertmanager.silences(shown.uuid) if s["status"]["state"] == "active"
            for m in s["matchers"]] == ["k8s"]
    dispatcher.deliver_due()
    assert len(notices(db, "silence_refused")) == 1  # told once for these matchers
    assert notices(db, "silence_trouble") == []


def test_matchers_an_older_version_stored_are_told_not_retried(
    services, world, admin, cloud_manager, silencer, dispatcher, standin, clock, alertmanager, db
):
    services.catalog.set_offering_silence(admin, world["offerings"]["Kubernetes"].uuid, 'service="k8s"')
    with db.write() as session:  # as maintbot before RE2 checks could have stored it
        session.execute(update(Offering).where(Offering.uuid == world["offerings"]["VMs"].uuid)
                        .values(silence_matchers='service=~"(?>vm)"'))
    shown = started(services, cloud_manager, clock)
    assert silencer.run_due() == 1
    assert [m["value"] for s in alertmanager.silences(shown.uuid) for m in s["matchers"]] == ["k8s"]
    dispatcher.deliver_due()
    card = next(c for c in cards_in(standin, "CCLOUD0001") if "Kernel upgrade" in c.text)
    said = [t for t in replies_in(standin, "CCLOUD0001", card) if "refused" in t]
    assert len(said) == 1 and "atomic groups" in said[0]
    assert silencer.run_due() == 0 and len(notices(db, "silence_refused")) == 1
