"""The silence worker: makes every Alertmanager hold the silences the domain says an announcement needs now.

    silencer = Silencer(services, clients)        # or silencer_for(services, settings); None when off
    silencer.run_due()                           # tests: do the silence work due now, once each
    silencer.start() … .stop()                   # `maintbot run`: a background thread, woken after commits

Work comes from the outbox (kind `silence`, one lane per announcement, so one worker at a time per
announcement in every process: bot/domain/silences.py). For each Alertmanager it reads maintbot's silences
for the announcement (`GET /api/v2/silences`, found by the marker in their comment), then:
- a wanted silence that exists with the same matchers and end is kept (and adopted: its id stored, which
  covers a crash between creating it and storing its id);
- one that exists with another end or matchers is updated in place (POST with its id);
- one that does not exist is reserved in the database, created, and its id stored;
- every other silence of the announcement is expired (DELETE).
A silence Alertmanager refuses (400: matchers it does not read, e.g. stored by an older maintbot) or matchers
maintbot itself no longer accepts are skipped, not retried: the managers are told once in the card's thread what
was said, and the other silences are made. Failures (Alertmanager down, timeouts, 5xx) leave the work to be
retried with exponential backoff and jitter;
after `TELL_AFTER` failed attempts the managers are told in the card's thread; after `max_age` it is given up
(an admin sees it in `/maint admin outbox` and may retry it). The announcement itself never waits for this.
"""

from __future__ import annotations

import hashlib
import logging
import math
import random
import re
import threading
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from bot.config import Settings
from bot.domain.clock import Clock
from bot.domain.matchers import Matcher, MatcherError
from bot.domain.notices import iso_time
from bot.domain.outbox import Claimed
from bot.domain.service import Services
from bot.domain.silences import (
    CREATED_BY,
    REFUSED,
    SILENCED,
    TELL_AFTER,
    TROUBLE,
    UNSILENCED,
    Held,
    Plan,
    Wanted,
)
from bot.jobs.alertmanager import Alertmanager, AlertmanagerDown, AlertmanagerRefused

log = logging.getLogger(__name__)

MARKED = re.compile(r"\[maintbot ([0-9a-f]{32}) ([0-9a-f]{32})\]")
CLAIM = 8


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _same(silence: dict[str, Any], wanted: Wanted) -> bool:
    """Whether Alertmanager's silence already is what is wanted (matchers, end to the second)."""
    try:
        theirs = {Matcher.from_api(m) for m in silence.get("matchers", ())}
        ours = {Matcher.from_api(m) for m in wanted.api_matchers}
        return theirs == ours and abs((_when(silence["endsAt"]) - wanted.ends_at).total_seconds()) < 1
    except (KeyError, TypeError, ValueError):
        return False


