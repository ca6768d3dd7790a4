"""Settings from the environment and `.env`, validated once at start-up.

An invalid value stops start-up with one line naming the setting (see `load_settings`), never a
traceback: operators fix configuration, they should not have to read Python.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.domain.catalog import CHANNEL as SLACK_CHANNEL_ID
from bot.domain.catalog import USER as SLACK_USER_ID
from bot.domain.enums import Impact
from bot.domain.silence_policy import SilencePolicy
from bot.domain.validation import parse_lead_times  # the domain's rule, also for the configured defaults

_SUMMARY_AT = re.compile(r"^\s*(mon|tue|wed|thu|fri|sat|sun)\s+([01]?\d|2[0-3]):([0-5]\d)\s*$", re.IGNORECASE)


def parse_summary_at(text: str) -> tuple[str, int, int]:
    """Turn 'mon 09:00' into ('mon', 9, 0); raises ValueError on anything else."""
    match = _SUMMARY_AT.match(text)
    if not match:
        raise ValueError(f"{text.strip()!r} is not a weekday and local time like 'mon 09:00'")
    return match[1].lower(), int(match[2]), int(match[3])


def _http_url(value: str, example: str) -> str:
    """`value` without its trailing slash, if it is an http(s) address with no query or fragment."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"{value!r} is not an http(s) URL (like {example})")
    return value.rstrip("/")


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
    # Unset: links follow each request's host (answers then carry `Vary: Host`); set it in production.
    base_url: str | None = Field(default=None, validation_alias="MAINTBOT_BASE_URL")

    slack_bot_token: str | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default="https://slack.com/api/", validation_alias="SLACK_API_URL")

    # scheduled jobs (bot/jobs) and delivery (bot/slack/delivery.py)
    tick_seconds: int = Field(default=30, ge=1, le=3600, validation_alias="MAINTBOT_TICK_SECONDS")
    summary_at: str = Field(default="mon 09:00", validation_alias="MAINTBOT_SUMMARY_AT")
    summary_channel: str | None = Field(default=None, validation_alias="MAINTBOT_SUMMARY_CHANNEL")
    summary_chart: bool = Field(default=True, validation_alias="MAINTBOT_SUMMARY_CHART")
    delivery_workers: int = Field(default=4, ge=1, le=64, validation_alias="MAINTBOT_DELIVERY_WORKERS")
    delivery_max_age: str = Field(default="24h", validation_alias="MAINTBOT_DELIVERY_MAX_AGE")

    # bounded cost of every request (bot/limits.py, storage/db.py)
    query_timeout: float = Field(default=5.0, gt=0, le=3600, validation_alias="MAINTBOT_QUERY_TIMEOUT")
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024, le=1024**3, validation_alias="MAINTBOT_MAX_BODY_BYTES")
    api_concurrency: int = Field(default=8, ge=1, le=256, validation_alias="MAINTBOT_API_CONCURRENCY")
    public_rate: int = Field(default=60, ge=0, le=1_000_000, validation_alias="MAINTBOT_PUBLIC_RATE")
    public_burst: int = Field(default=20, ge=1, le=1_000_000, validation_alias="MAINTBOT_PUBLIC_BURST")
    # `GET /metrics` (bot/api/metrics.py): set, only `Authorization: Bearer <token>` reads it; unset, only loopback
    metrics_token: str | None = Field(default=None, validation_alias="MAINTBOT_METRICS_TOKEN")

    # Alertmanager silences that follow maintenance (bot/domain/silences.py, bot/jobs/silencer.py); unset: off
    alertmanager_urls: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias="MAINTBOT_ALERTMANAGER_URLS"
    )
    alertmanager_token: str | None = Field(default=None, validation_alias="MAINTBOT_ALERTMANAGER_TOKEN")
    alertmanager_user: str | None = Field(default=None, validation_alias="MAINTBOT_ALERTMANAGER_USER")
    alertmanager_password: str | None = Field(default=None, validation_alias="MAINTBOT_ALERTMANAGER_PASSWORD")
    silence_impact: str = Field(default="partial outage", validation_alias="MAINTBOT_SILENCE_IMPACT")
    silence_grace: str = Field(default="15m", validation_alias="MAINTBOT_SILENCE_GRACE")

    # log lines for people (`text`) or for a log pipeline (`json`, one object a line): bot/logs.py
    log_format: Literal["text", "json"] = Field(default="text", validation_alias="MAINTBOT_LOG_FORMAT")
    # the least severe records written, for every logger (maintbot's, uvicorn's, Bolt's, slack_sdk's)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", validation_alias="MAINTBOT_LOG_LEVEL"
    )
    # seconds `maintbot run` gives acks, work after acks and deliveries in flight after SIGTERM (bot/runner.py)
    shutdown_grace: float = Field(default=20.0, gt=0, le=3600, validation_alias="MAINTBOT_SHUTDOWN_GRACE")

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("admins", mode="before")
    @classmethod
    def _admins(cls, value: object) -> object:
        return _split_ids(value)

    @field_validator("admins")
    @classmethod
    def _admin_ids(cls, value: list[str]) -> list[str]:
        for user_id in value:
            if not SLACK_USER_ID.fullmatch(user_id):
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
        if not value.startswith(("sqlite://", "postgresql+psycopg://", "postgresql://", "postgres://")):
            raise ValueError("must start with sqlite:/// or postgresql:// (or postgres://)")
        return value

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        return _http_url(value, "https://maintbot.example.org")

    @field_validator("alertmanager_urls", mode="before")
    @classmethod
    def _alertmanager_urls(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        return list(dict.fromkeys(_http_url(url, "http://alertmanager:9093") for url in value or ()))

    @field_validator("silence_impact")
    @classmethod
    def _silence_impact(cls, value: str) -> str:
        impact_named(value)
        return value

    @field_validator("silence_grace")
    @classmethod
    def _silence_grace(cls, value: str) -> str:
        if value.strip() in ("0", "0m"):
            return "0m"
        if len(parse_lead_times(value)) != 1:
            raise ValueError(f"{value!r} is not one duration like 15m, 1h")
        return value

    @property
    def silence_policy(self) -> SilencePolicy | None:
        """The domain's silence policy; None (the feature off) without Alertmanager URLs."""
        if not self.alertmanager_urls:
            return None
        grace = timedelta(0) if self.silence_grace == "0m" else parse_lead_times(self.silence_grace)[0]
        return SilencePolicy(tuple(self.alertmanager_urls), impact_named(self.silence_impact), grace, self.base_url)

    @field_validator("summary_at")
    @classmethod
    def _summary_at(cls, value: str) -> str:
        parse_summary_at(value)
        return value

    @field_validator("summary_channel")
    @classmethod
    def _summary_channel(cls, value: str | None) -> str | None:
        if value and not SLACK_CHANNEL_ID.fullmatch(value):
            raise ValueError(f"{value!r} is not a Slack channel id (like C0123ABCD)")
        return value or None

    @field_validator("delivery_max_age")
    @classmethod
    def _delivery_max_age(cls, value: str) -> str:
        if len(parse_lead_times(value)) != 1:
            raise ValueError(f"{value!r} is not one duration like 24h, 90m or 2d")
        return value

    @property
    def max_delivery_age(self) -> timedelta:
        return parse_lead_times(self.delivery_max_age)[0]

    @property
    def status_page(self) -> str | None:
        """The public maintenance page's address for links from Slack, or None: Slack needs an absolute address,
        which only MAINTBOT_BASE_URL gives."""
        return f"{self.base_url.rstrip('/')}/status" if self.base_url else None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def reminder_leads(self) -> tuple[timedelta, ...]:
        return parse_lead_times(self.reminders)


def impact_named(value: str) -> Impact:
    """An impact level by its label ("partial outage") or number (1–4)."""
    text = value.strip().lower().replace("_", " ")
    for impact in Impact:
        if text in (impact.label.lower(), str(int(impact))):
            return impact
    labels = ", ".join(f"{impact.label.lower()!r}" for impact in Impact)
    raise ValueError(f"{value!r} is not an impact level ({labels}, or 1–4)")


class SettingsError(Exception):
    """A setting is invalid; the message is one line naming it."""


def _env_name(field: str) -> str:
    """The variable the operator set for `field`: of several spellings, the first one present (as pydantic reads)."""
    alias = Settings.model_fields[field].validation_alias
    if isinstance(alias, AliasChoices):
        names = [str(choice) for choice in alias.choices]
        return next((name for name in names if name in os.environ), names[0])
    return str(alias or field).upper()


def _field_of(location: str) -> str | None:
    """The field a validation error's location names: pydantic reports the alias, or the field name."""
    if location in Settings.model_fields:
        return location
    for name, info in Settings.model_fields.items():
        alias = info.validation_alias
        choices = alias.choices if isinstance(alias, AliasChoices) else [alias]
        if location in [str(choice) for choice in choices]:
            return name
    return None


def load_settings(**overrides: object) -> Settings:
    """Read settings; raise SettingsError with a single readable line on the first bad value."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        first = error.errors()[0]
        location = str(first["loc"][0]) if first["loc"] else "settings"
        field = _field_of(location)
        name = _env_name(field) if field else location
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"invalid setting {name}: {message}") from None
