"""The one entry point interfaces hold: every domain service, sharing one context."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.domain.announcements import Announcements
from bot.domain.catalog import Catalog
from bot.domain.clock import Clock, SystemClock
from bot.domain.context import DEFAULT_REMINDER_LEADS, Context
from bot.domain.digest import Digest
from bot.domain.outbox import Outbox
from bot.domain.series import SeriesService
from bot.domain.silence_policy import SilencePolicy
from bot.domain.silences import Silences
from bot.domain.stats import Statistics
from bot.domain.status import StatusBoard
from bot.domain.subscriptions import Subscriptions
from bot.domain.templates import Templates
from bot.domain.timers import Timers
from bot.domain.tokens import Tokens
from storage.db import Database


@dataclass(frozen=True)
class Services:
    context: Context
    announcements: Announcements
    catalog: Catalog
    templates: Templates
    subscriptions: Subscriptions
    statistics: Statistics
    tokens: Tokens
    outbox: Outbox
    timers: Timers
    digest: Digest
    silences: Silences
    status: StatusBoard
    series: SeriesService


def build_services(
    db: Database,
    clock: Clock | None = None,
    admins: frozenset[str] | set[str] = frozenset(),
    reminder_leads: tuple[timedelta, ...] = DEFAULT_REMINDER_LEADS,
    silences: SilencePolicy | None = None,
) -> Services:
    context = Context(db=db, clock=clock or SystemClock(), admins=frozenset(admins), reminder_leads=reminder_leads,
                      silences=silences)
    announcements = Announcements(context)
    return Services(
        context=context,
        announcements=announcements,
        catalog=Catalog(context),
        templates=Templates(context, announcements),
        subscriptions=Subscriptions(context),
        statistics=Statistics(context),
        tokens=Tokens(context),
        outbox=Outbox(context),
        timers=Timers(context, announcements),
        digest=Digest(context),
        silences=Silences(context),
        status=StatusBoard(context),
        series=SeriesService(context, announcements),
    )
