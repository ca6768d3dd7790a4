"""No leaks: over a full scenario in every interface, nothing public ever shows an internal note or a draft's name.

Drafts made in a modal and over the API, renamed, edited, cancelled and deleted before anyone saw them;
published announcements whose internal notes change, that are started, completed, withdrawn, cancelled;
reminders, due nudges, overrun alerts and the weekly summary. Then everything public is scanned: every
version of every message posted to a channel (cards and thread replies), every App Home published for
someone who does not manage the provider, every reply a reader got, and every public HTTP response (the
public endpoint, the calendar feeds, the API with a read-only token, refusals included).
"""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.actors import Actor
from bot.domain.enums import Interface
from bot.domain.listing import ListQuery
from bot.jobs.tick import SummarySchedule, Ticker
from tests.conftest import NOW
from tests.reliability.helpers import published_homes

pytestmark = pytest.mark.parametrize("db", ["sqlite"], indirect=True)

MANAGER, READER, STORE = "UCLOUDMGR1", "UREADER001", "USTOREMGR1"
CHANNEL, FOLLOWERS = "CCLOUD0001", "CFOLLOW001"
START = NOW + timedelta(hours=30)


def at(hours: float) -> str:
    return (START + timedelta(hours=hours)).isoformat()


class Scenario:
    """Acts through Slack and the API; remembers every secret it creates."""

    def __init__(self, slack, api, services) -> None:
        self.slack, self.api, self.services = slack, api, services
        self.draft_names: list[str] = []
        self.notes: list[str] = []
        self.reader_replies: list[str] = []

    # -- Slack -----------------------------------------------------------------------------------------

    def modal_draft(self, name: str, notes: str, *, published_later: bool = False, **answers) -> str:
        """A draft made in the modal; its name is a secret unless it is published later under that name."""
        self.draft_names += [] if published_later else [name]
        self.notes.append(notes)
        self.slack.command("new", user=MANAGER)
        reply = self.slack.submit(self.slack.modal(), user=MANAGER, name=name, internal_notes=notes,
                                  start=START, end=START + timedelta(hours=2), offerings=["VMs"], **answers)
        assert reply.ack is None, reply.ack
        return self.find(name)

    def edit(self, reference: str, *, secret_name: bool = False, **answers) -> None:
        self.notes += [answers["internal_notes"]] if "internal_notes" in answers else []
        self.draft_names += [answers["name"]] if secret_name else []
        self.slack.command(f"edit {reference[:8]}", user=MANAGER)
        reply = self.slack.submit(self.slack.modal(), user=MANAGER, **answers)
        assert reply.ack is None, reply.ack

    def command(self, text: str, user: str = MANAGER, channel: str = CHANNEL):
        reply = self.slack.command(text, user=user, channel=channel)
        assert reply.status == 200
        if user in (READER, STORE):
            self.reader_replies.append(reply.body + json.dumps([s.content for s in reply.seen]))
        return reply

    def press(self, reference: str, label: str, user: str = MANAGER):
        card = next(post for post in self.slack.posts(CHANNEL) if f"card:{reference}" in json.dumps(post.blocks))
        reply = self.slack.press(card, label, user=user)
        if user in (READER, STORE):
            self.reader_replies.append(json.dumps([s.content for s in reply.seen]))
        return reply

    # -- API -------------------------------------------------------------------------------------------

    def api_draft(self, name: str, notes: str, *, published_later: bool = False) -> str:
        self.draft_names += [] if published_later else [name]
        self.notes.append(notes)
        provider = self.services.catalog.provider("Cloud")
        response = self.api.http("cloud").post("/api/maintenance-announcements/", json={
            "name": name, "message": "Planned work.", "internal_notes": notes, "scheduled_start": at(0),
            "scheduled_end": at(2), "service_provider": f"{self.api.base_url}/api/marketplace-service-providers/"
                                                          f"{provider.uuid.hex}/"})
        assert response.status_code == 201, response.text
        return response.json()["uuid"].replace("-", "")

    def api_call(self, method: str, path: str, **kwargs) -> None:
        response = self.api.http("cloud").request(method, path, **kwargs)
        assert response.status_code < 300, (path, response.status_code, response.text)

    def act(self, reference: str, action: str) -> None:
        self.api_call("POST", f"/api/maintenance-announcements/{reference}/{action}/")

    def find(self, name: str) -> str:
        views = self.services.announcements.list(Actor(MANAGER, Interface.SLACK), ListQuery(page_size=300)).items
        return next(view.uuid.hex for view in views if view.name == name)


