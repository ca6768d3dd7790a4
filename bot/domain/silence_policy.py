"""The configured side of alert silences (MAINTBOT_ALERTMANAGER_URLS and friends), as the domain holds it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.domain.enums import Impact

DEFAULT_THRESHOLD = Impact.PARTIAL
DEFAULT_GRACE = timedelta(minutes=15)


@dataclass(frozen=True)
class SilencePolicy:
    """Which Alertmanagers get each silence, from which impact up, and how long past the scheduled end."""

    alertmanagers: tuple[str, ...]
    threshold: Impact = DEFAULT_THRESHOLD
    grace: timedelta = DEFAULT_GRACE
    link_base: str | None = None  # MAINTBOT_BASE_URL: the comment links to the announcement
