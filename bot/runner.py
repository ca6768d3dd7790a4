"""`maintbot run`: the composition root. The Slack app, the HTTP API and the jobs, wired in one process, in
Socket Mode or HTTP mode.

- Socket Mode (SLACK_APP_TOKEN set): Slack's events come over a websocket opened from here, so no public
  URL is needed; the HTTP API is still served on HOST:PORT.
- HTTP mode (otherwise): Slack posts to `POST /slack/events` on the same ASGI app as the HTTP API, and
  Bolt verifies each request with SLACK_SIGNING_SECRET.

With `scheduler=True` this process also runs the jobs (bot.jobs.scheduler: the periodic tick and the weekly
summary) and the outbox dispatcher that posts and updates cards (bot.slack.delivery), which this module
builds and hands to the jobs; several processes may, safely.
Without the tokens the chosen mode needs, it says which variables are missing, points to
`maintbot console` and `--no-slack`, and returns 2; a token Slack refuses returns 1. Slack not answering
(no connection, timeouts, 5xx) does not stop it: the HTTP API serves, `bot.slack.connection` keeps asking,
and the waiting notices go once Slack answers. `slack=False` (`--no-slack`) serves the HTTP API alone.
Log lines are as `bot.logs.configure` set them (uvicorn's own loggers included; `bot.web` logs each request,
so uvicorn's access lines are off); in Socket Mode each envelope is a logged request named by its envelope id.
Start-up and shutdown lines are log records too, in the chosen format.

Stopping (SIGTERM from Kubernetes or systemd, SIGINT from Ctrl-C), within MAINTBOT_SHUTDOWN_GRACE seconds:
1. no new Slack request is taken: uvicorn stops listening (HTTP mode; the API stops with it), the Slack socket
   takes no new envelope and closes once the ones in hand are acked (Socket Mode);
2. at the same time the scheduler starts no job and the dispatcher claims no notice, releasing those it had
   claimed and not started (due at once for another replica); the run and deliveries in progress go on;
3. the requests in progress are answered (the acks), then the work Bolt started after them (lazy listeners on
   the `ListenerExecutor`) is drained;
4. exit 0. If the grace period ends first, the statements still running are stopped (`Database.interrupt`),
   and the process exits 0 at once: unfinished work rolls back, a delivery in Slack's hands keeps its lease.
A second signal stops waiting for requests in progress.
"""

from __future__ import annotations

import logging
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

import uvicorn

from bot import logs
from bot.config import Settings
from bot.domain.service import Services
from bot.jobs.scheduler import Jobs, start_jobs
from bot.slack import socket_mode as envelopes
from bot.slack.app import build_app, make_client
from bot.slack.connection import Refused, SlackLink
from bot.slack.delivery import dispatcher_for
from bot.slack.http import routes
from bot.web import create_app

log = logging.getLogger(__name__)

EXIT_MISSING = 2
EXIT_REFUSED = 1
#: What Kubernetes, systemd and Ctrl-C send to stop a process.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def missing_settings(settings: Settings) -> tuple[str, list[str]]:
    """(mode, the environment variables that mode still needs)."""
    if settings.slack_app_token:
        mode, needed = "Socket Mode", {"SLACK_BOT_TOKEN": settings.slack_bot_token}
    else:
        mode = "HTTP mode"
        needed = {"SLACK_BOT_TOKEN": settings.slack_bot_token, "SLACK_SIGNING_SECRET": settings.slack_signing_secret}
    return mode, [name for name, value in needed.items() if not value]


def explain_missing(mode: str, missing: list[str], out: TextIO) -> None:
    print(f"maintbot run: cannot connect to Slack in {mode}: {', '.join(missing)} not set.", file=out)
    print("  HTTP mode needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (Slack posts to /slack/events);", file=out)
    print("  Socket Mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN (xapp-…, no public URL needed).", file=out)
    print("  Create the app from manifest.yml to get them. To try maintbot without Slack: `maintbot console`;",
          file=out)
    print("  to serve only the HTTP API: `maintbot run --no-slack`.", file=out)


