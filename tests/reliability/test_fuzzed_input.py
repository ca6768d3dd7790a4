"""Fuzzed input: generated `/maint` texts, modal submissions and button presses, through the real app.

Every answer is a usage or validation message, a refusal or a correct result: never a 5xx, never a
traceback or "something went wrong", never an error in the log. The database changes only when the reply
says something was done, and only for someone who may do it; refused input changes nothing. Texts go
over HTTP on loopback (a few hundred) and, many more, straight into the same Bolt app through its
`dispatch` (the path `maintbot console` uses: the same signature check, middleware and listeners).
"""

from __future__ import annotations

import json
import logging
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from bot.console import simulator
from bot.domain.actors import Actor
from bot.domain.enums import Interface, State
from bot.domain.errors import DomainError
from bot.slack.catalog import PROVIDER_OPTIONS
from bot.slack.commands import SUBCOMMANDS
from bot.slack.reading import LIST_OPTIONS
from tests.conftest import ADMIN_ID
from tests.factories import announce
from tests.reliability.helpers import dispatch, fingerprint

SQLITE = pytest.mark.parametrize("db", ["sqlite"], indirect=True)
BOTH = pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)
READER, MANAGER, STORE = "UREADER001", "UCLOUDMGR1", "USTOREMGR1"
CHANNEL = "CCLOUD0001"
FUZZ = settings(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])
UNEXPECTED = ("Traceback", "💥", "Something went wrong", "Exception", "Internal Server Error")
#: How a reply says something was done; only such replies may come with a change in the database.
DONE = ("📣 Published", "↩️ Withdrew", "🛠️ Started", "✅ Completed", "🚫 Cancelled", "🗑️ Deleted", "✅ Added",
        "✅ Updated", "🔁 Notice", "⏱️ Extended", "📣 Posted an update", "⏭️ Skipped", "⏹️ Ended")
SUBSCRIBED = ("subscribed this channel", "unsubscribed this channel")
#: A question before a change (`/maint delete`, a publish of an ended window, an early start): the handler was
#: reached and said what it would do; the change waits for the go-ahead.
ASKED = ("for good?", "Publish anyway?", "Start now anyway?")


def reached(reply: str) -> bool:
    return reply.startswith(DONE) or any(question in reply for question in ASKED)


# -- the world the fuzz runs in --------------------------------------------------------------------------


@pytest.fixture
def ground(slack, services, world, cloud_manager, storage_manager):
    """Announcements of both providers in every state, and the secrets a reader must never be shown."""
    made = [announce(services, cloud_manager, state, name=f"Cloud {state.label} ({'abcd'[copy]})",
                     internal_notes=f"cloud-note-{n}-{copy}") for copy in range(4) for n, state in enumerate(State)]
    made += [announce(services, storage_manager, state, name=f"Storage {state.label} ({'ab'[copy]})",
                      provider="Storage", internal_notes=f"storage-note-{n}-{copy}")
             for copy in range(2) for n, state in enumerate(State)]
    made.append(announce(services, cloud_manager, name="Hidden plan zebra", internal_notes="zebra-note"))
    slack.deliver()
    return {"announcements": made, "secrets": lambda: secrets(services.context.db)}


def secrets(db) -> list[str]:
    """What a reader must never be shown: internal notes, and the names of announcements never published
    (as the fuzz goes on, managers publish some: their names are public from then on)."""
    query = text(
        "SELECT name FROM announcements a WHERE NOT EXISTS (SELECT 1 FROM events e "
        "WHERE e.announcement_uuid = a.uuid AND e.action = 'scheduled') "
        "UNION SELECT internal_notes FROM announcements WHERE internal_notes <> ''"
    )
    with db.engine.connect() as connection:
        return list(connection.scalars(query))


@pytest.fixture
def errors_logged(caplog):
    """Errors anyone logged while the test ran (listeners, follow-ups after the ack, Bolt itself)."""
    caplog.set_level(logging.ERROR)
    return lambda: [record for record in caplog.records if record.levelno >= logging.ERROR]


