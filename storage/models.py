"""The tables of every entity in DESIGN §2, with the indexes the queries need.

Enumerations are stored as the small integers of the seed API (state 1–5, type 1–5, impact 1–4);
their meaning lives in the domain. Times are timezone-aware UTC.
"""

from __future__ import annotations

import uuid as uuid_module
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.types import UTCDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Timestamp = UTCDateTime()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _new_uuid() -> uuid_module.UUID:
    return uuid_module.uuid4()


class Provider(Base):
    """A service provider: who announces, where announcements go, who manages them."""

    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[uuid_module.UUID] = mapped_column(Uuid, unique=True, default=_new_uuid)
    name: Mapped[str] = mapped_column(String(150), unique=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    stats_channel_id: Mapped[str | None] = mapped_column(String(32))
    auto_start: Mapped[bool] = mapped_column(Boolean, default=False)
    reminders: Mapped[str | None] = mapped_column(String(100))
    #: Alertmanager matchers its offerings' silences use when they have none of their own (bot/domain/matchers.py).
    silence_matchers: Mapped[str] = mapped_column(String(1000), default="", server_default="")
    #: Silence from the scheduled start, before anyone presses Start.
    silence_at_start: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    created: Mapped[datetime] = mapped_column(Timestamp)

    managers: Mapped[list[ProviderManager]] = relationship(
        back_populates="provider", cascade="all, delete-orphan", passive_deletes=True, lazy="selectin"
    )


class ProviderManager(Base):
    """One Slack user id (kind 'user') or user-group id (kind 'group') that manages a provider."""

    __tablename__ = "provider_managers"
    __table_args__ = (
        UniqueConstraint("provider_id", "slack_id"),
        CheckConstraint("kind IN ('user', 'group')", name="kind"),
        Index(None, "slack_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"))
    slack_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(8))

    provider: Mapped[Provider] = relationship(back_populates="managers")