class Silencer:
    def __init__(
        self,
        services: Services,
        clients: dict[str, Alertmanager],
        *,
        clock: Clock | None = None,
        lease: timedelta = timedelta(minutes=2),
        max_age: timedelta = timedelta(hours=24),
        poll: float = 5.0,
        backoff: tuple[timedelta, timedelta] = (timedelta(seconds=5), timedelta(minutes=5)),
        rng: random.Random | None = None,
    ) -> None:
        self.services = services
        self.outbox = services.outbox
        self.silences = services.silences
        self.clients = clients
        self.clock = clock or services.context.clock
        self.lease, self.max_age, self.poll, self.backoff = lease, max_age, poll, backoff
        self._rng = rng or random.Random()
        self._woken = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._listening = False

    # -- running -----------------------------------------------------------------------------------

    def run_due(self) -> int:
        """Do each piece of silence work due now, one attempt each (a failed one waits for its retry, even when
        that is due at once); returns how many succeeded."""
        done, tried = 0, set()
        while not self._stopping.is_set():
            claimed = self.outbox.claim(self.clock.now(), CLAIM, self.lease, skip=tried, work=True)
            if not claimed:
                return done
            for item in claimed:
                tried.add(item.channel_id)
                done += self._work(item)
        return done

    def start(self) -> Silencer:
        if not self._listening:
            self.services.context.when_notices_queued(self._woken.set)
            self._listening = True
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="maint-silencer", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> bool:
        """Take no more work; the attempt in progress gets `timeout` seconds. False when it was still going then
        (its lease brings the work back to another replica)."""
        self._stopping.set()
        self._woken.set()
        finished = True
        if self._thread is not None:
            self._thread.join(timeout)
            finished = not self._thread.is_alive()
            self._thread = None
        for client in self.clients.values():
            client.close()
        return finished

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._woken.clear()
            try:
                self.run_due()
            except Exception:
                log.exception("silence work failed; trying again shortly")
            self._woken.wait(self._idle())

    def _idle(self) -> float:
        try:
            upcoming = self.outbox.next_due(work=True)
        except Exception:
            log.exception("reading the outbox failed")
            return self.poll
        if upcoming is None:
            return self.poll
        left = (upcoming - self.clock.now()).total_seconds()
        return min(self.poll, left) if left > 0 else min(self.poll, 1.0)

    # -- one piece of work -------------------------------------------------------------------------

    def _work(self, item: Claimed) -> int:
        try:
            self.reconcile(item.announcement_uuid)
        except Exception as error:
            self._failed(item, error)
            return 0
        self.outbox.sent(item, None, self.clock.now())
        return 1

    def _failed(self, item: Claimed, error: Exception) -> None:
        reason = str(error) if isinstance(error, AlertmanagerDown) else f"internal error: {type(error).__name__}"
        if not isinstance(error, AlertmanagerDown):
            log.error("silence work %s failed", item.key, exc_info=error)
        now = self.clock.now()
        if item.attempts >= TELL_AFTER:  # once: the note's key is taken after the first
            self.silences.tell(item.announcement_uuid, TROUBLE, item.key[-60:],
                               {"attempts": item.attempts, "error": reason[:300]}, now)
        if now - item.due >= self.max_age:
            log.warning("silence work %s given up: %s", item.key, reason)
            self.outbox.fail(item, f"gave up after {item.attempts} attempts: {reason}")
            return
        base, cap = (limit.total_seconds() for limit in self.backoff)
        delay = min(cap, base * 2 ** (item.attempts - 1)) * self._rng.uniform(0.5, 1.0)
        log.info("silence work %s: %s; retrying in %.0f s", item.key, reason, delay)
        self.outbox.retry_at(item, now + timedelta(seconds=delay), reason)

    def reconcile(self, announcement_uuid: UUID) -> None:
        """Make every Alertmanager hold exactly the silences wanted now for the announcement."""
        now = self.clock.now()
        plan = self.silences.wanted(announcement_uuid, now)
        made: dict[UUID, str] = {}
        lifted: list[str] = []
        refused: dict[tuple[UUID, str], tuple[Wanted, str]] = {}
        for url, client in self.clients.items():
            made_here, lifted_here = self._reconcile_one(plan, url, client, now, refused)
            made |= made_here
            lifted += lifted_here
        for (offering_uuid, matchers), (wanted, reason) in refused.items():
            log.warning("silence of %s refused: %s", wanted.offering_name, reason)
            digest = hashlib.sha256(matchers.encode()).hexdigest()[:16]
            self.silences.tell(announcement_uuid, REFUSED, f"{offering_uuid.hex}:{digest}",
                               {"offerings": [wanted.offering_name], "matchers": matchers, "error": reason[:300]}, now)
        if made:
            wanted = {w.offering_uuid: w for w in plan.wanted}
            ends = max(w.ends_at for w in plan.wanted)
            names = [w.offering_name for w in wanted.values()]
            ids = sorted(self.silences.wanted(announcement_uuid, now).held, key=lambda h: h.id)
            self.silences.tell(announcement_uuid, SILENCED, f"{iso_time(ends)}:{len(names)}",
                               {"offerings": names, "until": iso_time(ends), "ids": [h.silence_id for h in ids]}, now)
        elif lifted and not plan.wanted:
            # in the order they were silenced (as the card listed them), not in the order Alertmanager lists them
            silenced = {h.offering_name: h.id for h in plan.held}
            names = sorted(dict.fromkeys(lifted), key=lambda name: (silenced.get(name, math.inf), name))
            self.silences.tell(announcement_uuid, UNSILENCED, f"lifted@{iso_time(now)}", {"offerings": names}, now)

    def _reconcile_one(
        self, plan: Plan, url: str, client: Alertmanager, now: datetime,
        refused: dict[tuple[UUID, str], tuple[Wanted, str]],
    ) -> tuple[dict[UUID, str], list[str]]:
        found: dict[UUID, list[dict[str, Any]]] = {}
        for silence in client.silences():
            mark = MARKED.search(str(silence.get("comment", "")))
            state = (silence.get("status") or {}).get("state")
            if (silence.get("createdBy") == CREATED_BY and mark and mark.group(1) == plan.announcement_uuid.hex
                    and state in ("active", "pending")):
                found.setdefault(UUID(mark.group(2)), []).append(silence)
        held: dict[UUID, Held] = {h.offering_uuid: h for h in plan.held if h.alertmanager == url}
        made: dict[UUID, str] = {}
        lifted: list[str] = []
        for wanted in (w for w in plan.wanted if w.alertmanager == url):
            record = held.pop(wanted.offering_uuid, None)
            present = found.pop(wanted.offering_uuid, [])
            present.sort(key=lambda s: s.get("id") != (record.silence_id if record else None))
            current, extra = (present[0], present[1:]) if present else (None, [])
            for duplicate in extra:
                client.expire(str(duplicate["id"]))
            if current is not None and _same(current, wanted):
                if record is None or record.silence_id != current["id"]:  # adopted (made before a crash)
                    made[wanted.offering_uuid] = str(current["id"])
                if record is None or record.silence_id != current["id"] or record.ends_at != wanted.ends_at:
                    reserved = record.id if record is not None else self.silences.reserve(plan.announcement_uuid,
                                                                                          wanted, now)
                    self.silences.store(reserved, str(current["id"]), wanted, now)
                continue
            try:
                matchers = wanted.api_matchers
            except MatcherError as error:  # stored before maintbot checked what it checks now
                refused[wanted.offering_uuid, wanted.matchers] = (wanted, str(error))
                continue
            reserved = self.silences.reserve(plan.announcement_uuid, wanted, now)
            body: dict[str, Any] = {
                "matchers": matchers,
                "startsAt": current["startsAt"] if current is not None else iso_time(now),
                "endsAt": iso_time(wanted.ends_at),
                "createdBy": CREATED_BY,
                "comment": wanted.comment,
            }
            if current is not None:
                body["id"] = current["id"]
            try:
                silence_id = client.put(body)
            except AlertmanagerRefused as error:
                self.silences.expired(reserved, now)  # nothing is held for it
                refused[wanted.offering_uuid, wanted.matchers] = (wanted, str(error))
                continue
            self.silences.store(reserved, silence_id, wanted, now)
            made[wanted.offering_uuid] = silence_id
        for offering_uuid, leftovers in found.items():
            for silence in leftovers:
                client.expire(str(silence["id"]))
            record = held.pop(offering_uuid, None)
            if record is not None:
                self.silences.expired(record.id, now)
            lifted.append(record.offering_name if record is not None else offering_uuid.hex[:8])
        for record in held.values():  # Alertmanager no longer has them: expired already
            self.silences.expired(record.id, now)
            lifted.append(record.offering_name)
        return made, lifted


def silencer_for(services: Services, settings: Settings) -> Silencer | None:
    """The worker for the configured Alertmanagers; None when silences are off."""
    if not settings.alertmanager_urls:
        return None
    basic = None
    if settings.alertmanager_user:
        basic = (settings.alertmanager_user, settings.alertmanager_password or "")
    clients = {url: Alertmanager(url, token=settings.alertmanager_token, basic=basic)
               for url in settings.alertmanager_urls}
    return Silencer(services, clients)
