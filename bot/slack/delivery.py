"""The dispatcher: delivers the outbox to Slack, each notice once, in order per channel, at Slack's pace.

    dispatcher = Dispatcher(services, client, clock=clock)   # or dispatcher_for(services, client, settings)
    dispatcher.deliver_due()          # tests and the console: deliver everything due now, synchronously
    dispatcher.start() … .stop()      # `maintbot run`: a background thread, woken after each commit
                                      # that queued notices, and at least every `poll` seconds

Stopping (`stop(timeout)`, on SIGTERM): no new claim; notices claimed and not yet started are released at once
(due now for any replica, their attempt not counted); those being delivered finish within `timeout`. One still
in Slack's hands when time runs out keeps its lease, and is looked for in Slack before it is posted again.

What a notice does in its channel (the card is re-rendered from the database every time):
- `published`: post the card and remember where (PostedCard); if the channel has a card already (published
  again after a withdrawal) update it and say so in its thread.
- state changes (withdrawn, started, completed, cancelled, rescheduled, extended, updated, deleted):
  update the card in place — posting it first where the channel has none — then a thread reply saying
  who did what. Withdrawn and deleted show a short card, and skip channels that never had one.
- `reminder`, `due`, `overrun`: a thread reply under the card, also shown in the channel.
- `progress` (a progress update): the card updated in place (it shows the latest update), then the update as a
  thread reply; a channel without the card yet gets the card first.
- `summary`: a message of its own; `summary_chart`: its picture, uploaded into the same channel right after
  it (files_upload_v2: files.getUploadURLExternal, the upload, files.completeUploadExternal).
Notices that stopped being true before delivery are dropped, not sent: a reminder of a start that moved or
of maintenance no longer Scheduled, a nudge for one already started, an alert for one completed or extended.

Failures: 429 → retried after Retry-After; 5xx, timeouts and connection errors → retried with exponential
backoff and jitter until the notice is `max_age` old, then failed; any other Slack error (channel_not_found,
not_in_channel, is_archived, invalid_auth, …) → failed at once with the reason. Admins list failed notices
and retry them through `services.outbox`. The client's own retry handlers are switched off (on a copy): the
dispatcher's retries are durable and hold no worker.

Exactly once: claims are leases (bot/domain/outbox.py), so a notice whose process died mid-delivery is
claimed again once its lease ends. Every message carries metadata naming the notice (or, for a card, the
announcement), and a second attempt first looks in the channel (or the card's thread) for what an earlier
attempt may have posted before posting again. The lease must outlast the client's HTTP timeout.

Pace: at most one message per `pace` seconds per channel (Slack allows about one per second), counted from
Slack's answer to the previous one; channels are served concurrently by `workers` threads. Card updates
(chat.update) are not messages and are not paced.
"""

from __future__ import annotations

import copy
import http.client
import logging
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from urllib.error import URLError
from uuid import UUID

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.exc import OperationalError

from bot import logs
from bot.config import Settings
from bot.domain.clock import Clock
from bot.domain.errors import NotFound
from bot.domain.notices import CHANGES, LIVE, SUMMARY, SUMMARY_CHART
from bot.domain.outbox import Claimed
from bot.domain.relevance import stale_reason
from bot.domain.service import Services
from bot.domain.silences import SILENCED, UNSILENCED
from bot.domain.updates import PROGRESS
from bot.domain.views import AnnouncementView
from bot.metrics import counted, metrics_for
from bot.slack import notices, pictures
from bot.slack.text import duration
from storage.db import UNAVAILABLE

log = logging.getLogger(__name__)

CARD_EVENT = "maintbot_card"
NOTICE_EVENT = "maintbot_notice"
#: Slack errors worth retrying; every other `ok: false` is permanent until an admin retries.
TRANSIENT_ERRORS = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout"})
#: The card was deleted in Slack: post a new one.
CARD_GONE = frozenset({"message_not_found", "cant_update_message"})
#: Kinds after which the card is updated in place: the state changes, silences made or lifted (its 🔕 line), and
#: progress updates (its latest-update line).
CARD_CHANGES = frozenset((*CHANGES, SILENCED, UNSILENCED, PROGRESS))
HISTORY_LIMIT = 200
VIEWS_KEPT = 256
#: Notices claimed per worker at a time: enough to keep every worker busy between claims.
CLAIM_AHEAD = 4
#: The dispatcher looks for notices queued by other processes at least this often (seconds).
POLL_SECONDS = 5.0
#: What the dispatcher's own failures (outside any one notice) say about themselves in the logs.
AS_DISPATCHER_ERROR = {"interface": "dispatcher", "outcome": "error"}


