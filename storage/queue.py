"""How processes share the outbox: leases claimed under row locks, outcomes settled by the claim token.

The domain (bot/domain/outbox.py) says which notices are due and what each outcome means; this module says
how any number of dispatchers share one queue safely. A claim takes due rows with FOR UPDATE SKIP LOCKED
(PostgreSQL; SQLite serialises writers), gives them a fresh claim token and moves their next attempt to the
end of a lease. A process that dies leaves its rows to be claimed again when the lease runs out; the token
lets only the current claimer record an outcome.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, update
from sqlalchemy.orm import Session

from storage.models import Notice
from storage.transaction import locked_skipping


def claim(session: Session, due: Select, now: datetime, lease: timedelta) -> tuple[str, list[Notice]]:
    """Lease the notices `due` selects to one new claim: (its token, the rows, their attempts counted)."""
    token = uuid.uuid4().hex
    rows = session.scalars(locked_skipping(session, due, Notice)).all()
    for row in rows:
        row.claim_token, row.attempts, row.next_attempt = token, row.attempts + 1, now + lease
    session.flush()
    return token, list(rows)


def settle(session: Session, notice_id: int, token: str, claimed_status: str, values: dict[str, Any]) -> bool:
    """Write `values` (the outcome) if the claim `token` still holds the notice and it is still in
    `claimed_status` (a compare-and-set); False: the lease ran out and someone else has it."""
    done = session.execute(
        update(Notice)
        .where(Notice.id == notice_id, Notice.claim_token == token, Notice.status == claimed_status)
        .values(claim_token=None, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    return bool(done)
