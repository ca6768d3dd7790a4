"""What the API's fast paths must not change: a revoked token stops working (at once through the same process, within
CACHE_SECONDS through another), and a list's count is the number of announcements its reader can page through."""

from __future__ import annotations

import pytest

from bot.domain.enums import State
from bot.domain.listing import ListQuery
from bot.domain.service import build_services
from bot.domain.tokens import CACHE_SECONDS, Tokens
from tests.factories import announce


def test_a_token_revoked_by_another_process_is_refused_within_the_trust_period(services, world, admin, clock):
    moments = [100.0]
    server = Tokens(services.context, timer=lambda: moments[0])  # a running server's token service
    issued = services.tokens.create(admin, "admin", name="ci")
    assert server.authenticate(issued.secret) is not None

    elsewhere = build_services(services.context.db, clock, admins=services.context.admins)  # the CLI, say
    elsewhere.tokens.revoke(admin, issued.token.uuid)
    moments[0] += CACHE_SECONDS

    assert server.authenticate(issued.secret) is None


def test_a_token_revoked_through_the_same_process_is_refused_at_once(services, world, admin):
    issued = services.tokens.create(admin, "read_only", name="ci")
    assert services.tokens.authenticate(issued.secret) is not None

    services.tokens.revoke(admin, issued.token.uuid)

    assert services.tokens.authenticate(issued.secret) is None


@pytest.mark.parametrize(("role", "provider"), [("admin", None), ("provider", "Cloud"), ("read_only", None)])
def test_a_tokens_count_is_what_it_can_page_through(services, world, admin, cloud_manager, storage_manager,
                                                     role, provider):
    for state in State:
        for copy in range(2):
            announce(services, cloud_manager, state, name=f"Cloud {state.label} {copy}")
            announce(services, storage_manager, state, provider="Storage", name=f"Storage {state.label} {copy}")
    reader = services.tokens.authenticate(services.tokens.create(admin, role, provider=provider, name="ci").secret)
    drafts = ListQuery(states=[State.DRAFT, State.SCHEDULED], page_size=3)

    for query in (ListQuery(page_size=3), drafts):
        first = services.announcements.list(reader, query)
        seen = [item for number in range(1, first.pages + 1)
                for item in services.announcements.list(reader, ListQuery(**{**vars(query), "page": number})).items]
        assert first.count == len(seen) == len({item.uuid for item in seen})
        assert services.announcements.count(reader, query) == first.count
    expected = {"admin": 20, "provider": 10 + 6, "read_only": 12}[role]  # Cloud's all; Storage's published
    assert services.announcements.count(reader) == expected
