"""HTTP mode: Bolt verifies every request's signature and age; the endpoint shares the API's app."""

from __future__ import annotations

import time

from bot.console import simulator
from bot.domain.enums import State
from bot.slack.http import routes
from bot.web import create_app
from tests.factories import announce
from tests.slack.workspace import Server, Workspace

MANAGER = "UCLOUDMGR1"


def schedule_request(slack, view) -> str:
    return simulator.slash_command(MANAGER, "CCLOUD0001", f"schedule {view.short_id}", slack.standin.response_url())


def test_a_request_with_a_bad_signature_gets_401_and_changes_nothing(slack, services, world, cloud_manager):
    draft = announce(services, cloud_manager)

    reply = slack.send(schedule_request(slack, draft), simulator.FORM, secret="not-the-signing-secret")

    assert reply.status == 401
    assert services.announcements.get(cloud_manager, draft.uuid).state is State.DRAFT
    assert slack.standin.responses == [] and slack.standin.messages == []


def test_a_request_older_than_five_minutes_gets_401_and_changes_nothing(slack, services, world, cloud_manager):
    draft = announce(services, cloud_manager)

    reply = slack.send(schedule_request(slack, draft), simulator.FORM, timestamp=int(time.time()) - 5 * 60 - 5)

    assert reply.status == 401
    assert services.announcements.get(cloud_manager, draft.uuid).state is State.DRAFT


def test_a_correctly_signed_request_goes_through(slack, services, world, cloud_manager):
    draft = announce(services, cloud_manager)

    reply = slack.send(schedule_request(slack, draft), simulator.FORM, timestamp=int(time.time()) - 60)

    assert reply.status == 200 and "Published" in reply.ack["text"]
    assert services.announcements.get(cloud_manager, draft.uuid).state is State.SCHEDULED


def test_an_unsigned_button_press_is_refused(slack, services, world, cloud_manager):
    view = announce(services, cloud_manager, State.SCHEDULED)
    button = {"action_id": "maint.start", "value": view.uuid.hex, "text": {"type": "plain_text", "text": "Start"}}
    body = simulator.block_actions(MANAGER, button, block_id="card", channel="CCLOUD0001", message_ts="1.2",
                                   response_url=slack.standin.response_url())

    response = slack.http.post(slack.url, content=body, headers={"Content-Type": simulator.FORM})

    assert response.status_code == 401
    assert services.announcements.get(cloud_manager, view.uuid).state is State.SCHEDULED


def test_slack_events_are_served_by_the_api_app_through_its_slack_hook(services, settings, slack_app, standin,
                                                                          world):
    server = Server(create_app(services, settings, slack=routes(slack_app.bolt)))
    url = server.start()
    try:
        workspace = Workspace(url, slack_app, standin)
        reply = workspace.command("providers", user="UREADER001")
        api = workspace.http.get(url + "/api/public-maintenance-announcements/")
        workspace.close()
    finally:
        server.stop()

    assert reply.status == 200 and "Cloud" in reply.ack["text"] + str(reply.ack.get("blocks"))
    assert api.status_code == 200


def test_web_api_calls_are_retried_after_a_rate_limit_and_a_server_error(slack, world, standin):
    standin.fail(method="views.open", status=429, retry_after=0)
    standin.fail(method="views.open", status=503)

    slack.command("new", user=MANAGER)

    attempts = standin.calls_to("views.open")
    assert len(attempts) == 3
    assert slack.modal()["title"]["text"] == "New announcement"