class Stale(Exception):
    """The notice is no longer true; it is dropped."""


class Problem(Exception):
    def __init__(self, reason: str, retry_after: float | None = None, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.retry_after, self.permanent = reason, retry_after, permanent


def classify(error: Exception) -> Problem:
    """What a failed call means for the notice: wait and retry, back off and retry, or give up."""
    if isinstance(error, SlackApiError):
        status = error.response.status_code
        code = error.response.get("error") or f"HTTP {status}"
        if status == 429 or code == "ratelimited":
            headers = {name.lower(): value for name, value in (error.response.headers or {}).items()}
            value = headers.get("retry-after")
            retry_after = float(value[0] if isinstance(value, list) else value or 1)
            return Problem(f"rate limited (Retry-After {retry_after:g} s)", retry_after=retry_after)
        if status >= 500 or code in TRANSIENT_ERRORS:
            return Problem(f"{code} (HTTP {status})")
        return Problem(code, permanent=True)
    if isinstance(error, OSError | URLError | TimeoutError | http.client.HTTPException | SlackClientError):
        return Problem(f"{type(error).__name__}: {error}")
    if isinstance(error, OperationalError):
        return Problem(f"database: {error.orig}")
    return Problem(f"internal error: {type(error).__name__}: {error}", permanent=True)


class Pacer:
    """At most one message per `interval` seconds per channel, in this process.

    The interval counts from the moment Slack answered the previous message, which is after Slack got it:
    the spacing Slack sees is then never shorter, whatever the network does to a request on its way.
    """

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._free_at: dict[str, float] = {}
        self._lock = threading.Lock()

    def cooling(self) -> dict[str, float]:
        """Channels that must not get a message yet, with the seconds left."""
        if self.interval <= 0:
            return {}
        with self._lock:
            now = time.monotonic()
            self._free_at = {channel: t for channel, t in self._free_at.items() if t > now}
            return {channel: t - now for channel, t in self._free_at.items()}

    @contextmanager
    def slot(self, channel: str) -> Iterator[None]:
        """Wait for the channel's turn, post inside the block; the next turn comes `interval` after it ends."""
        if self.interval <= 0:
            yield
            return
        with self._lock:
            wait_for = self._free_at.get(channel, 0.0) - time.monotonic()
        if wait_for > 0:
            time.sleep(wait_for)
        try:
            yield
        finally:
            with self._lock:
                self._free_at[channel] = time.monotonic() + self.interval


def without_retries(client: WebClient) -> WebClient:
    """The same client without retry handlers. The dispatcher retries by itself, durably and without holding
    a worker; a client retrying a post inside one call (after a 5xx or a reset connection) could post it
    twice out of the dispatcher's sight, and one waiting out a Retry-After would hold a worker meanwhile."""
    if not client.retry_handlers:
        return client
    own = copy.copy(client)
    own.retry_handlers = []
    return own


class Dispatcher:
    def __init__(
        self,
        services: Services,
        client: WebClient,
        *,
        clock: Clock | None = None,
        workers: int = 4,
        pace: float = 1.0,
        lease: timedelta = timedelta(minutes=2),
        max_age: timedelta = timedelta(hours=24),
        poll: float = 5.0,
        backoff: tuple[timedelta, timedelta] = (timedelta(seconds=5), timedelta(minutes=10)),
        rng: random.Random | None = None,
        page: str | None = None,
    ) -> None:
        self.services = services
        self.page = page  # the public page's address: cards link to their place on it
        self.outbox = services.outbox
        self.metrics = metrics_for(services)
        self.client = counted(without_retries(client), self.metrics)
        self.clock = clock or services.context.clock
        self.workers = workers
        self.lease = lease
        self.max_age = max_age
        self.poll = poll
        self.backoff = backoff
        self.pacer = Pacer(pace)
        self._rng = rng or random.Random()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="maint-deliver")
        self._round = threading.Lock()
        # announcement -> (the version the outbox knows it by, the view its audience sees, the card rendered once)
        self._views: OrderedDict[UUID, tuple[int, AnnouncementView, notices.Message]] = OrderedDict()
        self._views_lock = threading.Lock()
        self._woken = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._listening = False
        # Claimed notices handed to the pool and not yet finished; `stop` takes back those not started.
        self._queued: dict[Future[bool], Claimed] = {}
        self._queued_lock = threading.RLock()

    # -- running -----------------------------------------------------------------------------------

    def deliver_due(self) -> int:
        """Claim and deliver every notice due now; returns how many were delivered.

        Channels still cooling down from their last message are not claimed (their notices stay due): a
        worker never sleeps on the pace while other channels wait. When only such notices are left, this
        waits for the first channel to cool down.
        """
        delivered = 0
        with self._round:
            in_flight: set[Future[bool]] = set()
            while True:
                cooling = self.pacer.cooling()
                # Claim in batches, once the claimed work no longer keeps every worker busy.
                room = 0 if self._stopping.is_set() or len(in_flight) > self.workers else self.workers * CLAIM_AHEAD
                claimed = self.outbox.claim(self.clock.now(), room - len(in_flight), self.lease, skip=cooling)
                in_flight.update(self._hand_out(claimed))
                if in_flight:
                    soonest = min(cooling.values(), default=None)
                    done, in_flight = wait(in_flight, timeout=soonest, return_when=FIRST_COMPLETED)
                    delivered += sum(1 for future in done if not future.cancelled() and future.result())
                    continue
                waiting = self.outbox.due_in(self.clock.now(), cooling) if cooling else []
                if not waiting or self._stopping.is_set():
                    return delivered
                self._stopping.wait(min(cooling[channel] for channel in waiting))

    def _hand_out(self, claimed: list[Claimed]) -> list[Future[bool]]:
        """Give the claimed notices to the workers; while stopping, release them instead."""
        futures, refused = [], []
        with self._queued_lock:
            for notice in claimed:
                if self._stopping.is_set():
                    refused.append(notice)
                    continue
                future = self._pool.submit(self._deliver, notice)
                self._queued[future] = notice
                future.add_done_callback(self._forget)
                futures.append(future)
        self._release(refused)
        return futures

    def _forget(self, future: Future[bool]) -> None:
        with self._queued_lock:
            self._queued.pop(future, None)

    def _release(self, claimed: list[Claimed]) -> None:
        if not claimed:
            return
        try:
            released = self.outbox.release(claimed, self.clock.now())
            log.info("released %d notice(s) for another dispatcher", released,
                     extra={"interface": "dispatcher", "outcome": "released"})
        except Exception:
            log.exception("releasing %d notice(s) failed: they are claimed again when their lease ends",
                          len(claimed), extra=AS_DISPATCHER_ERROR)

    def wake(self) -> None:
        """Deliver soon (called after a commit that queued notices)."""
        self._woken.set()

    def start(self) -> Dispatcher:
        if not self._listening:
            self.services.context.when_notices_queued(self.wake)
            self._listening = True
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="maint-dispatcher", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> bool:
        """Claim nothing more, release what was claimed and not started, finish what is being delivered within
        `timeout` seconds. False when a delivery was still running then (its lease brings it back)."""
        deadline = time.monotonic() + timeout
        with self._queued_lock:
            self._stopping.set()
            waiting = [notice for future, notice in list(self._queued.items()) if future.cancel()]
        self._woken.set()
        self._release(waiting)
        finished = True
        if self._thread is not None:
            self._thread.join(max(0.0, deadline - time.monotonic()))
            finished = not self._thread.is_alive()
            self._thread = None
        with self._queued_lock:
            running = list(self._queued)
        if running:
            finished = not wait(running, timeout=max(0.0, deadline - time.monotonic())).not_done and finished
        self._pool.shutdown(wait=finished, cancel_futures=True)
        return finished

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._woken.clear()
            try:
                self.deliver_due()
            except Exception as error:
                if isinstance(error, UNAVAILABLE):
                    self.metrics.database_errors.labels("dispatcher").inc()
                log.exception("delivering notices failed; trying again shortly", extra=AS_DISPATCHER_ERROR)
            self._woken.wait(self._idle())

    def _idle(self) -> float:
        """Seconds until the next notice is due, within (0, poll]."""
        try:
            upcoming = self.outbox.next_due()
        except Exception as error:
            if isinstance(error, UNAVAILABLE):
                self.metrics.database_errors.labels("dispatcher").inc()
            log.exception("reading the outbox failed", extra=AS_DISPATCHER_ERROR)
            return self.poll
        if upcoming is None:
            return self.poll
        left = (upcoming - self.clock.now()).total_seconds()
        # Due but not claimable means it waits behind an earlier notice of its channel: check back soon.
        return min(self.poll, left) if left > 0 else min(self.poll, 1.0)

    # -- one notice --------------------------------------------------------------------------------

    def _deliver(self, notice: Claimed) -> bool:
        """One attempt, logged as one unit of work (`bot.logs`): the notice's id, interface `dispatcher`, its
        announcement, and its outcome (sent, retried, failed, dropped) on every line it writes."""
        announcement = notice.announcement_uuid.hex if notice.announcement_uuid else None
        with logs.request(f"notice-{notice.id}", "dispatcher", announcement=announcement):
            started = time.perf_counter()
            result = self._attempt(notice)
            logs.bind(outcome=result)
            self._count(notice, result)
            log.info("notice %s (%s to %s) %s in %.0f ms", notice.id, notice.kind, notice.channel_id, result,
                     (time.perf_counter() - started) * 1000)
            return result == "sent"

    def _attempt(self, notice: Claimed) -> str:
        try:
            ts, new_card = self._send(notice)
        except Stale as stale:
            log.info("dropped %s: %s", notice.key, stale, extra={"outcome": "dropped"})
            self.outbox.drop(notice, str(stale))
            return "dropped"
        except Exception as error:
            return self._failed(notice, error)
        if not self.outbox.sent(notice, ts, self.clock.now(), card=new_card):
            log.warning("notice %s was delivered after its lease ran out", notice.key, extra={"outcome": "sent"})
        return "sent"

    def _count(self, notice: Claimed, result: str) -> None:
        """`maintbot_notices_total{kind, result}`: sent, failed (given up), retried, dropped (no longer true)."""
        self.metrics.notices.labels(notice.kind, result).inc()

    def _failed(self, notice: Claimed, error: Exception) -> str:
        """Give the notice up or set its next attempt; returns which ("failed" or "retried")."""
        problem = classify(error)
        if isinstance(error, UNAVAILABLE):
            self.metrics.database_errors.labels("dispatcher").inc()
        now = self.clock.now()
        age = now - notice.due
        if problem.permanent:
            log.warning("notice %s failed: %s", notice.key, problem.reason, extra={"outcome": "failed"})
            if problem.reason.startswith("internal error"):
                log.error("internal error delivering %s", notice.key, exc_info=error)
            self.outbox.fail(notice, problem.reason)
            return "failed"
        if age >= self.max_age:
            reason = f"gave up after {notice.attempts} attempts in {duration(age)}: {problem.reason}"
            log.warning("notice %s failed: %s", notice.key, reason, extra={"outcome": "failed"})
            self.outbox.fail(notice, reason)
            return "failed"
        delay = self._delay(notice.attempts) if problem.retry_after is None else max(problem.retry_after, 1.0)
        log.info("notice %s: %s; retrying in %.0f s", notice.key, problem.reason, delay, extra={"outcome": "retried"})
        self.outbox.retry_at(notice, now + timedelta(seconds=delay), problem.reason)
        return "retried"

    def _delay(self, attempts: int) -> float:
        """Exponential backoff with jitter: base·2^(n−1), capped, then scaled by a random 0.5–1."""
        base, cap = (limit.total_seconds() for limit in self.backoff)
        return min(cap, base * 2 ** (attempts - 1)) * self._rng.uniform(0.5, 1.0)

    def _send(self, notice: Claimed) -> tuple[str, tuple[UUID, str] | None]:
        """Post the notice; returns the ts of its message, and the card to remember with it (if it is one)."""
        now = self.clock.now()
        if notice.kind == SUMMARY:
            return self._post(notice, *notices.summary(notice.payload)), None
        if notice.kind == SUMMARY_CHART:
            return self._upload(notice, pictures.summary_chart(notice.payload)), None
        sequence, card_ts = self.outbox.state_of(notice.announcement_uuid, notice.channel_id)
        view = self._view(notice.announcement_uuid, sequence)
        reason = stale_reason(notice.kind, notice.payload, view, now)
        if reason is not None:
            raise Stale(reason)
        if notice.kind == "published" and card_ts is None and not notice.retrying:
            # The card is the message: it is remembered in the same transaction that marks the notice sent.
            return self._post_card(notice, view), (notice.announcement_uuid, notice.channel_id)
        card_ts, posted_now = self._card(notice, view, card_ts, now)
        if notice.kind == "published" and posted_now:
            return card_ts, None
        text, blocks = notices.reply(notice.kind, notice.payload, view, now)
        ts = self._post(notice, text, blocks, thread_ts=card_ts, broadcast=notice.kind in notices.BROADCAST)
        return ts, None

    def _view(self, announcement_uuid: UUID, sequence: int | None) -> AnnouncementView | None:
        """The announcement as its audience sees it now (None once deleted): a withdrawn or cancelled one as
        it was last published, never as edited since. Read once per version, whatever the fan-out."""
        if sequence is None:
            return None
        with self._views_lock:
            cached = self._views.get(announcement_uuid)
        if cached is not None and cached[0] == sequence:  # the audience's view may carry its published version
            return cached[1]
        try:
            view = self.services.announcements.as_published(announcement_uuid)
        except NotFound:
            return None
        text, blocks = notices.card(view, view.name, view.short_id, self.page)
        with self._views_lock:
            self._views[announcement_uuid] = (sequence, view, (text, [block.to_dict() for block in blocks]))
            self._views.move_to_end(announcement_uuid)
            while len(self._views) > VIEWS_KEPT:
                self._views.popitem(last=False)
        return view

    def _render_card(self, notice: Claimed, view: AnnouncementView | None) -> notices.Message:
        """The card of this version, as rendered once for every channel (or the short one once deleted), with
        the alerts its maintenance silences now (when silences are on)."""
        card = None
        if view is not None:
            with self._views_lock:
                cached = self._views.get(view.uuid)
            if cached is not None and cached[1] is view:
                card = cached[2]
        if card is None:
            card = notices.card(view, str(notice.payload.get("name", "")), notice.announcement_uuid.hex[:8], self.page)
        if view is None or self.services.context.silences is None or view.state not in LIVE:
            return card
        silenced = self.services.silences.summary(view.uuid)
        return notices.with_silences(card, silenced) if silenced else card

    # -- the card ----------------------------------------------------------------------------------

    def _card(
        self, notice: Claimed, view: AnnouncementView | None, ts: str | None, now: datetime
    ) -> tuple[str, bool]:
        """The card's ts in the notice's channel, posting the card if the channel has none; True if posted now.

        Kinds that change what the card shows update it in place.
        """
        uuid, channel = notice.announcement_uuid, notice.channel_id
        posted_by_this_notice = False
        if ts is None and notice.retrying:
            ts, posted_by = self._find_card(channel, uuid)
            if ts is not None:
                ts = self.outbox.record_card(uuid, channel, ts, now)
                posted_by_this_notice = posted_by == notice.key
        text, blocks = self._render_card(notice, view)
        if ts is not None and notice.kind in CARD_CHANGES and not posted_by_this_notice:
            try:
                self.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
            except SlackApiError as error:
                if error.response.get("error") not in CARD_GONE:
                    raise
                self.outbox.forget_card(uuid, channel, ts)
                ts = None
        if ts is not None:
            return ts, posted_by_this_notice
        if notice.kind in ("withdrawn", "deleted"):
            raise Stale("this channel never showed the card")
        return self.outbox.record_card(uuid, channel, self._post_card(notice, view), now), True

    def _post_card(self, notice: Claimed, view: AnnouncementView | None) -> str:
        uuid = notice.announcement_uuid
        text, blocks = self._render_card(notice, view)
        marker = {"event_type": CARD_EVENT, "event_payload": {"announcement": uuid.hex, "key": notice.key}}
        return self._post_message(notice.channel_id, text, blocks, metadata=marker)

    def _find_card(self, channel: str, uuid: UUID) -> tuple[str | None, str | None]:
        """A card an earlier attempt posted: (ts, key of the notice that posted it)."""
        for message in self._look(self.client.conversations_history, channel=channel):
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == CARD_EVENT and payload.get("announcement") == uuid.hex:
                return message["ts"], payload.get("key")
        return None, None

    # -- messages ----------------------------------------------------------------------------------

    def _post(
        self, notice: Claimed, text: str, blocks: list, *, thread_ts: str | None = None, broadcast: bool = False
    ) -> str:
        """Post the notice's message, unless an earlier attempt already did."""
        if notice.retrying:
            earlier = self._find_message(notice.channel_id, thread_ts, notice.key)
            if earlier is not None:
                log.info("notice %s was posted by an earlier attempt (%s)", notice.key, earlier)
                return earlier
        marker = {"event_type": NOTICE_EVENT, "event_payload": {"key": notice.key}}
        return self._post_message(
            notice.channel_id, text, blocks, thread_ts=thread_ts, broadcast=broadcast, metadata=marker
        )

    def _post_message(
        self,
        channel: str,
        text: str,
        blocks: list,
        *,
        metadata: dict[str, Any],
        thread_ts: str | None = None,
        broadcast: bool = False,
    ) -> str:
        extra: dict[str, Any] = {}
        if thread_ts:
            extra = {"thread_ts": thread_ts, "reply_broadcast": True} if broadcast else {"thread_ts": thread_ts}
        with self.pacer.slot(channel):
            response = self.client.chat_postMessage(
                channel=channel, text=text, blocks=blocks, metadata=metadata, unfurl_links=False, **extra
            )
        return response["ts"]

    # -- files -------------------------------------------------------------------------------------

    def _upload(self, notice: Claimed, chart: pictures.Chart) -> str:
        """Share the chart in the notice's channel, unless an earlier attempt already did; returns the file id.

        files.completeUploadExternal takes no message metadata, so a retry looks for the file by its name and
        title, unique in its channel (the week and the provider's name). Until the last step shares it, an uploaded
        file is private to the bot and seen by no one, so a failure before it leaves nothing to find.
        """
        if notice.retrying:
            earlier = self._find_file(notice.channel_id, chart.filename, chart.title)
            if earlier is not None:
                log.info("notice %s was uploaded by an earlier attempt (%s)", notice.key, earlier)
                return earlier
        with self.pacer.slot(notice.channel_id):
            response = self.client.files_upload_v2(
                channel=notice.channel_id, file=chart.png, filename=chart.filename, title=chart.title,
                alt_txt=chart.alt_text, initial_comment=chart.comment,
            )
        return str((response.get("file") or {}).get("id") or "")

    def _find_file(self, channel: str, filename: str, title: str) -> str | None:
        for message in self._look(self.client.conversations_history, channel=channel):
            for shared in message.get("files") or []:
                if shared.get("name") == filename and shared.get("title") == title:
                    return str(shared.get("id") or message.get("ts"))
        return None

    def _find_message(self, channel: str, thread_ts: str | None, key: str) -> str | None:
        if thread_ts:
            found = self._look(self.client.conversations_replies, channel=channel, ts=thread_ts)
        else:
            found = self._look(self.client.conversations_history, channel=channel)
        for message in found:
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == NOTICE_EVENT and (metadata.get("event_payload") or {}).get("key") == key:
                return message["ts"]
        return None

    @staticmethod
    def _look(method, **kwargs) -> list[dict]:
        """Recent messages (newest first for a channel, oldest first for a thread); none if Slack says no.

        Only a permanent refusal (no history scope, not in the channel) counts as "nothing there". When Slack
        fails to answer (5xx, 429), the error is raised and the notice retried later: posting without
        having looked could post it twice.
        """
        try:
            return list(method(limit=HISTORY_LIMIT, include_all_metadata=True, **kwargs).get("messages") or [])
        except SlackApiError as error:
            if not classify(error).permanent:
                raise
            log.warning("could not read %s to check for an earlier post: %s", kwargs, error.response.get("error"))
            return []


def dispatcher_for(services: Services, client: WebClient, settings: Settings) -> Dispatcher:
    """`maintbot run`'s dispatcher, as configured (bot/runner.py hands it to bot.jobs.start_jobs)."""
    return Dispatcher(
        services,
        client,
        workers=settings.delivery_workers,
        max_age=settings.max_delivery_age,
        poll=min(POLL_SECONDS, float(settings.tick_seconds)),
        page=settings.status_page,
    )
