"""HTTP API tokens: created by admins, shown once, stored only as a SHA-256 hash.

A token carries a role: `admin`, `provider` (manages one provider) or `read_only` (sees what everyone
sees). The API turns a presented token into an Actor; the same permission rules then apply as in Slack.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import select

from bot.domain import lookup
from bot.domain.actors import Actor
from bot.domain.context import Context
from bot.domain.enums import Interface
from bot.domain.errors import Invalid, NotFound
from storage.models import ApiToken

ROLES = ("admin", "provider", "read_only")
ADMINS_ONLY = "Only maintbot admins can manage API tokens."


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class TokenView:
    uuid: UUID
    name: str
    role: str
    provider_name: str | None
    created: datetime
    revoked: datetime | None


@dataclass(frozen=True)
class NewToken:
    token: TokenView
    secret: str


def _view(row: ApiToken) -> TokenView:
    return TokenView(
        row.uuid, row.name, row.role, row.provider.name if row.provider else None, row.created, row.revoked
    )


class Tokens:
    def __init__(self, context: Context) -> None:
        self.context = context

    def create(self, actor: Actor, role: str, *, provider: object | None = None, name: str = "") -> NewToken:
        secret = secrets.token_hex(20)
        with self.context.unit_of_work() as uow:
            session, now = uow.session, uow.now
            uow.require_admin(actor, ADMINS_ONLY)
            if role not in ROLES:
                raise Invalid.one("role", f"Role must be one of {', '.join(ROLES)}.")
            if (role == "provider") != (provider is not None):
                raise Invalid.one("provider", "A provider token names exactly one provider; other roles name none.")
            owner = lookup.provider(session, provider) if provider is not None else None
            row = ApiToken(
                name=name or role,
                token_hash=digest(secret),
                role=role,
                provider=owner,
                provider_id=owner.id if owner else None,
                created=now,
            )
            session.add(row)
            session.flush()
            uow.record(actor, "created", f"API token {row.name} ({role})", provider_uuid=owner.uuid if owner else None)
            created = NewToken(_view(row), secret)
            uow.commit()
            return created

    def list(self, actor: Actor) -> list[TokenView]:
        with self.context.reading() as uow:
            uow.require_admin(actor, ADMINS_ONLY)
            return [_view(row) for row in uow.session.scalars(select(ApiToken).order_by(ApiToken.id))]

    def revoke(self, actor: Actor, reference: object) -> TokenView:
        with self.context.unit_of_work() as uow:
            session = uow.session
            uow.require_admin(actor, ADMINS_ONLY)
            condition = lookup.uuid_condition(ApiToken.uuid, reference)
            if condition is None:
                raise NotFound(f"{str(reference)!r} is not a token id.")
            row = lookup.one(session, select(ApiToken).where(condition), reference, "token", lambda t: t.name)
            if row.revoked is None:
                row.revoked = uow.now
                uow.record(actor, "revoked", f"API token {row.name}")
            view = _view(row)
            uow.commit()
            return view

    def authenticate(self, secret: str) -> Actor | None:
        """The actor a presented token stands for, or None when it is unknown or revoked."""
        with self.context.reading() as uow:
            row = uow.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
            if row is None or row.revoked is not None:
                return None
            providers = frozenset({row.provider.uuid}) if row.provider else frozenset()
            return Actor(
                id=f"token:{row.name}", interface=Interface.API, admin=row.role == "admin", providers=providers
            )
