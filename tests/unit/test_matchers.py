"""Alertmanager matchers as admins type them: what is read, what is refused (and how it is said)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.matchers import Matcher, MatcherError, canonical, parse, render


def test_alertmanagers_own_examples_are_read_with_or_without_braces():
    assert parse('service="vm", cluster=~"a|b"') == (Matcher("service", "=", "vm"), Matcher("cluster", "=~", "a|b"))
    assert parse('{service="vm",cluster=~"a|b",}') == parse('service="vm", cluster=~"a|b"')
    spaced = parse('  { team = "db" , env !~ "dev|test" }  ')
    assert spaced == (Matcher("team", "=", "db"), Matcher("env", "!~", "dev|test"))
    assert parse(r'msg="say \"hi\"\\n", x!="y"')[0].value == 'say "hi"\\n'
    assert parse(r'msg="two\nlines"')[0].value == "two\nlines"


def test_the_api_shape_and_the_canonical_spelling():
    matchers = parse('a="1", b!="2", c=~"3", d!~"4"')
    assert [m.api() for m in matchers] == [
        {"name": "a", "value": "1", "isRegex": False, "isEqual": True},
        {"name": "b", "value": "2", "isRegex": False, "isEqual": False},
        {"name": "c", "value": "3", "isRegex": True, "isEqual": True},
        {"name": "d", "value": "4", "isRegex": True, "isEqual": False},
    ]
    assert [Matcher.from_api(m.api()) for m in matchers] == list(matchers)
    assert canonical('{ a = "1" }') == 'a="1"' and canonical("   ") == ""


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "at least one matcher"),
        ("{}", "at least one matcher"),
        ('service=vm', "must be in double quotes"),
        ('service="vm', "no closing quote"),
        ('service=="vm"', "must be in double quotes"),
        ('service~"vm"', "Expected =, !=, =~ or !~"),
        ('1service="vm"', "Expected a label name"),
        ('service="vm" team="x"', "Expected a comma"),
        ('{service="vm"', "needs a closing }"),
        ('service="vm"}', "needs an opening {"),
        ('service=~"(vm"', "not a valid regular expression"),
        ('service=~"(?=vm)"', "look-around"),
        (r'service="\q"', 'write \\" for a quote'),
        ('service!="vm"', "At least one matcher must need the label"),
        ('service=~".*"', "At least one matcher must need the label"),
        ('x="' + "a" * 1000 + '"', "at most 1000 characters"),
    ],
)
def test_what_alertmanager_would_refuse_is_refused_in_words(text, said):
    with pytest.raises(MatcherError) as refused:
        parse(text)
    assert said.lower() in str(refused.value).lower()


names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True)
values = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20)
plain = st.builds(Matcher, names, st.sampled_from(["=", "!="]), values)


@given(st.lists(plain, min_size=1, max_size=5))
def test_what_is_rendered_reads_back_the_same(matchers):
    matchers = tuple(matchers)
    if all(m.matches("") for m in matchers):
        with pytest.raises(MatcherError):
            parse(render(matchers))
        return
    assert parse(render(matchers)) == matchers
    assert canonical(render(matchers)) == render(matchers)


@given(st.text(max_size=60))
def test_any_text_is_read_or_refused_with_words_never_another_error(text):
    try:
        parse(text)
    except MatcherError as error:
        assert str(error)
