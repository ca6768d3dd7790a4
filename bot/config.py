"""Settings from the environment and `.env`, validated once at start-up.

An invalid value stops start-up with one line naming the setting (see `load_settings`), never a
traceback: operators fix configuration, they should not have to read Python.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

_LEAD_TIME = re.compile(r"^\s*(\d+)\s*([mhd])\s*$")
_UNIT = {"m": "minutes", "h": "hours", "d": "days"}


def parse_lead_times(text: str) -> tuple[timedelta, ...]:
    """Turn '72h,24h,1h' into lead times, longest first; raises ValueError on anything else."""
    leads = []
    for part in text.split(","):
        if not part.strip():
            continue
        match = _LEAD_TIME.match(part)
        if not match:
            raise ValueError(f"{part.strip()!r} is not a lead time like 72h, 30m or 2d")
        leads.append(timedelta(**{_UNIT[match[2]]: int(match[1])}))
    return tuple(sorted(set(leads), reverse=True))


def _split_ids(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    """Everything maintbot reads from its environment."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field(
        default="sqlite:///maintbot.db", validation_alias=AliasChoices("DATABASE_URL", "MAINTBOT_DATABASE_URL")
    )
    admins: Annotated[list[str], NoDecode] = Field(default_factory=list, validation_alias="MAINTBOT_ADMINS")
    timezone: str = Field(default="UTC", validation_alias="MAINTBOT_TIMEZONE")
    reminders: str = Field(default="72h,24h,1h", validation_alias="MAINTBOT_REMINDERS")
    auto_migrate: bool = Field(default=True, validation_alias="MAINTBOT_AUTO_MIGRATE")
    base_url: str = Field(default="http://localhost:3000", validation_alias="MAINTBOT_BASE_URL")

    slack_bot_token: str | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default="https://slack.com/api/", validation_alias="SLACK_API_URL")

    @field_validator("admins", mode="before")
    @classmethod
    def _admins(cls, value: object) -> object:
        return _split_ids(value)

    @field_validator("admins")
    @classmethod
    def _admin_ids(cls, value: list[str]) -> list[str]:
        for user_id in value:
            if not re.fullmatch(r"[UW][A-Z0-9]{2,}", user_id):
                raise ValueError(f"{user_id!r} is not a Slack user id (like U0123ABCD)")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone (like Europe/Tallinn)") from None
        return value

    @field_validator("reminders")
    @classmethod
    def _reminders(cls, value: str) -> str:
        parse_lead_times(value)
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must start with sqlite:/// or postgresql+psycopg://")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def reminder_leads(self) -> tuple[timedelta, ...]:
        return parse_lead_times(self.reminders)


class SettingsError(Exception):
    """A setting is invalid; the message is one line naming it."""


def _env_name(field: str) -> str:
    alias = Settings.model_fields[field].validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return str(alias or field).upper()


def load_settings(**overrides: object) -> Settings:
    """Read settings; raise SettingsError with a single readable line on the first bad value."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "settings"
        name = _env_name(field) if field in Settings.model_fields else field
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"invalid setting {name}: {message}") from None