def run(settings: Settings, services: Services, host: str, port: int, *, scheduler: bool, slack: bool = True) -> int:
    """Serve until SIGTERM or SIGINT, then stop within MAINTBOT_SHUTDOWN_GRACE; returns the process exit code.
    `slack=False` serves the HTTP API alone."""
    if not settings.base_url:
        log.warning("MAINTBOT_BASE_URL is not set: links follow each request's Host header (answers carry "
                    "Vary: Host); set it to the public address in production")
    if not slack:
        return serve_api_only(settings, services, host, port)
    mode, missing = missing_settings(settings)
    if missing:
        explain_missing(mode, missing, sys.stderr)
        return EXIT_MISSING
    client = make_client(settings)
    link = SlackLink(client)
    socket_mode = bool(settings.slack_app_token)
    slack_app = build_app(services, settings, client=client, verify_requests=not socket_mode)
    shutdown = Shutdown(settings.shutdown_grace)
    jobs: Jobs | None = None
    handler = None
    try:
        link.when_back(lambda: services.outbox.release_waiting(services.context.clock.now()))
        if socket_mode:
            handler = socket_mode_handler(slack_app.bolt, settings.slack_app_token, shutdown)
            link.when_back(once(handler.connect))
            shutdown.then("closing the Slack socket", handler.close_when_quiet)
            asgi = create_app(services, settings)
        else:
            asgi = create_app(services, settings, slack=routes(slack_app.bolt))
        asgi.state.slack_status = link.status
        try:
            link.check()
        except Refused as refused:
            logs.say(log, f"maintbot run: Slack refused SLACK_BOT_TOKEN ({refused}); check the token and "
                          "SLACK_API_URL.", level=logging.ERROR)
            return EXIT_REFUSED
        if link.connected:
            who = link.identity.get("user") or link.identity.get("user_id")
            team = link.identity.get("team") or link.identity.get("team_id")
            logs.say(log, f"maintbot: connected to Slack as {who} ({team}) in {mode}; HTTP on http://{host}:{port}")
        else:
            logs.say(log, f"maintbot: cannot reach Slack at {settings.slack_api_url} "
                          f"({link.status().get('detail')}); serving HTTP on http://{host}:{port} meanwhile and "
                          "trying again; notices wait until it answers")
        if scheduler:
            jobs = start_jobs(services, settings, dispatcher_for(services, client, settings))
            shutdown.then("stopping the jobs and the dispatcher", lambda: jobs.stop(shutdown.left()))
        link.start()
        serve(asgi, settings, host, port, shutdown)
        if not stop(shutdown, slack_app, services):
            abandon()
        return 0
    finally:
        link.stop()
        if handler is not None:
            handler.close()
        if jobs is not None:
            jobs.stop(0)
        slack_app.close()


#: How long an idle keep-alive connection stays open. uvicorn's 5 s equals common clients' own expiry (httpx's),
#: so a client reusing a connection just as the server closed it met a reset (bench/reliability_load.py); a
#: server must keep connections longer than the load balancer or client in front of it (60 s on most).
KEEP_ALIVE_SECONDS = 75


def serve(asgi: Any, settings: Settings, host: str, port: int, shutdown: Shutdown) -> None:
    """uvicorn until the first SIGTERM or SIGINT; then it stops listening and finishes the requests in progress
    (the acks) within the grace period."""
    config = uvicorn.Config(asgi, host=host, port=port, log_level=settings.log_level.lower(), log_config=None,
                            access_log=False, timeout_graceful_shutdown=max(1, round(settings.shutdown_grace)),
                            timeout_keep_alive=KEEP_ALIVE_SECONDS)
    server = Server(config, shutdown)
    with shutdown.on_signals(server):
        server.run()


