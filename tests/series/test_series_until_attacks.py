"""A rule's UNTIL in a year before 1970 (the outside review saved one that could then never be read back, and it
stopped every other series) is refused with a 400 beside `rrule` and saves nothing; UNTIL reads back as written."""

from __future__ import annotations

import pytest

from tests.series.test_series_api import SERIES, body


@pytest.mark.parametrize("until", ["09991231", "00010101", "00010101T000000Z", "19691231"])
def test_an_until_before_1970_is_refused_and_saves_nothing(api, world, until):
    http = api.http("cloud")

    refused = http.post(SERIES, json=body(api, world, rrule=f"FREQ=WEEKLY;UNTIL={until}"))

    assert refused.status_code == 400 and "rrule" in refused.json()
    listed = http.get(SERIES)
    assert listed.status_code == 200 and listed.json() == []


def test_an_until_reads_back_as_written(api, world):
    http = api.http("cloud")

    created = http.post(SERIES, json=body(api, world, rrule="FREQ=WEEKLY;BYDAY=TU;UNTIL=20270105"))

    assert created.status_code == 201, created.text
    assert http.get(created.json()["url"]).json()["rrule"] == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270105"