def references(made) -> st.SearchStrategy[str]:
    real = [view.short_id for view in made] + [view.uuid.hex for view in made] + [str(made[0].uuid)]
    return st.one_of(
        st.sampled_from(real),
        st.sampled_from([r.upper() for r in real[:4]] + [r[:5] for r in real[:4]] + ["000000", "ffffff" * 6]),
        st.text("0123456789abcdef-", min_size=6, max_size=40),
    )


# -- /maint texts ----------------------------------------------------------------------------------------

MENTIONS = ["<@UCLOUDMGR1|ann>", "<@UREADER001>", "<#CCLOUD0001|cloud>", "<#CSTORE0001>", "<!subteam^SCLOUDOPS1|@ops>",
            "<!channel>", "<!here>", "<!everyone>", "<@>", "<#|x>", "<!date^1^{date}|y>", "<https://evil.example|x>",
            "<@U1|a|b>", "<", ">", "&lt;@U1&gt;"]
VALUES = [
    "draft", "scheduled", "in_progress", "In progress", "completed", "cancelled", "bogus", "emergency", "2", "9",
    "Cloud", "Storage", "cloud", "Cloud/VMs", "2026-11-03", "2026-11-03T22:00", "2026-11-03 22:00+02:00",
    "2026-13-45", "31/12/2026", "-1", "0", "1", "99999999999999999999", "overrun,late_start", "on_time,bogus",
    "yes", "no", "maybe", "72h,1h", "0m", "9999999d", "99999999999d", ",".join(["1m"] * 40), "C" + "1" * 40,
    "-name", "overrun_minutes", "sort", "", ",", "@U123", "C1,C2", "U1 U2",
]


def fuzzed_texts(made) -> st.SearchStrategy[str]:
    subcommand = st.one_of(
        st.sampled_from(sorted(SUBCOMMANDS)),
        st.sampled_from(["", "HELP", "Show", "LIST", "frobnicate", "list ", "provider add", "provider set",
                         "offering add", "admin provider add", "admin outbox", "admin outbox retry", "new from",
                         "stats 2026-01-01", "list upcoming", "list drafts", "list mine", "list all"]),
    )
    key = st.sampled_from(sorted(LIST_OPTIONS | set(PROVIDER_OPTIONS) | {"x", "STATE", "Page", "o"}))
    value = st.one_of(st.sampled_from(VALUES), references(made), st.text(max_size=20))
    huge = st.builds(lambda char, count: char * count, st.characters(), st.integers(500, 6000))
    word = st.one_of(
        references(made),
        st.builds(lambda k, v: f"{k}={v}", key, value),
        st.builds(lambda k, v: f'{k}="{v}"', key, value),
        st.sampled_from(MENTIONS),
        st.sampled_from(VALUES),
        st.text(max_size=30),
        huge,
        st.sampled_from(["\x00", "a\x00b", "state=\x00", "provider=Cloud\x00", "\u202e", "\ufeff", "🛠️", "e\u0301"]),
        st.sampled_from(['"', "'", "“", "”", '"unclosed', "'two words'", '"Cloud"', "\\", "=", "==", "a=b=c"]),
    )
    separator = st.sampled_from([" ", "  ", "\t", "\n", "\u00a0", "\u3000"])
    built = st.builds(lambda sub, words, sep: sep.join([sub, *words]), subcommand, st.lists(word, max_size=6),
                      separator)
    verb = st.sampled_from(["show", "history", "edit", "schedule", "unschedule", "start", "complete", "cancel",
                            "delete", "Start", "show"])
    on_one = st.builds(lambda v, ref: f"{v} {ref}", verb, references(made))
    on_real = st.builds(lambda v, view: f"{v} {view.short_id}", verb, st.sampled_from(made))
    return st.one_of(built, on_one, on_real, on_real, st.text(max_size=200))


