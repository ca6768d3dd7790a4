"""HTTP API tokens: created by admins, shown once, stored only as a SHA-256 hash.

A token carries a role: `admin`, `provider` (manages one provider) or `read_only` (sees what everyone
sees). The API turns a presented token into an Actor; the same permission rules then apply as in Slack.

A token that authenticated is remembered for CACHE_SECONDS (by its hash), so that a client's every request does not
read it again: a revocation through this process's services takes effect at once, one made elsewhere (the CLI,
another replica) within CACHE_SECONDS.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
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
#: How long an authenticated token is taken on trust before it is read again (a revocation elsewhere waits this).
CACHE_SECONDS = 5.0
#: Tokens remembered at once; the least recently used is forgotten first.
CACHE_SIZE = 1024


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
    def __init__(self, context: Context, *, timer: Callable[[], float] = time.monotonic) -> None:
        self.context = context
        self._timer = timer  # the cache's expiry only; what a token may do never depends on it
        self._known: OrderedDict[str, tuple[float, Actor]] = OrderedDict()  # hash -> (read at, actor)
        self._lock = threading.Lock()
        self._generation = 0  # rises on `forget`: a read begun before it is not remembered

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
            self.forget()
            return view

    def forget(self) -> None:
        """Read every token again on its next use (after a revocation)."""
        with self._lock:
            self._known.clear()
            self._generation += 1

    def remembered(self, secret: str) -> Actor | None:
        """The actor of a token that authenticated within CACHE_SECONDS, or None (then `authenticate` reads it)."""
        key = digest(secret)
        with self._lock:
            known = self._known.get(key)
            if known is None or self._timer() - known[0] >= CACHE_SECONDS:
                return None
            self._known.move_to_end(key)
            return known[1]

    def authenticate(self, secret: str) -> Actor | None:
        """The actor a presented token stands for, or None when it is unknown or revoked."""
        if (actor := self.remembered(secret)) is not None:
            return actor
        key, read_at, generation = digest(secret), self._timer(), self._generation
        with self.context.reading() as uow:
            row = uow.session.scalar(select(ApiToken).where(ApiToken.token_hash == key))
            if row is None or row.revoked is not None:
                return None
            providers = frozenset({row.provider.uuid}) if row.provider else frozenset()
            actor = Actor(
                id=f"token:{row.name}", interface=Interface.API, admin=row.role == "admin", providers=providers
            )
        with self._lock:
            if generation != self._generation:
                return actor
            self._known[key] = (read_at, actor)
            self._known.move_to_end(key)
            while len(self._known) > CACHE_SIZE:
                self._known.popitem(last=False)
        return actor
