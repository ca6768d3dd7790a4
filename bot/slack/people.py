"""Who someone is in Slack, as far as maintbot needs: their user groups and their time zone.

Provider managers may be named as a user group (`<!subteam^S…>`); the domain decides permission from
the groups we pass in `Actor.groups`, so they are resolved here, from `usergroups.list`, and cached for a
few minutes (one call serves every user). A time zone comes from `users.info` and is cached per user.
If Slack cannot answer, nobody gets a group (permission fails closed) and times fall back to the
workspace default zone.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.domain.actors import Actor
from bot.domain.enums import Interface

log = logging.getLogger(__name__)

GROUPS_TTL = 300.0
ZONE_TTL = 3600.0
RETRY_AFTER_FAILURE = 30.0


class People:
    def __init__(self, client: WebClient, default_zone: ZoneInfo, interface: Interface = Interface.SLACK, *,
                 monotonic: Callable[[], float] = time.monotonic):
        self.client = client
        self.interface = interface
        self.default_zone = default_zone
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._groups: dict[str, frozenset[str]] = {}
        self._groups_until = 0.0
        self._zones: dict[str, tuple[ZoneInfo, float]] = {}
        self._told: set[str] = set()  # users whose zone Slack told us (the others have the default)

    def actor_of(self, user_id: str) -> Actor:
        """The Slack user as the domain sees them, with their user groups, acting through `interface`."""
        return Actor(user_id, self.interface, groups=self.groups_of(user_id))

    def groups_of(self, user_id: str) -> frozenset[str]:
        with self._lock:
            if self._monotonic() >= self._groups_until:
                self._groups, ttl = self._load_groups()
                self._groups_until = self._monotonic() + ttl
            return self._groups.get(user_id, frozenset())

    def forget_groups(self) -> None:
        """Read the user groups afresh on the next request (after an admin changed managers)."""
        with self._lock:
            self._groups_until = 0.0

    def zone_of(self, user_id: str) -> ZoneInfo:
        now = self._monotonic()
        cached = self._zones.get(user_id)
        if cached and cached[1] > now:
            return cached[0]
        zone, ttl = self.default_zone, RETRY_AFTER_FAILURE
        self._told.discard(user_id)
        try:
            name = self.client.users_info(user=user_id)["user"].get("tz")
            zone, ttl = (ZoneInfo(name) if name else self.default_zone), ZONE_TTL
            if name:
                self._told.add(user_id)
        except (SlackApiError, SlackClientError, ZoneInfoNotFoundError, ValueError, KeyError) as error:
            log.warning("users.info for %s failed (%s); using %s", user_id, error, self.default_zone)
        self._zones[user_id] = (zone, now + ttl)
        return zone

    def zone_told(self, user_id: str) -> tuple[ZoneInfo, bool]:
        """(`zone_of`, whether Slack told it): False when the default stands in for a zone Slack did not give."""
        zone = self.zone_of(user_id)
        return zone, user_id in self._told

    def _load_groups(self) -> tuple[dict[str, frozenset[str]], float]:
        try:
            response = self.client.usergroups_list(include_users=True)
        except (SlackApiError, SlackClientError) as error:
            log.warning("usergroups.list failed (%s); group managers are not recognised for now", error)
            return {}, RETRY_AFTER_FAILURE
        members: dict[str, set[str]] = {}
        for group in response.get("usergroups") or []:
            for user in group.get("users") or []:
                members.setdefault(user, set()).add(group["id"])
        return {user: frozenset(groups) for user, groups in members.items()}, GROUPS_TTL
