"""The figures an operator alerts on, in Prometheus' terms: one registry per runtime, never the global one.

Every part of one `maintbot run` (the HTTP API, the Slack app, the dispatcher, the jobs) is built over the
same `Services`, so `metrics_for(services)` gives them the same `Metrics`; another runtime (another test, the
console) gets its own. Label values are drawn from fixed sets (interfaces, kinds, actions, results), never
ids or text people typed, so the number of series stays bounded.

The outbox backlog is read from the database when `/metrics` is scraped (one aggregate query), so any
replica answers for the whole outbox; every other figure is this process's own.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.service import Services

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
#: Slack wants an ack within 3 s; the buckets are finest below that.
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
TICK_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Backlog(Collector):
    """`maintbot_outbox_due` and `maintbot_outbox_oldest_due_seconds`, read from the database at scrape time.
    It holds its services weakly: the registry lives as long as they do, not the other way round."""

    def __init__(self, services: Services) -> None:
        self.services = weakref.ref(services)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        services = self.services()
        if services is None:
            return
        try:
            now = services.context.clock.now()
            count, oldest = services.outbox.backlog(now)
        except Exception as error:  # a scrape while the database is away still shows the rest
            log.warning("reading the outbox backlog failed: %s", type(error).__name__)
            return
        yield GaugeMetricFamily("maintbot_outbox_due", "Notices due and not yet delivered (whole outbox).",
                                value=count)
        age = (now - oldest).total_seconds() if oldest is not None else 0.0
        yield GaugeMetricFamily("maintbot_outbox_oldest_due_seconds",
                                "Age of the oldest notice due and not yet delivered (0 when none).",
                                value=max(age, 0.0))


class Metrics:
    """The runtime's registry and the figures in it."""

    def __init__(self, services: Services | None = None) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("maintbot_requests", "Requests answered, by interface and outcome.",
                                ["interface", "outcome"], registry=r)
        self.ack_seconds = Histogram("maintbot_slack_ack_seconds", "Time to answer Slack's request (the ack).",
                                     ["kind"], buckets=ACK_BUCKETS, registry=r)
        self.transitions = Counter("maintbot_transitions", "Announcements moved along the state machine.",
                                   ["action", "interface"], registry=r)
        self.notices = Counter("maintbot_notices", "Outbox notices by kind and result (queued, sent, failed, "
                               "retried, dropped).", ["kind", "result"], registry=r)
        self.slack_calls = Counter("maintbot_slack_api_calls", "Slack Web API calls by method and result.",
                                   ["method", "result"], registry=r)
        self.tick_seconds = Histogram("maintbot_tick_seconds", "Duration of the scheduler's tick.",
                                      buckets=TICK_BUCKETS, registry=r)
        self.tick_last_success = Gauge("maintbot_tick_last_success_timestamp_seconds",
                                       "Unix time the last tick succeeded.", registry=r)
        self.tick_failures = Counter("maintbot_tick_failures", "Ticks that raised.", registry=r)
        self.database_errors = Counter("maintbot_database_errors", "Requests met by the database being away.",
                                       ["interface"], registry=r)
        if services is not None:
            r.register(Backlog(services))
            services.context.when_queued_count(self.queued)

    def render(self) -> bytes:
        return generate_latest(self.registry)

    def queued(self, kinds: Mapping[str, int]) -> None:
        """Notices a commit queued, by kind (`maintbot_notices_total{result="queued"}`), whatever queued them."""
        for kind, count in kinds.items():
            self.notices.labels(kind, "queued").inc(count)

    def slack_call(self, method: str, result: str) -> None:
        self.slack_calls.labels(method, result).inc()


_RUNTIMES: dict[int, Metrics] = {}
_LOCK = threading.Lock()


def metrics_for(services: Services | None) -> Metrics:
    """The `Metrics` of the runtime built over `services` (made on first use, forgotten with `services`); an app
    built over no services (a test of its routes) gets a registry of its own, without the backlog."""
    if services is None:
        return Metrics()
    key = id(services)
    with _LOCK:
        found = _RUNTIMES.get(key)
        if found is None:
            found = _RUNTIMES[key] = Metrics(services)
            weakref.finalize(services, _RUNTIMES.pop, key, None)
        return found


# -- Slack's Web API ----------------------------------------------------------------------------------


def call_result(error: Exception | None) -> str:
    """A bounded word for how a Web API call ended."""
    if error is None:
        return "ok"
    if isinstance(error, SlackApiError):
        status = getattr(error.response, "status_code", 200)
        if status == 429:
            return "rate_limited"
        if status >= 500:
            return "server_error"
        return "error"  # Slack's `ok: false`
    return "connection_error"


class CountedClient(WebClient):
    """A Web API client that counts each call by method and result (`maintbot_slack_api_calls`).

    It hooks `_sync_send`, the one path every call of slack_sdk's synchronous client takes (retries by its
    retry handlers happen inside it, so a call is counted once, by how it finally ended)."""

    metrics: Metrics | None = None

    def _sync_send(self, api_url: str, req_args: dict[str, Any]) -> Any:
        error: Exception | None = None
        try:
            return super()._sync_send(api_url=api_url, req_args=req_args)
        except Exception as raised:
            error = raised
            raise
        finally:
            if self.metrics is not None:
                self.metrics.slack_call(api_url.removeprefix(self.base_url), call_result(error))


def counted(client: WebClient, metrics: Metrics) -> WebClient:
    """A copy of `client` that counts its calls into `metrics` (same token, URL, retries and session)."""
    own = copy.copy(client)
    own.__class__ = CountedClient
    own.metrics = metrics
    return own


# -- timing -------------------------------------------------------------------------------------------


def timed_tick(metrics: Metrics, tick: Callable[..., Any]) -> Callable[..., Any]:
    """`tick` measured: its duration always, the time of its last success when it returns."""

    def run(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            result = tick(*args, **kwargs)
        except Exception:
            metrics.tick_failures.inc()
            raise
        finally:
            metrics.tick_seconds.observe(time.perf_counter() - started)
        metrics.tick_last_success.set(time.time())
        return result

    run.__name__ = run.__qualname__ = getattr(tick, "__name__", "tick")
    return run

