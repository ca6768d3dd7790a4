"""Settings: the defaults, how lists and lead times are read, and one readable line per bad value."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest

from bot.config import Settings, SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No maintbot variables from the outside, and no `.env` unless a test writes one."""
    for name in list(os.environ):
        if name.startswith(("MAINTBOT_", "SLACK_")) or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_defaults_need_no_configuration():
    settings = load_settings()

    assert settings.database_url == "sqlite:///maintbot.db"
    assert settings.admins == []
    assert settings.timezone == "UTC"
    assert settings.reminder_leads == (timedelta(hours=72), timedelta(hours=24), timedelta(hours=1))
    assert settings.auto_migrate is True
    assert settings.base_url is None
    assert settings.slack_bot_token is None
    assert settings.slack_api_url == "https://slack.com/api/"


def test_admins_are_a_comma_separated_list_of_slack_user_ids(monkeypatch):
    monkeypatch.setenv("MAINTBOT_ADMINS", "U0ADMIN1, W0ADMIN2,,")

    assert load_settings().admins == ["U0ADMIN1", "W0ADMIN2"]


def test_an_empty_admins_list_means_no_admins(monkeypatch):
    monkeypatch.setenv("MAINTBOT_ADMINS", "")

    assert load_settings().admins == []


def test_reminders_are_read_longest_first_without_duplicates(monkeypatch):
    monkeypatch.setenv("MAINTBOT_REMINDERS", "30m, 2d,24h,24h")

    assert load_settings().reminder_leads == (timedelta(days=2), timedelta(hours=24), timedelta(minutes=30))


def test_empty_reminders_turn_reminders_off(monkeypatch):
    monkeypatch.setenv("MAINTBOT_REMINDERS", "")

    assert load_settings().reminder_leads == ()


@pytest.mark.parametrize("value", ["false", "0", "no", "off"])
def test_auto_migrate_can_be_switched_off(monkeypatch, value):
    monkeypatch.setenv("MAINTBOT_AUTO_MIGRATE", value)

    assert load_settings().auto_migrate is False


def test_the_time_zone_is_an_iana_zone(monkeypatch):
    monkeypatch.setenv("MAINTBOT_TIMEZONE", "Europe/Tallinn")

    assert load_settings().zone.key == "Europe/Tallinn"


@pytest.mark.parametrize(
    "url",
    ["sqlite:////var/lib/maintbot.db", "postgresql+psycopg://bot@db/maint", "postgresql://bot@db/maint",
     "postgres://bot@db/maint"],
)
def test_database_urls_in_the_spellings_operators_paste_are_accepted(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)

    assert load_settings().database_url == url


def test_the_database_url_may_also_be_given_as_maintbot_database_url(monkeypatch):
    monkeypatch.setenv("MAINTBOT_DATABASE_URL", "sqlite:///other.db")

    assert load_settings().database_url == "sqlite:///other.db"


def test_settings_are_read_from_a_dot_env_file_and_the_environment_wins(monkeypatch, tmp_path):
    (tmp_path / ".env").write_text("MAINTBOT_TIMEZONE=Europe/Tallinn\nMAINTBOT_ADMINS=U0FROMFILE\n")
    monkeypatch.setenv("MAINTBOT_ADMINS", "U0FROMENV")

    settings = load_settings()

    assert settings.timezone == "Europe/Tallinn"
    assert settings.admins == ["U0FROMENV"]


@pytest.mark.parametrize(
    ("variable", "value", "explanation"),
    [
        ("MAINTBOT_TIMEZONE", "Mars/Olympus", "not an IANA time zone"),
        ("MAINTBOT_ADMINS", "U0ADMIN1,bob", "'bob' is not a Slack user id"),
        ("MAINTBOT_REMINDERS", "72h,soon", "'soon' is not a lead time"),
        ("MAINTBOT_AUTO_MIGRATE", "maybe", "boolean"),
        ("DATABASE_URL", "mysql://bot@db/maint", "must start with sqlite:/// or postgresql://"),
        ("MAINTBOT_DATABASE_URL", "mysql://bot@db/maint", "must start with sqlite:/// or postgresql://"),
        ("MAINTBOT_BASE_URL", "localhost:3000", "not an http(s) URL"),
    ],
)
def test_an_invalid_setting_is_one_line_naming_the_variable(monkeypatch, variable, value, explanation):
    monkeypatch.setenv(variable, value)

    with pytest.raises(SettingsError) as refused:
        load_settings()

    message = str(refused.value)
    assert message.startswith(f"invalid setting {variable}: ")
    assert explanation in message
    assert "\n" not in message


def test_only_the_first_of_several_invalid_settings_is_reported(monkeypatch):
    monkeypatch.setenv("MAINTBOT_TIMEZONE", "Mars/Olympus")
    monkeypatch.setenv("MAINTBOT_REMINDERS", "soon")

    with pytest.raises(SettingsError) as refused:
        load_settings()

    assert "\n" not in str(refused.value)


def test_an_invalid_override_names_the_variable_it_stands_for():
    with pytest.raises(SettingsError, match=r"^invalid setting MAINTBOT_TIMEZONE: 'Nowhere'"):
        load_settings(timezone="Nowhere")


def test_overrides_replace_the_environment(monkeypatch):
    monkeypatch.setenv("MAINTBOT_TIMEZONE", "Europe/Tallinn")

    assert load_settings(timezone="UTC").timezone == "UTC"
    assert isinstance(load_settings(), Settings)