@pytest.fixture
def scenario(slack, api, services, world, clock):
    """The full scenario; returns it with every secret it made and every public HTTP response."""
    run = Scenario(slack, api, services)
    for user in (READER, STORE):
        slack.open_home(user)  # from now on their Homes are republished after every change
    run.command("subscribe VMs", user=READER, channel=FOLLOWERS)
    ticker = Ticker(services, schedule=SummarySchedule.parse("mon 09:00", ZoneInfo("UTC")))

    # Drafts nobody else ever sees: made, renamed, edited, cancelled, deleted, in Slack and over the API.
    quiet = run.modal_draft("Leak draft from the modal", "NOTE-modal-first")
    run.edit(quiet, name="Leak draft renamed in the modal", internal_notes="NOTE-modal-second", secret_name=True)
    over_api = run.api_draft("Leak draft over the API", "NOTE-api-first")
    run.api_call("PATCH", f"/api/maintenance-announcements/{over_api}/",
                 json={"internal_notes": "NOTE-api-second", "name": "Leak draft patched over the API"})
    run.notes.append("NOTE-api-second")
    run.draft_names.append("Leak draft patched over the API")
    run.act(over_api, "cancel_maintenance")
    cancelled = run.modal_draft("Leak draft cancelled in Slack", "NOTE-cancelled-draft")
    run.command(f"cancel {cancelled[:8]}")
    doomed = run.api_draft("Leak draft deleted", "NOTE-deleted-draft")
    card = run.command(f"show {doomed[:8]}").last
    slack.press(card, "Delete", user=MANAGER)
    codename = run.modal_draft("Leak draft codename", "NOTE-codename")
    run.edit(codename, name="Router swap")  # published under its new name only

    # Published ones, whose notes change while everyone watches.
    run.command(f"schedule {codename[:8]}")
    public = run.api_draft("Kernel upgrade", "NOTE-public-first", published_later=True)
    run.act(public, "schedule")
    ticker.summarise()
    slack.deliver()
    run.edit(public, internal_notes="NOTE-public-second", message="Rolling reboot, in two waves.")
    slack.deliver()
    withdrawn = run.modal_draft("Storage move", "NOTE-withdrawn-first", published_later=True)
    run.command(f"schedule {withdrawn[:8]}")
    slack.deliver()
    run.press(withdrawn, "Unschedule")
    slack.deliver()
    run.edit(withdrawn, internal_notes="NOTE-withdrawn-second")
    # Typed while withdrawn: draft wording, however the card or the feed is rendered later.
    run.edit(withdrawn, name="Leak withdrawn and renamed", message="Leak typed after withdrawal", secret_name=True)
    run.draft_names.append("Leak typed after withdrawal")
    stale = run.api_draft("Database failover", "NOTE-stale", published_later=True)
    run.act(stale, "schedule")
    slack.deliver()
    stale_card = next(post for post in slack.posts(CHANNEL) if f"card:{stale}" in json.dumps(post.blocks))
    run.act(stale, "unschedule")
    run.api_call("PATCH", f"/api/maintenance-announcements/{stale}/",
                 json={"name": "Leak renamed before cancelling", "message": "Leak message before cancelling",
                       "external_reference_url": "https://leak.example/cancelled"})
    run.draft_names += ["Leak renamed before cancelling", "Leak message before cancelling", "leak.example"]
    run.act(stale, "cancel_maintenance")
    slack.press(stale_card, "Start", user=MANAGER)  # a stale button on the channel's card
    slack.deliver()
    called_off = run.modal_draft("Network cutover", "NOTE-called-off", published_later=True)
    run.command(f"schedule {called_off[:8]}")
    slack.deliver()
    run.press(called_off, "Cancel")
    slack.deliver()

    # Time passes: reminders, due nudges, starts, overruns, completion.
    clock.set(START - timedelta(hours=1))
    slack.deliver()
    clock.set(START + timedelta(minutes=5))
    ticker.tick()
    slack.deliver()
    run.press(public, "Start")
    run.act(codename, "start_maintenance")
    slack.deliver()
    clock.set(START + timedelta(hours=3))
    ticker.tick()
    slack.deliver()
    run.command(f"complete {public[:8]}")
    slack.deliver()

    # What readers ask for, in Slack.
    every = [quiet, over_api, cancelled, doomed, codename, public, withdrawn, called_off, stale]
    for user in (READER, STORE):
        for text in ["list", "list all", "list drafts", "list upcoming", "list active", "list state=draft",
                     "list state=cancelled", "stats", "templates", *(f"show {ref[:8]}" for ref in every),
                     *(f"history {ref[:8]}" for ref in every), *(f"edit {ref[:8]}" for ref in every),
                     *(f"start {ref[:8]}" for ref in every), "show " + every[0][:6]]:
            run.command(text, user=user)
        slack.open_home(user)
    slack.deliver()

    # What anyone may ask for over HTTP.
    bodies = []
    anonymous, read_only = api.http(None), api.http("read_only")
    paths = ["/api/public-maintenance-announcements/", "/api/public-maintenance-announcements/?page_size=300",
             "/api/maintenance-calendar.ics",
             f"/api/marketplace-service-providers/{services.catalog.provider('Cloud').uuid.hex}/maintenance-calendar.ics",
             *(f"/api/marketplace-provider-offerings/{o.uuid.hex}/maintenance-calendar.ics"
               for o in services.catalog.offerings()),
             *(f"/api/public-maintenance-announcements/{ref}/" for ref in every)]
    bodies += [("anonymous", path, anonymous.get(path)) for path in paths]
    api_paths = ["/api/maintenance-announcements/?page_size=300", "/api/maintenance-announcements/?state=Draft",
                 "/api/maintenance-announcements/?state=Cancelled", "/api/maintenance-announcements/?o=name",
                 "/api/maintenance-announcements/maintenance_stats/", "/api/maintenance-announcement-offerings/",
                 "/api/maintenance-announcements-template/", "/api/marketplace-service-providers/",
                 "/api/marketplace-provider-offerings/",
                 *(f"/api/maintenance-announcements/{ref}/" for ref in every),
                 *(f"/api/maintenance-announcements/{ref}/start_maintenance/" for ref in every)]
    for path in api_paths:
        method = "POST" if path.endswith("_maintenance/") else "GET"
        bodies.append(("read-only token", path, read_only.request(method, path)))
    bodies += [("anonymous", "/api/public-maintenance-announcements/", anonymous.head(
        "/api/public-maintenance-announcements/"))]
    return run, bodies


