"""The silence settings: off unless Alertmanager URLs are given; bad values stop start-up naming the variable."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import Settings, SettingsError, load_settings
from bot.domain.enums import Impact


def test_off_unless_urls_are_set_and_the_defaults_when_they_are(monkeypatch):
    assert Settings().silence_policy is None
    policy = Settings(MAINTBOT_ALERTMANAGER_URLS="http://am-0:9093, http://am-1:9093/").silence_policy
    assert policy.alertmanagers == ("http://am-0:9093", "http://am-1:9093")
    assert policy.threshold is Impact.PARTIAL and policy.grace == timedelta(minutes=15)
    tuned = Settings(MAINTBOT_ALERTMANAGER_URLS="http://am:9093", MAINTBOT_SILENCE_IMPACT="full outage",
                     MAINTBOT_SILENCE_GRACE="0").silence_policy
    assert tuned.threshold is Impact.FULL and tuned.grace == timedelta(0)


@pytest.mark.parametrize(
    ("variable", "value"),
    [("MAINTBOT_ALERTMANAGER_URLS", "am:9093"), ("MAINTBOT_SILENCE_IMPACT", "catastrophic"),
     ("MAINTBOT_SILENCE_GRACE", "soon")],
)
def test_a_bad_value_names_its_variable(monkeypatch, tmp_path, variable, value):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=variable):
        load_settings()
