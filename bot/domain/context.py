"""What every domain service shares: the database, the clock, and the admins from configuration."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.domain.actors import Actor, Reach
from bot.domain.clock import Clock
from storage.db import Database


@dataclass(frozen=True)
class Context:
    db: Database
    clock: Clock
    admins: frozenset[str] = frozenset()

    def reach(self, session: Session, actor: Actor) -> Reach:
        return Reach.of(session, actor, self.admins)