def check_command(services, user: str, typed: str, status: int, body: str, before: dict, hidden) -> str:
    """The invariants of one /maint answer; returns the answer's text."""
    assert status == 200, (status, body[:300])
    ack = json.loads(body) if body else {}
    shown = json.dumps(ack, ensure_ascii=False)
    assert not any(word in shown for word in UNEXPECTED), shown[:500]
    reply = ack.get("text", "")
    if not body:  # new/edit: the modal (or why not) comes right after the ack
        assert typed.split(maxsplit=1)[0].lower() in ("new", "edit"), typed
    else:
        assert reply.strip(), body[:300]
    after = fingerprint(services.context.db)
    if after != before:
        assert reply.startswith(DONE) or any(done in reply for done in SUBSCRIBED), (typed, reply[:300])
        if user == READER:
            changed = {name for name in after if after[name] != before[name]}
            assert changed <= {"subscriptions", "events"}, (typed, changed)
    if user == READER:
        leaked = [secret for secret in hidden() if secret in shown]
        assert leaked == [], (typed, leaked)
    return reply


ACTORS = st.sampled_from([READER, READER, READER, STORE, MANAGER, ADMIN_ID])


@SQLITE
def test_fuzzed_commands_over_http(slack, services, ground, errors_logged, figures):
    tried = []

    @settings(FUZZ, max_examples=400)
    @given(typed=fuzzed_texts(ground["announcements"]), user=ACTORS)
    def answer(typed, user):
        before = fingerprint(services.context.db)
        reply = slack.command(typed, user=user)
        tried.append(check_command(services, user, typed, reply.status, reply.body, before, ground["secrets"]))
        assert not any(word in seen.content for seen in reply.seen for word in UNEXPECTED)

    answer()
    figures["fuzzed /maint texts over HTTP"] += len(tried)
    figures["fuzzed /maint texts that did something"] += sum(reply.startswith(DONE) for reply in tried)
    assert errors_logged() == []


@BOTH
def test_fuzzed_commands_in_process(slack, slack_app, services, ground, errors_logged, figures, db):
    tried = []

    @settings(FUZZ, max_examples=2500 if db.dialect == "sqlite" else 1000)
    @given(typed=fuzzed_texts(ground["announcements"]), user=ACTORS)
    def answer(typed, user):
        before = fingerprint(services.context.db)
        body = simulator.slash_command(user, CHANNEL, typed, slack.standin.response_url())
        status, answered = dispatch(slack_app, body)
        tried.append(check_command(services, user, typed, status, answered, before, ground["secrets"]))

    answer()
    figures["fuzzed /maint texts in process"] += len(tried)
    figures["fuzzed /maint texts that did something"] += sum(reply.startswith(DONE) for reply in tried)
    assert sum(map(reached, tried)) > 10  # the fuzz reaches real changes (or their questions), not only refusals
    assert errors_logged() == []
    assert not any(word in json.dumps(r, ensure_ascii=False) for r in slack.standin.responses for word in UNEXPECTED)

HARD = [
    "provider add Evil\x00Name channel=C0EVIL001", "provider add Long channel=C" + "1" * 40,
    "provider set Cloud reminders=" + ",".join(["1m"] * 40), "provider set Cloud reminders=99999999999d",
    "provider set Cloud managers=U" + "1" * 40, "provider set Cloud name=\x00", "offering add Cloud/A\x00B",
    "list provider=Cloud\x00", "subscribe \x00", "unsubscribe VMs\x00", "new from \x00", "offerings \x00",
    "stats 2026-01-01 2026-01-02 provider=\x00", "show " + "a" * 10000, "list page=99999999999999999999",
    "list page=" + "9" * 5000, "list start_after=9999-12-31T23:59", "list start_after=0001-01-01",
    "list end_before=0001-01-01T00:00+14:00", "stats 0001-01-01 9999-12-31", "stats 9999-12-31",
    "list sort=-", "list sort=,,", "list o=--name", "list timing=", "list state=", "list type=0",
    "admin outbox retry 99999999999999999999", "admin outbox retry " + "9" * 5000, "history 000000",
    "show " + "f" * 32, "show " + "-" * 36, "schedule \x00", "help \x00", "templates \x00", "list by=\x00",
]


