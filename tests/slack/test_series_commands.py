"""`/maint series` answers within Block Kit's limits, and the series modal puts every refusal beside its field."""

from __future__ import annotations

from bot.domain.enums import State

MANAGER = "UCLOUDMGR1"


def open_modal(slack, standin, zone: str = "America/New_York") -> dict:
    standin.user_timezones[MANAGER] = zone
    slack.command("series new", user=MANAGER)
    return slack.modal()


def submit(slack, modal, **answers):
    values = {"name": "Backups", "repeats": "weekdays", "first_day": "2026-11-03", "time": "23:00",
              "duration": "30", "horizon": "14", "publish": "draft"} | answers
    return slack.submit(modal, user=MANAGER, **values)


def test_a_new_series_defaults_to_the_users_zone_and_can_stay_drafts(slack, services, world, standin,
                                                                     cloud_manager):
    reply = submit(slack, open_modal(slack, standin))

    assert reply.status == 200 and reply.body == ""
    [series] = services.series.list(cloud_manager).items
    assert series.timezone == "America/New_York" and series.publish_days_before is None
    assert series.rrule == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    made = services.announcements.list(cloud_manager).items
    assert made and {view.state for view in made} == {State.DRAFT}
    assert slack.posts("CCLOUD0001") == []  # drafts: nothing in the channel
    assert "Created the series *Backups*" in reply.text and "not created yet" not in reply.text.split("Next")[0]


def test_refusals_land_beside_their_fields_and_save_nothing(slack, services, world, standin, cloud_manager):
    modal = open_modal(slack, standin)
    cases = {
        "timezone": {"timezone": "Mars/Olympus_Mons"},
        "monthday": {"repeats": "monthday", "monthday": ""},
        "ordinal": {"repeats": "ordinal", "days": ["Tuesday"]},
        "days": {"repeats": "ordinal", "ordinal": "second", "days": ["Tuesday", "Friday"]},
        "repeats": {"repeats": "rule", "rule": "FREQ=HOURLY"},
        "duration": {"duration": "0"},
        "name": {"name": ""},
        "publish_days": {"publish": "auto", "publish_days": ""},
    }

    for block, answers in cases.items():
        reply = submit(slack, modal, **answers)
        assert reply.ack["response_action"] == "errors", block
        assert block in reply.ack["errors"], (block, reply.ack["errors"])
        assert all(len(message) <= 150 for message in reply.ack["errors"].values())
    assert services.series.list(cloud_manager).count == 0
    assert services.announcements.list(cloud_manager).count == 0


def test_a_long_list_stays_within_block_kits_limits(slack, services, world, cloud_manager):
    for number in range(25):
        services.series.create(cloud_manager, {
            "name": f"Series {number:02d} " + "x" * 130, "provider": "Cloud", "rrule": "FREQ=DAILY",
            "timezone": "Europe/Tallinn", "start_time": "02:00", "duration_minutes": 60, "horizon_days": 1})

    listed = slack.command("series", user=MANAGER)

    blocks = listed.ack["blocks"]
    assert len(blocks) <= 50
    assert all(len(block["text"]["text"]) <= 3000 for block in blocks if block.get("text"))
    assert "…and 5 more" in listed.text


def test_show_tells_the_rule_the_next_occurrences_and_what_was_skipped(slack, services, world, cloud_manager):
    series = services.series.create(cloud_manager, {
        "name": "Storage firmware", "provider": "Cloud", "rrule": "FREQ=MONTHLY;BYDAY=-1SU",
        "timezone": "Europe/Tallinn", "start_time": "03:00", "duration_minutes": 90, "first_day": "2026-11-01",
        "horizon_days": 90})
    services.series.skip(cloud_manager, series.uuid, series.first_day.replace(day=29))

    shown = slack.command(f"series show {series.short_id}", user=MANAGER)

    assert "Storage firmware" in shown.text and "every month on last Sunday" in shown.text
    assert "`FREQ=MONTHLY;BYDAY=-1SU`" in shown.text and "*Skipped:* 2026-11-29" in shown.text
    assert shown.text.count("<!date^") >= 3
    assert f"/api/maintenance-series/{series.uuid.hex}/calendar.ics" in shown.text