class Server(uvicorn.Server):
    """uvicorn's server, stopped through `Shutdown`. uvicorn's own signal handling would raise the signal again
    once it has stopped serving, ending the process before the work after acks and the deliveries are done."""

    def __init__(self, config: uvicorn.Config, shutdown: Shutdown) -> None:
        super().__init__(config)
        self.shutdown_signal = shutdown

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class Shutdown:
    """The grace period, from the first SIGTERM or SIGINT: everything still to stop gets until its end.

    `then(what, step)`: a step started in its own thread as soon as shutdown begins (closing the Slack socket,
    stopping the jobs), so the steps run side by side with uvicorn finishing its requests.
    """

    def __init__(self, grace: float) -> None:
        self.grace = grace
        self.requested = threading.Event()
        self.signal: str | None = None
        self._deadline = math.inf
        self._lock = threading.RLock()  # taken in a signal handler too
        self._steps: list[tuple[str, Callable[[], object]]] = []
        self._running: list[tuple[str, threading.Thread, list]] = []

    def then(self, what: str, step: Callable[[], object]) -> None:
        self._steps.append((what, step))

    def begin(self, reason: str) -> None:
        """Start the grace period (once) and the steps."""
        with self._lock:
            if self.requested.is_set():
                return
            self.signal = reason
            self._deadline = time.monotonic() + self.grace
            self.requested.set()
            for what, step in self._steps:
                outcome: list = []
                thread = threading.Thread(target=lambda s=step, o=outcome: o.append(s()), name=f"maint-stop {what}",
                                          daemon=True)
                thread.start()
                self._running.append((what, thread, outcome))

    def left(self) -> float:
        """Seconds until the grace period ends (0 once it has)."""
        return max(0.0, self._deadline - time.monotonic())

    def unfinished_steps(self) -> list[str]:
        """Steps still running, or that returned False (something left unfinished), once waited for."""
        left = []
        for what, thread, outcome in self._running:
            thread.join(self.left())
            if thread.is_alive() or outcome == [False]:
                left.append(what)
        return left

    @contextmanager
    def on_signals(self, server: uvicorn.Server) -> Iterator[None]:
        """SIGTERM and SIGINT begin the shutdown and tell `server` to stop (a second one stops it waiting for
        requests in progress); the previous handlers come back after."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def received(number: int, _frame: Any) -> None:
            if self.requested.is_set():
                server.force_exit = True
            self.begin(signal.Signals(number).name)
            server.should_exit = True

        previous = {number: signal.signal(number, received) for number in STOP_SIGNALS}
        try:
            yield
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)


def stop(shutdown: Shutdown, slack_app: Any, services: Services) -> bool:
    """After the HTTP server stopped: wait for the steps, and for the work after acks, until the grace period
    ends. True when everything finished; otherwise the database's running statements are stopped."""
    shutdown.begin("the server stopped")
    logs.say(log, f"maintbot: stopping ({shutdown.signal}): no new Slack requests; finishing the work after acks "
                  f"and the deliveries in flight within {shutdown.left():.0f} s")
    drained = slack_app.drain(shutdown.left())
    left = shutdown.unfinished_steps()
    if not drained:
        left.append("the work after acks")
    if not left:
        logs.say(log, "maintbot: stopped")
        return True
    stopped = services.context.db.interrupt()
    logs.say(log, f"maintbot: the grace period ({shutdown.grace:g} s) ended before {', '.join(left)}; "
                  f"{stopped} database statement(s) stopped; exiting", level=logging.WARNING)
    return False


def abandon() -> None:
    """Exit now, with 0: what did not finish within the grace period stops here (its transactions roll back; a
    notice being delivered keeps its lease and is looked for in Slack before it is posted again). Threads still
    waiting on Slack or the database would otherwise hold the interpreter's exit."""
    logging.shutdown()
    sys.stderr.flush()
    os._exit(0)


def serve_api_only(settings: Settings, services: Services, host: str, port: int) -> int:
    """`maintbot run --no-slack`: the HTTP API (and /healthz, /readyz) alone. No Slack endpoint, no jobs: notices
    wait in the outbox for a process that has Slack."""
    logs.say(log, f"maintbot: serving the HTTP API only (--no-slack) on http://{host}:{port}; notices wait in the "
                  "outbox for a `maintbot run` connected to Slack")
    serve(create_app(services, settings), settings, host, port, Shutdown(settings.shutdown_grace))
    return 0


def once(action: Callable[[], None]) -> Callable[[], None]:
    """`action` the first time it succeeds, nothing after (Socket Mode reconnects by itself once connected)."""
    done = threading.Event()

    def run_once() -> None:
        if not done.is_set():
            action()
            done.set()

    return run_once


def socket_mode_handler(bolt: Any, app_token: str | None, shutdown: Shutdown | None = None) -> Any:
    """Bolt's Socket Mode handler, each envelope handled once, as one `bot.logs` request named by its envelope id
    (`bot.slack.socket_mode`); once `shutdown` has begun, new envelopes are left for Slack to deliver again."""
    shutdown = shutdown or Shutdown(0)
    return envelopes.socket_mode_handler(bolt, app_token or "", stopping=shutdown.requested, grace=shutdown.left)