@BOTH
def test_known_hard_texts_are_answered_without_error(slack, slack_app, services, ground, errors_logged, figures):
    for user in (READER, MANAGER, ADMIN_ID):
        for typed in HARD:
            before = fingerprint(services.context.db)
            body = simulator.slash_command(user, CHANNEL, typed, slack.standin.response_url())
            status, answered = dispatch(slack_app, body)
            check_command(services, user, typed, status, answered, before, ground["secrets"])
    figures["fuzzed /maint texts in process"] += 3 * len(HARD)
    assert errors_logged() == []


# -- modal submissions -----------------------------------------------------------------------------------

TEXTS = st.one_of(
    st.sampled_from(["Fuzzed window", "  ", "", "x" * 151, "a\x00b", "<!channel> *bold*", "🛠️" * 80]),
    st.text(max_size=60),
    st.builds(lambda char, count: char * count, st.characters(), st.integers(100, 3000)),
)


def tampered_values(made) -> st.SearchStrategy[str | None]:
    """Option values a modal never offered: other providers' and announcements' ids, junk, wrong types."""
    ids = [view.uuid.hex for view in made] + [view.provider_uuid.hex for view in made] + [uuid.uuid4().hex]
    return st.one_of(st.sampled_from(ids), st.sampled_from(["0", "9", "-1", "1e3", "", "Cloud", "Storage"]),
                     st.text(max_size=40), st.none(), st.integers(), st.lists(st.integers(), max_size=2))


def element_states(element: dict, made) -> st.SearchStrategy[dict]:
    """A state Slack could be made to send for one element: a real answer, or something it never offered."""
    kind = element["type"]
    options = simulator._options(element)
    junk = tampered_values(made)
    if kind == "plain_text_input":
        return st.builds(lambda value: {"type": kind, "value": value}, st.one_of(TEXTS, st.none(), st.integers()))
    if kind == "static_select":
        option = st.one_of(st.sampled_from(options), st.builds(lambda v: {"value": v}, junk), st.none(),
                           st.just({}), st.just("x"))
        return st.builds(lambda chosen: {"type": kind, "selected_option": chosen}, option)
    if kind == "multi_static_select":
        option = st.one_of(st.sampled_from(options), st.builds(lambda v: {"value": v}, junk))
        return st.builds(lambda chosen: {"type": kind, "selected_options": chosen},
                         st.one_of(st.lists(option, max_size=4), st.none(), st.just("x")))
    moment = st.one_of(st.integers(1_700_000_000, 1_900_000_000), st.integers(-10**15, 10**15), st.none(),
                       st.text(max_size=12), st.floats(allow_nan=True), st.just(True))
    return st.builds(lambda stamp: {"type": kind, "selected_date_time": stamp}, moment)


def submissions(modal: dict, made) -> st.SearchStrategy[dict]:
    """`state.values` of a submitted modal: as shown (a name typed in), with up to four fields fuzzed or left out."""
    shown = simulator.fill(modal, {"name": "Fuzzed window"})
    fuzzed = {}
    for block in simulator.input_blocks(modal):
        element = block["element"]
        fuzzed[block["block_id"]] = st.one_of(
            st.builds(lambda state, action=element["action_id"]: {action: state}, element_states(element, made)),
            st.just(None))

    def apply(changes: dict) -> dict:
        values = {**shown, **changes}
        return {block_id: value for block_id, value in values.items() if value is not None}

    chosen = st.lists(st.sampled_from(sorted(fuzzed)), max_size=4, unique=True)
    return chosen.flatmap(lambda names: st.fixed_dictionaries({name: fuzzed[name] for name in names})).map(apply)


def metadata(made, edit_meta: str, new_meta: str) -> st.SearchStrategy[str]:
    others = [json.dumps({**json.loads(edit_meta), "uuid": view.uuid.hex}) for view in made]
    return st.one_of(
        st.just(new_meta), st.just(edit_meta), st.sampled_from(others),
        st.sampled_from(['{"mode": "edit"}', '{"mode": "edit", "uuid": 5}', '{"mode": "edit", "uuid": null}',
                         '{"mode": "edit", "uuid": "' + "0" * 32 + '", "shown": "x"}', '{"mode": "new", "channel": 5}',
                         '{"mode": "edit", "uuid": "' + made[0].uuid.hex + '", "shown": {"i": "x", "d": []}}',
                         "[]", "5", "null", '"text"', "{", "", "x" * 3000]),
        st.text(max_size=50),
    )


