"""Input at the edges of its range: a field error or a polite refusal, never a 500, a traceback or a false alarm.

The findings: a start in year 1 accepted and then publishing failing with a 500 (reminder arithmetic
overflowed); Extend on an end in 9999 overflowing; `reminders=999999d` accepted and every later publish
of that provider failing; `/maint list type=<5000 nines>` hitting Python's digit limit; JSON nested past
the recursion limit. Scheduled times lie in the years 2000–2100 and lead times within 90 days, as the
domain's field rules, so the API, the Slack modal and commands all refuse the same way. Text that would
show something other than it says (control characters, ANSI escapes, bidi overrides) is refused; the
calendar feed writes Unicode line breaks of older text as escaped line breaks.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from bot.domain.enums import Action, State
from bot.domain.errors import Invalid
from bot.slack.cards import extend_value
from storage.models import Announcement, Provider
from tests.conftest import ADMIN_ID
from tests.factories import announce
from tests.reliability.helpers import fingerprint

pytestmark = pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)

MANAGER = "UCLOUDMGR1"
CHANNEL = "CCLOUD0001"
ANNOUNCEMENTS = "/api/maintenance-announcements/"
DEEP = 100_000
DIGITS = "9" * 5000
UNEXPECTED = ("Traceback", "💥", "Something went wrong", "Internal Server Error")


@pytest.fixture
def errors_logged(caplog):
    caplog.set_level(logging.ERROR)
    return lambda: [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]


def body(world, **fields) -> dict:
    return {"name": "Edge", "service_provider": f"{world['cloud'].uuid}", "scheduled_start": "2026-11-03T22:00:00Z",
            "scheduled_end": "2026-11-04T00:00:00Z"} | fields


def saved_before_the_rules(db, uuid, **values) -> None:
    """An announcement as a version without today's rules may have saved it."""
    with db.write() as session:
        session.execute(update(Announcement).where(Announcement.uuid == uuid).values(**values))


# -- scheduled times ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("field, moment", [
    ("scheduled_start", "0001-01-01T00:00:00Z"), ("scheduled_start", "1999-12-31T23:59:59Z"),
    ("scheduled_end", "9999-12-31T23:59:59Z"), ("scheduled_end", "2101-01-01T00:00:00Z"),
    ("scheduled_start", "0001-01-01T00:00:00+14:00"), ("scheduled_end", "9999-12-31T23:59:59-14:00"),
])
def test_times_outside_the_years_2000_to_2100_are_a_field_error(api, world, admin, errors_logged, field, moment):
    fields = {field: moment} if field == "scheduled_end" else {field: moment, "scheduled_end": "0001-01-02T00:00:00Z"}
    response = api.http().post(ANNOUNCEMENTS, json=body(world, **fields))

    assert response.status_code == 400, response.text
    assert field in response.json(), response.json()
    assert api.services.announcements.count(admin) == 0
    assert errors_logged() == []


def test_the_first_and_last_moments_of_the_range_are_accepted(api, world):
    response = api.http().post(ANNOUNCEMENTS, json=body(world, scheduled_start="2000-01-01T00:00:00Z",
                                                        scheduled_end="2100-12-31T23:59:59Z"))

    assert response.status_code == 201, response.text


def test_the_finding_a_start_in_year_one_is_refused_and_publishing_an_older_one_is_too(
        api, db, services, world, cloud_manager, errors_logged):
    response = api.http().post(ANNOUNCEMENTS, json=body(world, scheduled_start="0001-01-01T00:00:00Z"))
    assert response.status_code == 400 and "scheduled_start" in response.json()
    draft = announce(services, cloud_manager)
    saved_before_the_rules(db, draft.uuid, scheduled_start=datetime(1, 1, 1, tzinfo=UTC))

    published = api.http().post(f"{ANNOUNCEMENTS}{draft.uuid}/schedule/")

    assert published.status_code == 400 and "scheduled_start" in published.json(), published.text
    assert services.announcements.get(cloud_manager, draft.uuid).state is State.DRAFT
    assert errors_logged() == []


