"""Alertmanager label matchers, in Alertmanager's own syntax: what an offering's silences match.

    service="vm", cluster=~"a|b"          {service="vm"}          team!="db", env!~"dev|test"

Pure functions. `parse` reads what an admin typed and refuses anything Alertmanager would refuse, with a
sentence saying what is wrong and where; `Matcher.api` is the shape of Alertmanager's v2 API; `render`
writes the canonical spelling that is stored and shown (parse(render(m)) == m).

Rules (Alertmanager's, stated once here):
- a matcher is `name OP "value"` with OP one of `=`, `!=`, `=~`, `!~`; matchers are separated by commas,
  optionally wrapped in one pair of braces; a trailing comma is allowed;
- a name is a Prometheus label name (`[A-Za-z_][A-Za-z0-9_]*`);
- a value is double-quoted, with `\\"`, `\\\\` and `\\n` as escapes; a regex value (=~, !~) must compile and is
  anchored by Alertmanager (RE2: no look-around, no back-references);
- a silence needs at least one matcher that does not match the empty label (Alertmanager refuses a silence
  whose every matcher would match alerts without that label).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

MAX_LENGTH = 1000
OPERATORS = ("=~", "!~", "!=", "=")  # longest first, for reading
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
ESCAPES = {'"': '"', "\\": "\\", "n": "\n"}
#: Python regex features RE2 (Alertmanager's engine) does not have.
NOT_RE2 = re.compile(r"\(\?[=!<]|\(\?P=|\\[1-9]")


class MatcherError(ValueError):
    """What is wrong with matchers an admin typed, in words for them."""


@dataclass(frozen=True)
class Matcher:
    name: str
    operator: str
    value: str

    @property
    def is_regex(self) -> bool:
        return self.operator in ("=~", "!~")

    @property
    def is_equal(self) -> bool:
        return self.operator in ("=", "=~")

    def matches(self, label: str) -> bool:
        """Whether an alert whose label `name` is `label` ("" when absent) is matched."""
        hit = re.fullmatch(self.value, label) is not None if self.is_regex else self.value == label
        return hit if self.is_equal else not hit

    def api(self) -> dict[str, Any]:
        """As Alertmanager's v2 API writes a matcher."""
        return {"name": self.name, "value": self.value, "isRegex": self.is_regex, "isEqual": self.is_equal}

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> Matcher:
        regex, equal = bool(data.get("isRegex")), data.get("isEqual", True) is not False
        operator = {(False, True): "=", (False, False): "!=", (True, True): "=~", (True, False): "!~"}[regex, equal]
        return cls(str(data.get("name", "")), operator, str(data.get("value", "")))

    def __str__(self) -> str:
        return f"{self.name}{self.operator}{quote(self.value)}"


def quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def render(matchers: tuple[Matcher, ...]) -> str:
    """The canonical spelling: `name="value", other=~"a|b"`."""
    return ", ".join(str(m) for m in matchers)


def parse(text: str) -> tuple[Matcher, ...]:
    """Read matchers in Alertmanager's syntax; MatcherError says what is wrong (and where)."""
    if len(text) > MAX_LENGTH:
        raise MatcherError(f"Matchers are at most {MAX_LENGTH} characters.")
    body = text.strip()
    if body.startswith("{"):
        if not body.endswith("}"):
            raise MatcherError("An opening { needs a closing } at the end.")
        body = body[1:-1]
    elif body.endswith("}"):
        raise MatcherError("A closing } needs an opening { at the start.")
    matchers: list[Matcher] = []
    at = _skip(body, 0)
    while at < len(body):
        matcher, at = _matcher(body, at)
        matchers.append(matcher)
        at = _skip(body, at)
        if at < len(body):
            if body[at] != ",":
                raise MatcherError(f"Expected a comma between matchers at “{_near(body, at)}”.")
            at = _skip(body, at + 1)
    if not matchers:
        raise MatcherError('Give at least one matcher, like service="vm".')
    if all(m.matches("") for m in matchers):
        raise MatcherError(
            'At least one matcher must need the label to be there (like service="vm"): '
            "Alertmanager refuses a silence whose every matcher also matches alerts without that label."
        )
    return tuple(matchers)


def canonical(text: str) -> str:
    """What is stored for what an admin typed: "" clears; anything else is parsed and written canonically."""
    return "" if not text.strip() else render(parse(text))


def _skip(text: str, at: int) -> int:
    while at < len(text) and text[at].isspace():
        at += 1
    return at


def _near(text: str, at: int) -> str:
    return text[at : at + 20] or "the end"


def _matcher(text: str, at: int) -> tuple[Matcher, int]:
    name = NAME.match(text, at)
    if name is None:
        raise MatcherError(f"Expected a label name (letters, digits, _) at “{_near(text, at)}”.")
    at = _skip(text, name.end())
    operator = next((op for op in OPERATORS if text.startswith(op, at)), None)
    if operator is None:
        raise MatcherError(f"Expected =, !=, =~ or !~ after {name.group()} at “{_near(text, at)}”.")
    at = _skip(text, at + len(operator))
    if at >= len(text) or text[at] != '"':
        raise MatcherError(f'The value of {name.group()} must be in double quotes, like {name.group()}="vm".')
    value, at = _quoted(text, at + 1, name.group())
    matcher = Matcher(name.group(), operator, value)
    if matcher.is_regex:
        _check_regex(matcher)
    return matcher, at


def _quoted(text: str, at: int, name: str) -> tuple[str, int]:
    chars: list[str] = []
    while at < len(text):
        char = text[at]
        if char == '"':
            return "".join(chars), at + 1
        if char == "\\":
            escaped = text[at + 1 : at + 2]
            if escaped not in ESCAPES:
                raise MatcherError(
                    f'In the value of {name}, write \\" for a quote, \\\\ for a backslash, \\n for a new line.'
                )
            chars.append(ESCAPES[escaped])
            at += 2
            continue
        if char == "\n":
            raise MatcherError(f"The value of {name} has a line break: write \\n.")
        chars.append(char)
        at += 1
    raise MatcherError(f"The value of {name} has no closing quote.")


def _check_regex(matcher: Matcher) -> None:
    if NOT_RE2.search(matcher.value):
        raise MatcherError(
            f"The pattern of {matcher.name} uses look-around or back-references, which Alertmanager does not have."
        )
    try:
        re.compile(matcher.value)
    except re.error as error:
        raise MatcherError(f"The pattern of {matcher.name} is not a valid regular expression: {error}.") from None
