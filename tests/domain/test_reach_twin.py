"""Who sees what: the SQL conditions lists are filtered by give the same answers as the decisions in `Reach`."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.domain.actors import Reach
from bot.domain.enums import Action, State
from storage.models import Announcement, Provider
from tests.conftest import NOW

PATHS = {
    State.DRAFT: [],
    State.SCHEDULED: [Action.SCHEDULE],
    State.IN_PROGRESS: [Action.SCHEDULE, Action.START],
    State.COMPLETED: [Action.SCHEDULE, Action.START, Action.COMPLETE],
    State.CANCELLED: [Action.CANCEL],
}


def test_visible_announcements_in_sql_is_may_see(services, db, world, admin):
    for provider in ("Cloud", "Storage"):
        for state, path in PATHS.items():
            made = services.announcements.create(admin, {
                "name": f"{provider} {state.label}", "provider": provider,
                "scheduled_start": NOW + timedelta(days=1), "scheduled_end": NOW + timedelta(days=1, hours=1)})
            for action in path:
                services.announcements.transition(admin, made.uuid, action)
    with db.transaction(writes=False) as transaction:
        session = transaction.session
        cloud = session.scalar(select(Provider.id).where(Provider.name == "Cloud"))
        rows = session.execute(select(Announcement.id, Announcement.state, Announcement.provider_id)).all()
        for reach in (Reach(None), Reach({cloud}), Reach(set())):
            in_sql = set(session.scalars(select(Announcement.id).where(reach.visible_announcements())))
            decided = {row.id for row in rows if reach.may_see(State(row.state), row.provider_id)}
            assert in_sql == decided