def manages(services, user: str, reference) -> bool:
    try:
        return services.announcements.get(Actor(user, Interface.SLACK), str(reference)).can_manage
    except DomainError:
        return False


@SQLITE
def test_fuzzed_modal_submissions(slack, slack_app, services, ground, errors_logged, figures):
    made = ground["announcements"]
    slack.command("new", user=MANAGER)
    new_modal = slack.modal()
    slack.command(f"edit {made[0].short_id}", user=MANAGER)
    edit_modal = slack.modal()
    block_ids = {block["block_id"] for block in simulator.input_blocks(new_modal)}
    tried = []

    # Each modal's strategy is built once: building it inside the draw cost more than the submission itself.
    either_modal = st.one_of(*(st.tuples(st.just(modal), submissions(modal, made))
                               for modal in (new_modal, edit_modal)))

    @settings(FUZZ, max_examples=600)
    @given(submitted=either_modal,
           meta=metadata(made, edit_modal["private_metadata"], new_modal["private_metadata"]),
           user=st.sampled_from([READER, STORE, MANAGER, MANAGER]))
    def submit(submitted, meta, user):
        modal, values = submitted
        before = fingerprint(services.context.db)
        last_event = before["events"]
        body = simulator.view_submission(user, {**modal, "private_metadata": meta}, values)
        status, answered = dispatch(slack_app, body)
        assert status == 200, (status, answered[:300])
        ack = json.loads(answered) if answered else None
        after = fingerprint(services.context.db)
        if ack is not None:
            assert ack["response_action"] == "errors" and ack["errors"], ack
            assert set(ack["errors"]) <= block_ids, ack
            assert all(0 < len(message) <= 150 for message in ack["errors"].values()), ack
            assert not any(word in answered for word in UNEXPECTED), answered
            assert after == before, ack  # refused: nothing changed
        tried.append(ack is None)
        if ack is None and after != before:  # saved: only by someone who manages what was saved
            with services.context.db.engine.connect() as connection:
                changed = connection.execute(text("SELECT actor, announcement_uuid FROM events WHERE id > :id"),
                                             {"id": last_event}).all()
            assert changed and all(actor == user and manages(services, user, uuid) for actor, uuid in changed), changed

    submit()
    figures["fuzzed modal submissions"] += len(tried)
    figures["fuzzed modal submissions saved"] += sum(tried)
    assert 0 < sum(tried) < len(tried)
    assert errors_logged() == []
    shown = [json.dumps(r, ensure_ascii=False) for r in slack.standin.responses]
    shown += [json.dumps(call.args, ensure_ascii=False) for call in slack.standin.calls_to("chat.postEphemeral")]
    assert not any(word in item for item in shown for word in UNEXPECTED)


# -- button presses --------------------------------------------------------------------------------------

VERBS = ["schedule", "unschedule", "start", "complete", "cancel", "delete", "edit", "extend30", "extend60"]


def button_values(made) -> st.SearchStrategy[str | None]:
    real = [view.uuid.hex for view in made] + [view.short_id for view in made]
    return st.one_of(st.sampled_from(real), st.builds(lambda ref, tail: f"{ref}:{tail}", st.sampled_from(real),
                                                      st.text(max_size=10)),
                     st.sampled_from(["", "0" * 32, "zzzzzz", "\x00", "x" * 2000, str(uuid.uuid4())]),
                     st.text(max_size=40), st.none())


PAGER_VALUES = st.one_of(
    st.builds(lambda q, p: json.dumps({"q": q, "p": p}), st.one_of(st.sampled_from(["", "drafts", "upcoming",
                                                                                     "state=draft", "by=\x00"]),
                                                                   st.text(max_size=30)),
              st.one_of(st.integers(-5, 10**12), st.text(max_size=5), st.none(), st.floats(allow_nan=False))),
    st.sampled_from(["[]", "5", "null", '"q"', "{", "", '{"q": {"a": 1}, "p": [1]}', '{"p": "9" }']),
    st.text(max_size=40), st.none(),
)