def secrets_in(text: str, secrets: list[str]) -> list[str]:
    return [secret for secret in secrets if secret in text]


def test_nothing_public_shows_an_internal_note_or_a_drafts_name(slack, scenario, figures):
    run, bodies = scenario
    secrets = run.draft_names + run.notes
    assert len(secrets) >= 12, secrets

    posted = [(f"#{m.channel} {m.ts}", json.dumps(version, ensure_ascii=False)) for m in slack.standin.messages
              if m.user is None for version in [*m.history, {"text": m.text, "blocks": m.blocks}]]
    homes = [(user, json.dumps([piece.text for piece in home], ensure_ascii=False))
             for user, home in published_homes(slack.standin, {READER, STORE})]
    replies = [("reader reply", reply) for reply in run.reader_replies]
    responses = [(f"{who} {path} {r.status_code}", r.text + json.dumps(dict(r.headers))) for who, path, r in bodies]
    scanned = posted + homes + replies + responses

    leaks = [(where, secrets_in(text, secrets)) for where, text in scanned if secrets_in(text, secrets)]
    figures["channel messages scanned (every version)"] += len(posted)
    figures["App Homes of non-managers scanned"] += len(homes)
    figures["reader replies scanned"] += len(replies)
    figures["public HTTP responses scanned"] += len(responses)
    figures["characters scanned for leaks"] += sum(len(text) for _, text in scanned)
    figures["leaks found"] += len(leaks)
    assert leaks == []
    assert all(r.status_code < 500 for _, _, r in bodies)

    # The scan looked where it matters: what should be public is there, in every kind of place …
    cards = " ".join(text for _, text in posted)
    for name in ("Router swap", "Kernel upgrade", "Storage move", "Network cutover", "Rolling reboot, in two waves."):
        assert name in cards, name
    for kind in ("Reminder", "was due to start", "was due to end", "started the maintenance",
                 "completed the maintenance", "cancelled the maintenance", "Withdrawn", "Maintenance, week of"):
        assert kind in cards, kind
    assert any(where.startswith(f"#{FOLLOWERS}") for where, _ in posted)
    assert len(posted) > 20 and len(homes) > 10 and len(responses) > 30
    feed = next(r for _, path, r in bodies if path == "/api/maintenance-calendar.ics")
    assert "Kernel upgrade" in feed.text and "Network cutover" in feed.text and "STATUS:CANCELLED" in feed.text
    assert "Database failover" in feed.text  # cancelled after withdrawal: struck out as last published
    # … and the secrets are real text the scan would find: the manager's own Home and replies show them.
    home = slack.open_home(MANAGER).content
    shown = slack.command(f"show {run.find('Leak draft renamed in the modal')[:8]}", user=MANAGER).text
    assert "Leak draft renamed in the modal" in home and "NOTE-modal-second" in shown