def test_the_schedule_button_on_such_a_draft_says_why(slack, db, services, world, cloud_manager, errors_logged):
    draft = announce(services, cloud_manager)
    saved_before_the_rules(db, draft.uuid, scheduled_start=datetime(1, 1, 1, tzinfo=UTC))
    card = slack.command(f"show {draft.short_id}", user=MANAGER).last

    reply = slack.press(card, "Schedule", user=MANAGER)

    assert "Start: Must lie in the years 2000–2100" in reply.text
    assert services.announcements.get(cloud_manager, draft.uuid).state is State.DRAFT
    assert errors_logged() == []


@pytest.mark.parametrize("epoch", [-62135596800, 946684799, 4133980800, 253402300799])
def test_the_modal_puts_an_out_of_range_time_beside_its_field(slack, services, world, epoch):
    slack.command("new", user=MANAGER)
    before = fingerprint(services.context.db)

    reply = slack.submit(slack.modal(), user=MANAGER, name="Edge", start=epoch, end=epoch)

    assert reply.ack["response_action"] == "errors" and "start" in reply.ack["errors"], reply.ack
    assert "2000–2100" in reply.ack["errors"]["start"]
    assert fingerprint(services.context.db) == before


def test_the_finding_extend_on_an_end_in_9999_is_refused(slack, db, services, world, cloud_manager, errors_logged):
    running = announce(services, cloud_manager, State.IN_PROGRESS)
    slack.deliver()
    end = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)
    saved_before_the_rules(db, running.uuid, scheduled_end=end)
    before = fingerprint(services.context.db)

    with pytest.raises(Invalid):
        services.announcements.extend(cloud_manager, running.uuid, end, timedelta(minutes=30))
    extend = {"type": "button", "action_id": "maint.extend30", "text": {"type": "plain_text", "text": "Extend 30 min"},
              "value": extend_value(services.announcements.get(cloud_manager, running.uuid))}
    card = slack.card_in(CHANNEL)
    alert = type(card)("Overrun", [{"type": "actions", "block_id": "alert", "elements": [extend]}],
                       channel=CHANNEL, ts=card.ts)
    reply = slack.press(alert, "Extend 30 min", user=MANAGER)

    assert "Nothing changed" in reply.text and "2000–2100" in reply.text, reply.text
    assert fingerprint(services.context.db) == before
    assert errors_logged() == []


# -- lead times ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("reminders", ["999999d", "91d", "2161h", "9999999m", DIGITS + "d", "1h,999999d"])
def test_the_finding_lead_times_past_ninety_days_are_refused(slack, services, world, errors_logged, reminders):
    before = fingerprint(services.context.db)

    added = slack.command(f"provider add Far channel=#CFAR00001 reminders={reminders}", user=ADMIN_ID)
    changed = slack.command(f"provider set Cloud reminders={reminders}", user=ADMIN_ID)

    for reply in (added, changed):
        assert "Reminders" in reply.text or "reminders" in reply.text, reply.text
        assert not any(word in reply.text for word in UNEXPECTED)
    assert fingerprint(services.context.db) == before
    assert errors_logged() == []


def test_ninety_days_is_accepted(slack, services, world):
    reply = slack.command("provider set Cloud reminders=90d,1h", user=ADMIN_ID)

    assert "Updated" in reply.text
    assert services.catalog.provider("Cloud").reminders == "90d,1h"


def test_a_provider_whose_stored_lead_times_break_the_rule_still_publishes(slack, db, services, world, cloud_manager,
                                                                          errors_logged):
    with db.write() as session:
        session.execute(update(Provider).where(Provider.name == "Cloud").values(reminders="999999d"))
    draft = announce(services, cloud_manager)

    published = services.announcements.transition(cloud_manager, draft.uuid, Action.SCHEDULE)

    assert published.state is State.SCHEDULED
    assert errors_logged() == []


# -- command text -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", [f"list type={DIGITS}", f"list page={DIGITS}", f"stats provider=Cloud type={DIGITS}",
                                   f"list state={DIGITS}", f"admin outbox retry {DIGITS}", f"show {DIGITS}"])
def test_the_finding_numbers_past_the_digit_limit_get_a_usage_answer(slack, services, world, errors_logged, typed):
    before = fingerprint(services.context.db)

    reply = slack.command(typed, user=ADMIN_ID)

    assert reply.status == 200 and reply.text.strip()
    assert not any(word in reply.text for word in UNEXPECTED), reply.text
    assert fingerprint(services.context.db) == before
    assert errors_logged() == []


