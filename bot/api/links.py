"""Hyperlinks of the wire format: where each resource lives, and reading a link back into a uuid.

Every link is absolute and built on one base URL (`deps.base_url`): MAINTBOT_BASE_URL when it is set,
which no request can change; otherwise the base URL of the request being answered, and then every answer
carries `Vary: Host, X-Forwarded-Proto` (`VaryByHost`), so that no cache serves one host's links to
another. Links we are given (a `service_provider`, an
`offering`, a `maintenance`) are read leniently, as the seed's own examples vary in their paths: the
last path segment must be the resource's uuid (32 hex digits or the hyphenated form); the host and the
rest of the path are not checked. A bare uuid is accepted too.
"""

from __future__ import annotations

from urllib.parse import urlsplit
from uuid import UUID

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.domain.errors import Invalid, NotFound

ANNOUNCEMENTS = "/api/maintenance-announcements/"
PUBLIC_ANNOUNCEMENTS = "/api/public-maintenance-announcements/"
AFFECTED_OFFERINGS = "/api/maintenance-announcement-offerings/"
TEMPLATES = "/api/maintenance-announcements-template/"
TEMPLATE_OFFERINGS = "/api/maintenance-announcement-template-offerings/"
PROVIDERS = "/api/marketplace-service-providers/"
OFFERINGS = "/api/marketplace-provider-offerings/"
SERIES = "/api/maintenance-series/"

BAD_LINK = "Invalid hyperlink - Object does not exist."


class Links:
    """Absolute URLs of our resources under one base URL (the request's)."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")

    def _at(self, collection: str, uuid: UUID) -> str:
        return f"{self.base}{collection}{uuid.hex}/"

    def announcement(self, uuid: UUID) -> str:
        return self._at(ANNOUNCEMENTS, uuid)

    def public_announcement(self, uuid: UUID) -> str:
        return self._at(PUBLIC_ANNOUNCEMENTS, uuid)

    def affected_offering(self, uuid: UUID) -> str:
        return self._at(AFFECTED_OFFERINGS, uuid)

    def template(self, uuid: UUID) -> str:
        return self._at(TEMPLATES, uuid)

    def template_offering(self, uuid: UUID) -> str:
        return self._at(TEMPLATE_OFFERINGS, uuid)

    def provider(self, uuid: UUID) -> str:
        return self._at(PROVIDERS, uuid)

    def offering(self, uuid: UUID) -> str:
        return self._at(OFFERINGS, uuid)

    def series(self, uuid: UUID) -> str:
        return self._at(SERIES, uuid)


def parse_uuid(text: str) -> UUID | None:
    """A uuid in its 32-hex or hyphenated spelling, or None."""
    cleaned = text.strip()
    if len(cleaned) not in (32, 36):
        return None
    try:
        return UUID(cleaned)
    except ValueError:
        return None


def path_uuid(text: str) -> UUID:
    """The uuid in a resource path; anything else is simply not found."""
    uuid = parse_uuid(text)
    if uuid is None:
        raise NotFound("Not found.")
    return uuid


def linked_uuid(value: str, field: str) -> UUID:
    """The uuid a hyperlink (or a bare uuid) we were sent points at; a field error otherwise."""
    segments = [segment for segment in urlsplit(value.strip()).path.split("/") if segment]
    uuid = parse_uuid(segments[-1]) if segments else None
    if uuid is None:
        raise Invalid.one(field, BAD_LINK)
    return uuid


class VaryByHost:
    """ASGI middleware: answers say they vary with the Host header (and the forwarded scheme), on which their
    links depend while no MAINTBOT_BASE_URL is set."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.add_vary_header("Host")
                headers.add_vary_header("X-Forwarded-Proto")
            await send(message)

        await self.app(scope, receive, sending)
