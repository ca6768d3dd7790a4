"""The App Home tab: maintenance in progress now, upcoming published maintenance, the viewer's drafts.

Each viewer's Home is built from what *they* may see (`announcements.list(actor, …)`), so a reader's Home
shows published announcements only and never internal notes; a manager also sees their providers' drafts.
Homes are published on `app_home_opened` and republished after changes: the acting user's at once, and
every recent viewer's when notices are queued (a published announcement changed, whoever changed it).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.domain.lifecycle import next_steps
from bot.domain.listing import PRESETS
from bot.domain.service import Services
from bot.domain.views import AnnouncementView, Page
from bot.slack.cards import BUTTON_LABELS, PRIMARY, action_id, page_link
from bot.slack.executor import ListenerExecutor
from bot.slack.messages import announcement_line
from bot.slack.people import People
from bot.slack.responder import Responder
from bot.slack.text import clip, date_token, escape

NEW_ACTION = "maint.new"
#: How many items each section lists, by preset.
SECTION_SIZE = {"active": 10, "upcoming": 15, "drafts": 10}
RECENT_VIEWERS = 500
VIEWER_TTL = 24 * 3600.0
NOTICE_TTL = 60.0


def home_view(
    in_progress: Page[AnnouncementView],
    upcoming: Page[AnnouncementView],
    drafts: Page[AnnouncementView] | None,
    notice: str | None = None,
    *,
    updated=None,
    page: str | None = None,
) -> View:
    blocks: list[Block] = []
    if notice:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=clip(notice, 3000))))
        blocks.append(DividerBlock())
    blocks.append(HeaderBlock(text="🛠️ Maintenance"))
    blocks.append(
        ActionsBlock(
            block_id="home:new",
            elements=[ButtonElement(text="New announcement", action_id=NEW_ACTION, value="home", style="primary")],
        )
    )
    blocks += _section("🛠️ In progress now", in_progress, "/maint list active", "Nothing is in progress.", page)
    blocks += _section("🗓️ Upcoming", upcoming, "/maint list upcoming", "No maintenance is scheduled.", page)
    if drafts is not None:
        blocks += _section("📝 Your providers' drafts", drafts, "/maint list drafts", "No drafts.", page)
    if updated is not None:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f"Updated {date_token(updated)}")]))
    return View(type="home", blocks=blocks)


def _section(title: str, page: Page[AnnouncementView], command: str, empty: str,
             status_page: str | None = None) -> list[Block]:
    blocks: list[Block] = [DividerBlock(), SectionBlock(text=MarkdownTextObject(text=f"*{title}*"))]
    if not page.items:
        return [*blocks, ContextBlock(elements=[MarkdownTextObject(text=empty)])]
    for view in page.items:
        line = _line(view)
        if link := page_link(view, status_page):
            line += f" · <{link}|Status page>"
        blocks.append(SectionBlock(block_id=f"home:{view.uuid.hex}", text=MarkdownTextObject(text=line)))
        buttons = _buttons(view)
        if buttons:
            blocks.append(ActionsBlock(block_id=f"card:{view.uuid.hex}", elements=buttons))
    if page.count > len(page.items):
        more = f"…and {page.count - len(page.items)} more: `{command}`"
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
    return blocks


def _line(view: AnnouncementView) -> str:
    offerings = ", ".join(escape(clip(a.offering.name, 40)) for a in view.affected[:5])
    if len(view.affected) > 5:
        offerings += f" and {len(view.affected) - 5} more"
    return announcement_line(view) + (f"\n_Affects:_ {offerings}" if offerings else "")


def _buttons(view: AnnouncementView) -> list[ButtonElement]:
    """The viewer's safe next steps (`lifecycle.next_steps`): the step forward and Edit for a manager,
    nothing for anyone else. Destructive buttons stay on the card, behind their confirm dialogs."""
    return [
        ButtonElement(
            text=BUTTON_LABELS[verb],
            action_id=action_id(verb),
            value=view.uuid.hex,
            style="primary" if verb in PRIMARY else None,
        )
        for verb in next_steps(view.state, manager=view.can_manage)
    ]


class Homes:
    """Publishes App Homes; remembers who looked recently so their Home can be kept current."""

    def __init__(self, services: Services, responder: Responder, people: People,
                 executor: ListenerExecutor, page: str | None = None) -> None:
        self.services = services
        self.page = page  # the public page's address: each item links to its place on it
        self.responder = responder
        self.people = people
        self.executor = executor
        self._viewers: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()
        self._publishing = threading.Lock()
        self._refresh_pending = False
        self._notices: dict[str, tuple[str, float]] = {}

    def opened(self, user: str) -> None:
        with self._lock:
            self._notices.pop(user, None)
            self._viewers[user] = time.monotonic()
            self._viewers.move_to_end(user)
            while len(self._viewers) > RECENT_VIEWERS:
                self._viewers.popitem(last=False)
        self.publish(user)

    def publish(self, user: str, notice: str | None = None) -> None:
        """Build and publish `user`'s Home; a `notice` stays on top for a minute, across refreshes.

        Publishing is serialised, so the Home built last (from the newest data) is the one that stays.
        """
        with self._publishing:
            with self._lock:
                if notice is not None:
                    self._notices[user] = (notice, time.monotonic() + NOTICE_TTL)
                notice, until = self._notices.get(user, (None, 0.0))
                notice = notice if until > time.monotonic() else None
            view = self.build(user, notice).to_dict()
            self.responder.call(self.responder.client.views_publish, user_id=user, view=view)

    def build(self, user: str, notice: str | None = None) -> View:
        actor = self.people.actor_of(user)
        listing = self.services.announcements.list
        in_progress = listing(actor, PRESETS["active"].query(page_size=SECTION_SIZE["active"]))
        upcoming = listing(actor, PRESETS["upcoming"].query(page_size=SECTION_SIZE["upcoming"]))
        drafts = None
        if self.services.catalog.managed_providers(actor):
            drafts = listing(actor, PRESETS["drafts"].query(page_size=SECTION_SIZE["drafts"]))
        return home_view(in_progress, upcoming, drafts, notice, updated=self.services.context.clock.now(),
                         page=self.page)

    def refresh(self, user: str) -> None:
        """Republish `user`'s Home if they have looked at it lately."""
        if self._recent(user):
            self.publish(user)

    def refresh_all(self) -> None:
        """Republish every recent viewer's Home, once for any burst of changes."""
        with self._lock:
            if self._refresh_pending:
                return
            self._refresh_pending = True
        self.executor.submit(self._refresh_all)

    def _refresh_all(self) -> None:
        with self._lock:
            self._refresh_pending = False
            users = [user for user in self._viewers if self._recent_locked(user)]
        for user in users:
            self.publish(user)

    def _recent(self, user: str) -> bool:
        with self._lock:
            return self._recent_locked(user)

    def _recent_locked(self, user: str) -> bool:
        seen = self._viewers.get(user)
        return seen is not None and time.monotonic() - seen < VIEWER_TTL