# -- JSON bodies of the API -----------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["admin", None])
def test_api_bodies_nested_past_the_recursion_limit_or_the_digit_limit_are_refused(api, world, errors_logged, role):
    nested = "[" * DEEP + "]" * DEEP
    bodies = [nested, '{"name": ' + nested + "}", '{"maintenance_type": ' + DIGITS + "}",
              '{"name": "x", "scheduled_start": ' + DIGITS + "}", "{" * DEEP]
    for text in bodies:
        response = api.http(role).post(ANNOUNCEMENTS, content=text, headers={"Content-Type": "application/json"})
        assert response.status_code in ((400,) if role else (400, 401)), (response.status_code, response.text[:200])
    for query in (f"page={DIGITS}", f"page_size={DIGITS}", f"maintenance_type={DIGITS}"):
        assert api.http(role).get(f"{ANNOUNCEMENTS}?{query}").status_code in (400, 401)
    assert errors_logged() == []


# -- text that shows something else ---------------------------------------------------------------------------

URL_HIDDEN = ["\r", "\n", "\t", "\x7f", "\x1b", "\x00", "\u2028", "\u2029", "\x85", "\u200b", "\u202e", "\ufeff",
              " ", "\u00a0"]


@pytest.mark.parametrize("hidden", URL_HIDDEN, ids=[f"U+{ord(c):04X}" for c in URL_HIDDEN])
def test_a_reference_url_with_control_or_invisible_characters_is_refused(api, world, hidden):
    for url in (f"https://tracker.example.org/{hidden}CHG-1", f"https://tracker{hidden}.example.org/",
                f"{hidden}https://tracker.example.org/", f"https://tracker.example.org/{hidden}"):
        response = api.http().post(ANNOUNCEMENTS, json=body(world, external_reference_url=url))
        assert response.status_code == 400 and "external_reference_url" in response.json(), (url, response.text)


SHOWN_OTHERWISE = ["\x1b[31m", "\x1b]8;;https://evil.example\x07", "\u202e", "\u202a", "\u2066", "\u2069", "\x08",
                   "\r", "\x85", "\u2028", "\x9b"]


@pytest.mark.parametrize("hidden", SHOWN_OTHERWISE, ids=[f"U+{ord(c[0]):04X}-{len(c)}" for c in SHOWN_OTHERWISE])
@pytest.mark.parametrize("field", ["name", "message", "internal_notes"])
def test_names_and_messages_with_escapes_or_bidi_overrides_are_refused(api, world, field, hidden):
    response = api.http().post(ANNOUNCEMENTS, json=body(world, **{field: f"Kernel {hidden}upgrade"}))

    assert response.status_code == 400 and field in response.json(), response.text


def test_messages_keep_line_breaks_and_tabs_names_do_not(api, world):
    kept = api.http().post(ANNOUNCEMENTS, json=body(world, message="One\nTwo\r\nThree\tfour"))
    one_line = api.http().post(ANNOUNCEMENTS, json=body(world, name="One\nTwo"))

    assert kept.status_code == 201 and kept.json()["message"] == "One\nTwo\r\nThree\tfour"
    assert one_line.status_code == 400 and "name" in one_line.json()


@pytest.mark.parametrize("typed", ["offering add Cloud/VMs\u202eevil", "provider add Evil\x1b[2J channel=#CEVIL0001"])
def test_provider_and_offering_names_follow_the_same_rule(slack, services, world, typed):
    before = fingerprint(services.context.db)

    reply = slack.command(typed, user=ADMIN_ID)

    assert "control characters" in reply.text
    assert fingerprint(services.context.db) == before


def test_the_calendar_writes_unicode_line_breaks_of_older_text_as_line_breaks(api, db, services, world, cloud_manager):
    published = announce(services, cloud_manager, State.SCHEDULED)
    saved_before_the_rules(db, published.uuid, name="Kernel\u2028upgrade\x85now", message="a\u2029b")

    feed = api.http(None).get("/api/maintenance-calendar.ics").text

    assert not any(mark in feed for mark in ("\u2028", "\u2029", "\x85"))
    assert "Kernel\\nupgrade\\nnow" in feed.replace("\r\n ", "")