class Offering(Base):
    """A service that maintenance can affect."""

    __tablename__ = "offerings"
    __table_args__ = (UniqueConstraint("provider_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[uuid_module.UUID] = mapped_column(Uuid, unique=True, default=_new_uuid)
    name: Mapped[str] = mapped_column(String(150))
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    #: Alertmanager matchers of its silences during maintenance (bot/domain/matchers.py); "": the provider's.
    silence_matchers: Mapped[str] = mapped_column(String(1000), default="", server_default="")
    created: Mapped[datetime] = mapped_column(Timestamp)

    provider: Mapped[Provider] = relationship(lazy="joined")


class Announcement(Base):
    """A maintenance announcement; its state machine is the domain's."""

    __tablename__ = "announcements"
    __table_args__ = (
        Index(None, "state", "scheduled_start"),
        Index(None, "state", "scheduled_end"),
        Index(None, "provider_id", "state"),
        # Statistics read only these columns of the window: an index-only range scan.
        Index(
            "ix_announcements_stats_window",
            "scheduled_start",
            "scheduled_end",
            "state",
            "maintenance_type",
            "provider_id",
            "highest_impact",
            "actual_start",
            "actual_end",
            "planned_end",  # migration 0006
        ),
        # Lists sort by these (migration 0003): with the columns visibility reads (state, provider), a deep
        # page is a walk along one index, without reading the rows it skips.
        Index(None, "created", "state", "provider_id"),
        Index(None, "name", "state", "provider_id"),
        Index(None, "scheduled_start", "state", "provider_id"),
        Index(None, "scheduled_end", "state", "provider_id"),
        CheckConstraint("state BETWEEN 1 AND 5", name="state"),
        CheckConstraint("maintenance_type BETWEEN 1 AND 5", name="maintenance_type"),
        # Added by migration 0007 as a unique index (SQLite cannot add a constraint to an existing table).
        Index("uq_announcements_series_id_series_occurrence", "series_id", "series_occurrence", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[uuid_module.UUID] = mapped_column(Uuid, unique=True, default=_new_uuid)
    name: Mapped[str] = mapped_column(String(150))
    message: Mapped[str] = mapped_column(String(2000), default="")
    internal_notes: Mapped[str] = mapped_column(String(2000), default="")
    maintenance_type: Mapped[int] = mapped_column(SmallInteger, default=1)
    external_reference_url: Mapped[str] = mapped_column(String(500), default="")
    state: Mapped[int] = mapped_column(SmallInteger, default=1)
    scheduled_start: Mapped[datetime] = mapped_column(Timestamp)
    scheduled_end: Mapped[datetime] = mapped_column(Timestamp)
    actual_start: Mapped[datetime | None] = mapped_column(Timestamp)
    actual_end: Mapped[datetime | None] = mapped_column(Timestamp)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"))
    created_by: Mapped[str] = mapped_column(String(100), default="")
    backend_id: Mapped[str] = mapped_column(String(255), default="")
    #: The highest impact_level of its affected offerings (1, "No impact", when none); kept by the domain
    #: so that statistics need no subquery per announcement.
    highest_impact: Mapped[int] = mapped_column(SmallInteger, default=1)
    #: Rises with every change, so calendars (iCalendar SEQUENCE) and caches can tell versions apart.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    #: The wording its audience was last shown (bot/domain/published.py); None until first published.
    #: Deferred: only cards and feeds of withdrawn or cancelled announcements read it.
    published: Mapped[dict | None] = mapped_column(JSON, deferred=True)
    created: Mapped[datetime] = mapped_column(Timestamp)
    modified: Mapped[datetime] = mapped_column(Timestamp)
    #: The scheduled end in force when the maintenance started (migration 0006): overruns are measured against
    #: it (bot/domain/timing.py), so extending a running maintenance does not hide that it overran. None before.
    planned_end: Mapped[datetime | None] = mapped_column(Timestamp)
    #: The series it is an occurrence of (bot/domain/series.py), and which one: the local date its rule gave.
    #: Unique together, so each occurrence is created once however many processes materialise at once.
    #: No foreign key (SQLite cannot add one to an existing table): deleting a series unlinks its occurrences.
    series_id: Mapped[int | None] = mapped_column(Integer)
    series_occurrence: Mapped[date | None] = mapped_column(Date)
    #: What the series last wrote into it (a hash): while its content still matches, it is untouched by hand.
    series_fingerprint: Mapped[str | None] = mapped_column(String(64))
    #: When the series publishes this draft by itself (publish_days_before); None once done or never.
    series_publish_at: Mapped[datetime | None] = mapped_column(Timestamp, index=True)

    provider: Mapped[Provider] = relationship(lazy="joined")
    affected: Mapped[list[AffectedOffering]] = relationship(
        back_populates="announcement",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
        order_by="AffectedOffering.id",
    )
    #: Selectin: one extra read for a page holding occurrences, none for a page without.
    series: Mapped[Series | None] = relationship(
        lazy="selectin", primaryjoin="foreign(Announcement.series_id) == Series.id", viewonly=True
    )


class AffectedOffering(Base):
    """An offering touched by an announcement, with how badly (impact 1–4)."""

    __tablename__ = "affected_offerings"
    __table_args__ = (
        UniqueConstraint("announcement_id", "offering_id"),
        CheckConstraint("impact_level BETWEEN 1 AND 4", name="impact_level"),
        Index(None, "offering_id"),
        Index(None, "announcement_id", "impact_level"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[uuid_module.UUID] = mapped_column(Uuid, unique=True, default=_new_uuid)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"))
    offering_id: Mapped[int] = mapped_column(ForeignKey("offerings.id", ondelete="CASCADE"))
    impact_level: Mapped[int] = mapped_column(SmallInteger, default=2)
    impact_description: Mapped[str] = mapped_column(Text, default="")
    created: Mapped[datetime] = mapped_column(Timestamp)
    modified: Mapped[datetime] = mapped_column(Timestamp)

    announcement: Mapped[Announcement] = relationship(back_populates="affected")
    offering: Mapped[Offering] = relationship(lazy="joined")


class Template(Base):
    """A stored preset for new announcements: everything but times and state."""

    __tablename__ = "templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[uuid_module.UUID] = mapped_column(Uuid, unique=True, default=_new_uuid)
    name: Mapped[str] = mapped_column(String(150))
    message: Mapped[str] = mapped_column(String(2000), default="")
    maintenance_type: Mapped[int] = mapped_column(SmallInteger, default=1)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    created: Mapped[datetime] = mapped_column(Timestamp)
    modified: Mapped[datetime] = mapped_column(Timestamp)

    provider: Mapped[Provider] = relationship(lazy="joined")
    offerings: Mapped[list[TemplateOffering]] = relationship(
        back_populates="template",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
        order_by="TemplateOffering.id",
    )


class TemplateOffering(Base):
    """An offering a template pre-selects, with its default impact."""

    __tablename__ = "template_offerings"
    __table_args__ = (
        UniqueConstraint("template_id", "offering_id"),
        CheckConstraint("impact_level BETWEEN 1 AND 4", name="impact_level"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[uuid_module.UUID] = mapped_column(Uuid, unique=True, default=_new_uuid)
    template_id: Mapped[int] = mapped_column(ForeignKey("templates.id", ondelete="CASCADE"))
    offering_id: Mapped[int] = mapped_column(ForeignKey("offerings.id", ondelete="CASCADE"), index=True)
    impact_level: Mapped[int] = mapped_column(SmallInteger, default=2)
    impact_description: Mapped[str] = mapped_column(Text, default="")
    created: Mapped[datetime] = mapped_column(Timestamp)

    template: Mapped[Template] = relationship(back_populates="offerings")
    offering: Mapped[Offering] = relationship(lazy="joined")


class Subscription(Base):
    """A channel that wants the notices of one offering or of a whole provider."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        CheckConstraint("(offering_id IS NULL) <> (provider_id IS NULL)", name="one_target"),
        Index(
            "uq_subscriptions_channel_offering",
            "channel_id",
            "offering_id",
            unique=True,
            sqlite_where=text("offering_id IS NOT NULL"),
            postgresql_where=text("offering_id IS NOT NULL"),
        ),
        Index(
            "uq_subscriptions_channel_provider",
            "channel_id",
            "provider_id",
            unique=True,
            sqlite_where=text("provider_id IS NOT NULL"),
            postgresql_where=text("provider_id IS NOT NULL"),
        ),
        Index(None, "offering_id"),
        Index(None, "provider_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    offering_id: Mapped[int | None] = mapped_column(ForeignKey("offerings.id", ondelete="CASCADE"))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"))
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created: Mapped[datetime] = mapped_column(Timestamp)

    offering: Mapped[Offering | None] = relationship(lazy="joined")
    provider: Mapped[Provider | None] = relationship(lazy="joined")


class Event(Base):
    """Audit trail: who changed what, when, through which interface. Kept after deletes."""

    __tablename__ = "events"
    __table_args__ = (Index(None, "announcement_uuid", "id"), Index(None, "created"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    announcement_uuid: Mapped[uuid_module.UUID | None] = mapped_column(Uuid)
    provider_uuid: Mapped[uuid_module.UUID | None] = mapped_column(Uuid)
    actor: Mapped[str] = mapped_column(String(100))
    interface: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    created: Mapped[datetime] = mapped_column(Timestamp)


class ApiToken(Base):
    """An HTTP API token. Only the SHA-256 of the secret is kept; the secret is shown once."""

    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint("role IN ('admin', 'provider', 'read_only')", name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[uuid_module.UUID] = mapped_column(Uuid, unique=True, default=_new_uuid)
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"))
    created: Mapped[datetime] = mapped_column(Timestamp)
    revoked: Mapped[datetime | None] = mapped_column(Timestamp)

    provider: Mapped[Provider | None] = relationship(lazy="joined")


class PostedCard(Base):
    """Where an announcement's card was posted, so every copy can be updated in place.

    Keyed by the announcement's uuid rather than a foreign key: after a delete the copies in
    channels still have to be told.
    """

    __tablename__ = "posted_cards"
    __table_args__ = (UniqueConstraint("announcement_uuid", "channel_id"), UniqueConstraint("channel_id", "ts"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    announcement_uuid: Mapped[uuid_module.UUID] = mapped_column(Uuid)
    channel_id: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str] = mapped_column(String(32))
    created: Mapped[datetime] = mapped_column(Timestamp)


class Notice(Base):
    """The outbox: one message to one channel, written with the change that caused it.

    `key` makes a notice unique (announcement, kind, the scheduled time it refers to, channel), so the
    same notice can never be queued twice. The dispatcher claims due rows by `status` and `next_attempt`:
    a claim writes a fresh `claim_token` and moves `next_attempt` to the end of its lease, so a notice
    whose process died is due again once the lease runs out. `due` is when it first became due (the
    age that decides when retrying stops). Statuses: pending, sent, failed (by a permanent error or
    too old; an admin may retry it) and dropped (no longer true, like a reminder of a cancelled start).
    """

    __tablename__ = "notices"
    __table_args__ = (
        Index(None, "status", "next_attempt"),
        Index(None, "channel_id", "status", "next_attempt"),
        # Notices tried and not yet sent (in flight, or waiting for a retry): few, and they hold their channel.
        Index(
            "ix_notices_tried",
            "channel_id",
            "id",
            sqlite_where=text("status = 'pending' AND attempts > 0"),
            postgresql_where=text("status = 'pending' AND attempts > 0"),
        ),
        Index(None, "announcement_uuid", "kind", "status"),
        CheckConstraint("status IN ('pending', 'sent', 'failed', 'dropped')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    announcement_uuid: Mapped[uuid_module.UUID | None] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due: Mapped[datetime] = mapped_column(Timestamp)
    next_attempt: Mapped[datetime] = mapped_column(Timestamp)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str] = mapped_column(String(500), default="")
    ts: Mapped[str | None] = mapped_column(String(32))
    created: Mapped[datetime] = mapped_column(Timestamp)
    sent: Mapped[datetime | None] = mapped_column(Timestamp)


class AlertSilence(Base):
    """One Alertmanager silence maintbot made: announcement × offering × Alertmanager (bot/domain/silences.py).

    Keyed by uuids rather than foreign keys: after a delete the silence must still be expired. `silence_id` is
    Alertmanager's id, stored as soon as Alertmanager answers (None: being created, or lost to a crash before
    it was stored; the next attempt adopts it by its comment). `status` is active or expired.
    """

    __tablename__ = "alert_silences"
    __table_args__ = (
        UniqueConstraint("announcement_uuid", "offering_uuid", "alertmanager"),
        Index(None, "status", "announcement_uuid"),
        CheckConstraint("status IN ('active', 'expired')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    announcement_uuid: Mapped[uuid_module.UUID] = mapped_column(Uuid)
    offering_uuid: Mapped[uuid_module.UUID] = mapped_column(Uuid)
    offering_name: Mapped[str] = mapped_column(String(150))
    alertmanager: Mapped[str] = mapped_column(String(500))
    silence_id: Mapped[str | None] = mapped_column(String(64))
    matchers: Mapped[str] = mapped_column(String(1000))
    starts_at: Mapped[datetime] = mapped_column(Timestamp)
    ends_at: Mapped[datetime] = mapped_column(Timestamp)
    status: Mapped[str] = mapped_column(String(16), default="active")
    created: Mapped[datetime] = mapped_column(Timestamp)
    modified: Mapped[datetime] = mapped_column(Timestamp)


class AnnouncementUpdate(Base):
    """A progress update posted on an announcement (bot/domain/updates.py): shown on its card, in every copy's
    thread, over HTTP and on the public page. Deleted with its announcement."""

    __tablename__ = "announcement_updates"
    __table_args__ = (Index(None, "announcement_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[uuid_module.UUID] = mapped_column(Uuid, unique=True, default=_new_uuid)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(100))
    interface: Mapped[str] = mapped_column(String(16))
    created: Mapped[datetime] = mapped_column(Timestamp)


class Series(Base):
    """A recurring maintenance series (bot/domain/series.py): a template-like preset plus an RFC 5545 rule in a
    time zone. Its occurrences are announcements (`Announcement.series_id`), created `horizon_days` ahead by
    the materialising job, which finds the series due by `next_due` (an index range: an idle tick reads none)."""

    __tablename__ = "series"
    __table_args__ = (CheckConstraint("maintenance_type BETWEEN 1 AND 5", name="maintenance_type"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[uuid_module.UUID] = mapped_column(Uuid, unique=True, default=_new_uuid)
    name: Mapped[str] = mapped_column(String(150))
    message: Mapped[str] = mapped_column(String(2000), default="")
    internal_notes: Mapped[str] = mapped_column(String(2000), default="")
    maintenance_type: Mapped[int] = mapped_column(SmallInteger, default=1)
    external_reference_url: Mapped[str] = mapped_column(String(500), default="")
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    rrule: Mapped[str] = mapped_column(String(500))
    timezone: Mapped[str] = mapped_column(String(64))
    #: DTSTART's local date (the rule's anchor: INTERVAL and COUNT count from it) and local time "HH:MM".
    first_day: Mapped[date] = mapped_column(Date)
    start_time: Mapped[str] = mapped_column(String(5))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    horizon_days: Mapped[int] = mapped_column(Integer, default=30)
    #: Publish each occurrence this many days before its start; None: occurrences stay drafts.
    publish_days_before: Mapped[int | None] = mapped_column(Integer)
    #: Skipped and moved occurrences: {"YYYY-MM-DD": {"skip": true} | {"start": "YYYY-MM-DDTHH:MM"}} (local).
    exceptions: Mapped[dict] = mapped_column(JSON, default=dict)
    #: When the materialising job next has something to create (None: nothing ever again).
    next_due: Mapped[datetime | None] = mapped_column(Timestamp, index=True)
    ended: Mapped[datetime | None] = mapped_column(Timestamp)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created: Mapped[datetime] = mapped_column(Timestamp)
    modified: Mapped[datetime] = mapped_column(Timestamp)

    provider: Mapped[Provider] = relationship(lazy="joined")
    offerings: Mapped[list[SeriesOffering]] = relationship(
        back_populates="series",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
        order_by="SeriesOffering.id",
    )


class SeriesOffering(Base):
    """An offering every occurrence of a series affects, with its impact."""

    __tablename__ = "series_offerings"
    __table_args__ = (
        UniqueConstraint("series_id", "offering_id"),
        CheckConstraint("impact_level BETWEEN 1 AND 4", name="impact_level"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"))
    offering_id: Mapped[int] = mapped_column(ForeignKey("offerings.id", ondelete="CASCADE"), index=True)
    impact_level: Mapped[int] = mapped_column(SmallInteger, default=2)
    impact_description: Mapped[str] = mapped_column(Text, default="")

    series: Mapped[Series] = relationship(back_populates="offerings")
    offering: Mapped[Offering] = relationship(lazy="joined")


#: What a statistics group is keyed by, and what it sums (storage/rollup.py folds changes into them by name).
ROLLUP_KEYS = ("start_day", "end_day", "provider_id", "state", "maintenance_type", "bucket")
ROLLUP_SUMS = ("n", "impact_none", "impact_degraded", "impact_partial", "impact_full", "timed", "duration_us",
               "on_time", "on_time_15", "overran", "overrun_us")


class _RollupColumns:
    """The key and the sums of a statistics group (daily, monthly, or one change to be folded in)."""

    start_day: Mapped[date] = mapped_column(Date)
    end_day: Mapped[date] = mapped_column(Date)
    provider_id: Mapped[int] = mapped_column(Integer)
    state: Mapped[int] = mapped_column(SmallInteger)
    maintenance_type: Mapped[int] = mapped_column(SmallInteger)
    bucket: Mapped[str] = mapped_column(String(16))
    n: Mapped[int] = mapped_column(BigInteger)
    # By highest impact: counts, not a key (no reader filters by it), which keeps the groups ~4 times fewer.
    impact_none: Mapped[int] = mapped_column(BigInteger)
    impact_degraded: Mapped[int] = mapped_column(BigInteger)
    impact_partial: Mapped[int] = mapped_column(BigInteger)
    impact_full: Mapped[int] = mapped_column(BigInteger)
    timed: Mapped[int] = mapped_column(BigInteger)  # completed, with both actual times
    duration_us: Mapped[int] = mapped_column(BigInteger)  # their actual durations
    on_time: Mapped[int] = mapped_column(BigInteger)  # completed at or before the planned end
    on_time_15: Mapped[int] = mapped_column(BigInteger)  # completed at most 15 minutes after it
    overran: Mapped[int] = mapped_column(BigInteger)  # completed after it
    overrun_us: Mapped[int] = mapped_column(BigInteger)  # by how much, together


class StatsRollup(_RollupColumns, Base):
    """What statistics count, kept per group instead of per announcement (bot/domain/stats.py): one row per
    (day of the scheduled start, day of the scheduled end, provider, state, type, timing bucket) with the count,
    the counts by highest impact and the integer sums every summary figure is made of (times in microseconds,
    so adding and taking away stays exact). Changed only by folding `StatsDelta` rows in (storage/rollup.py);
    a group whose count falls to 0 stays, holding zeros. No foreign key: a provider's announcements are taken
    away after it is."""

    __tablename__ = "stats_rollup"
    __table_args__ = (PrimaryKeyConstraint(*ROLLUP_KEYS, name="pk_stats_rollup"), Index(None, "end_day"),
                      {"sqlite_with_rowid": False})


class StatsRollupMonthly(_RollupColumns, Base):
    """`StatsRollup` per month: start_day and end_day hold the first day of the month of the scheduled start and
    end. A window adds up its whole months here and only its partial edges from the daily groups."""

    __tablename__ = "stats_rollup_monthly"
    __table_args__ = (PrimaryKeyConstraint(*ROLLUP_KEYS, name="pk_stats_rollup_monthly"),
                      {"sqlite_with_rowid": False})


class StatsDelta(_RollupColumns, Base):
    """One announcement's contribution to its daily group taken away (sums × -1) or added (× 1), written by the
    triggers on `announcements` (migration 0008) in the same statement as the change, whatever code made it.
    Only appended, never updated: writers of different announcements never wait for one another on a shared
    group row (updating the groups in place did, and deadlocked when two changes moved in opposite directions).
    Statistics fold them into the groups before they read (storage/rollup.py)."""

    __tablename__ = "stats_deltas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
