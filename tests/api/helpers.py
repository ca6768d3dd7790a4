"""The served API of one test (its URL, tokens by role, clients made from them) and small builders for API tests:
request bodies and announcements made through the published client."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
import pytest
from waldur_api_client.api.maintenance_announcements import (
    maintenance_announcements_create,
    maintenance_announcements_schedule,
    maintenance_announcements_start_maintenance,
)
from waldur_api_client.client import AuthenticatedClient, Client
from waldur_api_client.errors import UnexpectedStatus
from waldur_api_client.models.maintenance_announcement import MaintenanceAnnouncement
from waldur_api_client.models.maintenance_announcement_request import MaintenanceAnnouncementRequest

from bot.domain.service import Services
from tests.factories import NOW
from tests.helpers import TLS

BAD_TOKEN = "0" * 40


#: Token roles of the tests: (role, provider).
TOKEN_KINDS = {
    "admin": ("admin", None),
    "cloud": ("provider", "Cloud"),  # manages the provider the tests' announcements belong to
    "storage": ("provider", "Storage"),  # the other provider's manager
    "read_only": ("read_only", None),
}


class Tokens(dict):
    """Tokens by role, issued (by an admin, as `maintbot token create` does) the first time a test asks."""

    def __init__(self, services: Services, admin) -> None:
        super().__init__()
        self.services, self.admin = services, admin

    def __missing__(self, role: str) -> str:
        kind, provider = TOKEN_KINDS[role]
        self[role] = self.services.tokens.create(self.admin, kind, provider=provider, name=f"{role}-ci").secret
        return self[role]


@dataclass
class Api:
    """The served API for one test: its base URL, tokens by role, and clients made from them."""

    base_url: str
    services: Services
    tokens: Tokens
    _opened: dict = field(default_factory=dict)

    def client(self, role: str = "admin") -> AuthenticatedClient:
        """The published Waldur client with the token of `role` ('bad' is a token nobody issued)."""
        token = self._token(role)
        return self._reuse(("client", role),
                           lambda: AuthenticatedClient(base_url=self.base_url, token=token, verify_ssl=TLS))

    def anonymous(self) -> Client:
        return self._reuse(("anonymous",), lambda: Client(base_url=self.base_url, verify_ssl=TLS))

    def http(self, role: str | None = "admin") -> httpx.Client:
        """A raw HTTP client; `role=None` sends no Authorization header."""
        headers = {} if role is None else {"Authorization": f"Token {self._token(role)}"}
        return self._reuse(("http", role),
                           lambda: httpx.Client(base_url=self.base_url, headers=headers, timeout=30, verify=TLS))

    def _token(self, role: str) -> str:
        return BAD_TOKEN if role == "bad" else self.tokens[role]

    def _reuse(self, key, make):
        """Clients are kept for the test: making an httpx client costs tens of milliseconds."""
        if key not in self._opened:
            self._opened[key] = make()
        return self._opened[key]

    def close(self) -> None:
        for client in self._opened.values():
            (client.get_httpx_client() if isinstance(client, Client | AuthenticatedClient) else client).close()


def refusal(call) -> tuple[int, object]:
    """(status, JSON body) of a client call that the server refuses."""
    with pytest.raises(UnexpectedStatus) as raised:
        call()
    return raised.value.status_code, json.loads(raised.value.content or b"null")


def provider_link(api, provider) -> str:
    return f"{api.base_url}/api/marketplace-service-providers/{provider.uuid.hex}/"


def offering_link(api, offering) -> str:
    return f"{api.base_url}/api/marketplace-provider-offerings/{offering.uuid.hex}/"


def request_body(api, provider, **fields) -> MaintenanceAnnouncementRequest:
    values = {
        "name": "Kernel upgrade",
        "message": "Rolling reboot of the hypervisors.",
        "internal_notes": "Runbook: wiki/kernel",
        "scheduled_start": NOW + timedelta(days=1),
        "scheduled_end": NOW + timedelta(days=1, hours=2),
        "service_provider": provider_link(api, provider),
    } | fields
    return MaintenanceAnnouncementRequest(**values)


def create(api, provider, role: str = "admin", **fields) -> MaintenanceAnnouncement:
    return maintenance_announcements_create.sync(client=api.client(role), body=request_body(api, provider, **fields))


def published(api, provider, role: str = "admin", *, started: bool = False, **fields) -> MaintenanceAnnouncement:
    announcement = create(api, provider, role, **fields)
    maintenance_announcements_schedule.sync(uuid=announcement.uuid, client=api.client(role))
    if started:
        maintenance_announcements_start_maintenance.sync(uuid=announcement.uuid, client=api.client(role))
    return announcement


def at(hours: float) -> datetime:
    return NOW + timedelta(hours=hours)
