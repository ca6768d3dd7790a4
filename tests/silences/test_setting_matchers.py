"""Admins set the alerts maintenance silences: CLI, Slack and HTTP, validated by the domain; and what the card's
thread says when silences are made and lifted."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from bot import cli
from bot.domain.announcements import AffectedInput
from bot.domain.enums import Action, Impact, State
from bot.jobs.alertmanager import Alertmanager
from bot.jobs.silencer import Silencer
from tests.factories import ADMIN_ID, announce
from tests.jobs.helpers import cards_in, replies_in


def test_the_command_line_sets_and_refuses_matchers(cli_with_an_offering, capsys):
    assert cli.main(["offering", "set", "Virtual machines", "--silence", '{service="vm",cluster=~"a|b"}']) == 0
    assert 'silences service="vm", cluster=~"a|b"' in capsys.readouterr().out
    assert cli.main(["offering", "set", "Virtual machines", "--silence", 'service=~"(unclosed"']) == 1
    assert "silence_matchers: The pattern of service is not a valid regular expression" in capsys.readouterr().err
    assert cli.main(["offering", "list"]) == 0
    assert cli.main(["provider", "set", "Cloud", "--silence", 'team="cloud"', "--silence-at-start"]) == 0
    assert 'silences team="cloud", from the scheduled start' in capsys.readouterr().out


def test_slack_admins_set_an_offerings_matchers_and_bad_syntax_changes_nothing(slack, services, world):
    reply = slack.command("offering set Cloud/VMs silence='service=\"vm\", cluster=~\"a|b\"'", user=ADMIN_ID)
    assert 'its maintenance silences `service="vm", cluster=~"a|b"`' in reply.text
    reply = slack.command("offering set Cloud/VMs silence='service=vm'", user=ADMIN_ID)
    assert "must be in double quotes" in reply.text
    reply = slack.command("offering set Cloud/VMs silence='service=\"x\"'", user="UCLOUDMGR1")
    assert "Only maintbot admins" in reply.text
    assert services.catalog.offering(world["offerings"]["VMs"].uuid).silence_matchers == (
        'service="vm", cluster=~"a|b"')
    reply = slack.command("provider set Cloud silence='team=\"cloud\"' silence_at_start=yes", user=ADMIN_ID)
    assert "Updated" in reply.text
    assert services.catalog.provider("Cloud").silence_at_start is True


def test_http_admins_patch_silence_matchers_with_field_errors_for_bad_syntax(api, world):
    vms = world["offerings"]["VMs"].uuid.hex
    path = f"/api/marketplace-provider-offerings/{vms}/"
    answer = api.http("admin").patch(path, json={"silence_matchers": 'service!~"db|cache", team="cloud"'})
    assert answer.status_code == 200
    assert answer.json()["silence_matchers"] == 'service!~"db|cache", team="cloud"'
    bad = api.http("admin").patch(path, json={"silence_matchers": 'service="vm" team="x"'})
    assert bad.status_code == 400 and "Expected a comma" in bad.json()["silence_matchers"][0]
    refused = api.http("cloud").patch(path, json={"silence_matchers": ""})
    assert refused.status_code == 403
    assert api.http("admin").get(path).json()["silence_matchers"] == 'service!~"db|cache", team="cloud"'


@pytest.fixture
def silencer(services):
    worker = Silencer(services, {url: Alertmanager(url) for url in services.context.silences.alertmanagers},
                      backoff=(timedelta(0), timedelta(0)), rng=random.Random(1))
    yield worker
    worker.stop()


def test_the_cards_thread_says_what_was_silenced_until_when_and_when_it_was_lifted(
    slack, services, world, admin, cloud_manager, silencer, dispatcher, standin, clock
):
    services.catalog.set_offering_silence(admin, world["offerings"]["VMs"].uuid, 'service="vm"')
    services.catalog.set_offering_silence(admin, world["offerings"]["Kubernetes"].uuid, 'service="k8s"')
    now = clock.now()
    affected = [AffectedInput("VMs", int(Impact.FULL)), AffectedInput("Kubernetes", int(Impact.PARTIAL))]
    shown = announce(services, cloud_manager, State.SCHEDULED, scheduled_start=now,
                     scheduled_end=now + timedelta(hours=2), affected=affected)
    services.announcements.transition(cloud_manager, shown.uuid, Action.START)
    silencer.run_due()
    dispatcher.deliver_due()
    card = next(c for c in cards_in(standin, "CCLOUD0001") if "Kernel upgrade" in c.text)
    until = (shown.scheduled_end + timedelta(minutes=15)).strftime("%H:%M")
    said = replies_in(standin, "CCLOUD0001", card)
    assert any("🔕 Alerts silenced: VMs, Kubernetes — until" in text and until in text for text in said)
    card = next(c for c in cards_in(standin, "CCLOUD0001") if c.ts == card.ts)
    assert "🔕 Alerts silenced: VMs, Kubernetes — until" in str(card.blocks)  # the card says it too
    thread = standin.thread("CCLOUD0001", card.ts)
    ids = [h.silence_id for h in services.silences.held(shown.uuid)]
    assert all(any(i in str(m.blocks) for m in thread) for i in ids)  # managers see the silence ids

    services.announcements.transition(cloud_manager, shown.uuid, Action.COMPLETE)
    silencer.run_due()
    dispatcher.deliver_due()
    assert any("🔔 Alert silences lifted: VMs, Kubernetes" in text for text in replies_in(standin, "CCLOUD0001", card))
    card = next(c for c in cards_in(standin, "CCLOUD0001") if c.ts == card.ts)
    assert "Alerts silenced" not in str(card.blocks) and "Completed" in str(card.blocks)