@SQLITE
def test_fuzzed_button_presses(slack, slack_app, services, ground, errors_logged, figures):
    made = ground["announcements"]
    card = slack.card_in(CHANNEL)
    home = {"type": "home", "id": "VHOME0001", "blocks": []}
    tried = []

    @settings(FUZZ, max_examples=600)
    @given(action=st.one_of(st.sampled_from([f"maint.{verb}" for verb in VERBS]),
                            st.sampled_from(["maint.page.1", "maint.page.2", "maint.new"])),
           card_value=button_values(made), pager_value=PAGER_VALUES,
           where=st.sampled_from(["channel", "ephemeral", "home"]), user=st.sampled_from([READER, STORE, MANAGER]),
           own_block=st.booleans())
    def press(action, card_value, pager_value, where, user, own_block):
        value = pager_value if action.startswith("maint.page") else card_value
        button = {"action_id": action, "value": value, "text": {"type": "plain_text", "text": "Press"}}
        block_id = f"card:{value}" if own_block else simulator.buttons(card.blocks)[0].block_id
        may = manages(services, user, (value or "").split(":", 1)[0]) if action.removeprefix("maint.") in VERBS else 0
        before, calls = fingerprint(services.context.db), len(slack.standin.calls)
        if where == "home":
            body = simulator.block_actions(user, button, block_id=block_id, view=home)
        else:
            body = simulator.block_actions(user, button, block_id=block_id, channel=CHANNEL,
                                           ephemeral=where != "channel", message_ts=card.ts,
                                           message={"ts": card.ts, "text": card.text, "blocks": card.blocks},
                                           response_url=slack.standin.response_url())
        status, answered = dispatch(slack_app, body)
        assert (status, answered) == (200, "")
        after = fingerprint(services.context.db)
        tried.append(after != before)
        if after != before:
            assert may, (user, action, value)
        made_calls = slack.standin.calls[calls:]
        assert [c.method for c in made_calls if c.method == "chat.postMessage"] == []  # listeners never post
        assert all(c.args.get("user") == user for c in made_calls if c.method == "chat.postEphemeral")
        if after == before:  # a refused press shows something to the presser only
            assert all(c.args.get("user_id") == user for c in made_calls if c.method == "views.publish")
        in_channel = " ".join(json.dumps(c.args, ensure_ascii=False) for c in made_calls if c.method == "chat.update")
        assert [secret for secret in ground["secrets"]() if secret in in_channel] == []

    press()
    figures["fuzzed button presses"] += len(tried)
    figures["fuzzed button presses that changed something"] += sum(tried)
    assert 0 < sum(tried) < len(tried)
    assert errors_logged() == []
    shown = [json.dumps(r, ensure_ascii=False) for r in slack.standin.responses]
    shown += [json.dumps(call.args, ensure_ascii=False) for call in slack.standin.calls
              if call.method in ("chat.postEphemeral", "views.publish", "chat.update")]
    assert not any(word in item for item in shown for word in UNEXPECTED)


@SQLITE
def test_a_button_made_to_name_another_providers_draft_changes_and_shows_nothing(slack, services, ground):
    """A Storage manager presses Start on Cloud's channel card, its value swapped for Storage's draft."""
    storage_draft = next(v for v in ground["announcements"] if v.name == "Storage Draft (a)")
    card = next(post for post in slack.posts(CHANNEL) if "Cloud Scheduled (a)" in post.content)
    tampered = [{**block, "elements": [{**element, "value": storage_draft.uuid.hex} for element in block["elements"]]}
                if block.get("type") == "actions" else block for block in card.blocks]
    before = fingerprint(services.context.db)

    reply = slack.press(type(card)(card.text, tampered, channel=CHANNEL, ts=card.ts), "Start", user=STORE)

    assert fingerprint(services.context.db) == before
    assert "Nothing changed" in reply.text and all(seen.user == STORE for seen in reply.seen)
    assert "Storage Draft (a)" not in json.dumps([m.blocks for m in slack.standin.messages if m.user is None])
    assert [post.content for post in slack.posts(CHANNEL) if post.ts == card.ts] == [card.content]
