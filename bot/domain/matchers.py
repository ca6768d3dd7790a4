"""Alertmanager label matchers, in Alertmanager's own syntax: what an offering's silences match.

    service="vm", cluster=~"a|b"          {service="vm"}          team!="db", env!~"dev|test"

Pure functions. `parse` reads what an admin typed and refuses anything Alertmanager would refuse, with a
sentence saying what is wrong and where; `Matcher.api` is the shape of Alertmanager's v2 API; `render`
writes the canonical spelling that is stored and shown (parse(render(m)) == m).

Rules (Alertmanager's, stated once here):
- a matcher is `name OP "value"` with OP one of `=`, `!=`, `=~`, `!~`; matchers are separated by commas,
  optionally wrapped in one pair of braces; a trailing comma is allowed;
- a name is a Prometheus label name (`[A-Za-z_][A-Za-z0-9_]*`);
- a value is double-quoted, with `\\"`, `\\\\` and `\\n` as escapes; a regex value (=~, !~) is anchored by
  Alertmanager and must be valid RE2 (`python_pattern`: Python-only syntax refused by name, repeats at most 1000
  also when nested, RE2's `\\p{…}`, `\\x{…}`, `\\z`, `\\Q…\\E` translated), then compile;
- a silence needs at least one matcher that does not match the empty label (Alertmanager refuses a silence
  whose every matcher would match alerts without that label).
"""

from __future__ import annotations

import functools
import re
import warnings
from dataclasses import dataclass
from typing import Any

MAX_LENGTH = 1000
OPERATORS = ("=~", "!~", "!=", "=")  # longest first, for reading
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
ESCAPES = {'"': '"', "\\": "\\", "n": "\n"}


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
        if self.is_regex:
            hit = _compiled(python_pattern(self.value, self.name)).fullmatch(label) is not None
        else:
            hit = self.value == label
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
    """RE2's rules first (in words), then Python compiles the translation: what it still refuses (an unbalanced
    bracket, a repeat of nothing) is not valid in RE2 either. Any failure of the compiler is the admin's answer,
    never an exception."""
    pattern = python_pattern(matcher.value, matcher.name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _compiled(pattern)
    except (re.error, OverflowError, RecursionError, ValueError) as error:
        raise MatcherError(f"The pattern of {matcher.name} is not a valid regular expression: {error}.") from None


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# -- regular expressions: Alertmanager's RE2 (Go's regexp), checked here ---------------------------------------

#: Alertmanager (Go's regexp) refuses a repeat count above this, also as the product of nested repeats.
MAX_REPEAT = 1000
#: Nested groups; a maintbot limit (RE2 allows more) that keeps the check within Python's recursion.
MAX_NESTING = 100
#: Escapes both engines read alike.
PLAIN_ESCAPES = frozenset("afnrtvdDsSwWbBA")
REPEAT = re.compile(r"\{(\d+)(,(\d*))?\}")
OPEN_REPEAT = re.compile(r"\{,(\d*)\}")
FLAGS = re.compile(r"\(\?([imsU]*)(?:-([imsU]+))?([:)])")
PROPERTY = re.compile(r"\\[pP](?:\{\^?([A-Za-z_]+)\}|([A-Za-z]))")
POSIX = re.compile(r"\[:(\^?)(alnum|alpha|ascii|blank|cntrl|digit|graph|lower|print|punct|space|upper|word|xdigit):\]")
#: Unicode general categories RE2 knows (scripts like Greek are names too: Alertmanager checks those).
CATEGORIES = frozenset((
    "C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N", "Nd", "Nl", "No",
    "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So", "Z", "Zl", "Zp", "Zs",
))
#: Python-only groups, and what to say about them.
PYTHON_GROUPS = (
    ("(?P=", "back-references"), ("(?=", "look-around (look-ahead)"), ("(?!", "look-around (look-ahead)"),
    ("(?<=", "look-around (look-behind)"),
    ("(?<!", "look-around (look-behind)"), ("(?>", "atomic groups"), ("(?#", "comments"), ("(?(", "conditionals"),
    ("(?<", "(?<name>…) groups (write (?P<name>…))"),
)


def python_pattern(value: str, name: str = "the label") -> str:
    """The Python spelling of an RE2 pattern, for the compile check and `Matcher.matches`; MatcherError when RE2
    (Alertmanager) would refuse it or it uses what only Python has. RE2's own escapes are translated:
    `\\pL`, `\\p{Greek}` (a one-character class), `\\x{10FFFF}`, `\\z`, `\\Q…\\E`, `[[:alpha:]]`, flag U."""
    return _Re2(value, name).python()


class _Re2:
    """One pass over an RE2 pattern: refuses what RE2 refuses or Python alone has, writes the Python spelling, and
    weighs nested repeats as RE2 does (the product of the repeat counts around anything is at most 1000)."""

    def __init__(self, value: str, name: str) -> None:
        self.text, self.name, self.at = value, name, 0
        self.out: list[str] = []
        self.frames: list[int] = [0]  # per open group: the heaviest repeat weight inside it
        self.last: int | None = None  # the weight of the atom a repetition operator would repeat
        self.repeated = False  # the last token was a repetition operator

    def refuse(self, what: str) -> MatcherError:
        """What only Python's regular expressions have."""
        return MatcherError(f"The pattern of {self.name} {what}, which Alertmanager's regular expressions (RE2) "
                            "do not have.")

    def wrong(self, what: str) -> MatcherError:
        return MatcherError(f"The pattern of {self.name} {what}.")

    def python(self) -> str:
        while self.at < len(self.text):
            char = self.text[self.at]
            if char == "\\":
                self._atom(self._escape(in_class=False))
            elif char == "[":
                self._atom(self._class())
            elif char == "(":
                self._open()
            elif char == ")":
                self._close()
            elif char == "|":
                self.out.append(char)
                self.at, self.last, self.repeated = self.at + 1, None, False
            elif char in "*+?":
                self._operator(char)
            elif char == "{":
                self._brace()
            elif char in "^$":
                self.out.append(char)
                self.at, self.last, self.repeated = self.at + 1, None, False
            else:
                self.at += 1
                self._atom(char)
        return "".join(self.out)

    def _atom(self, python: str, weight: int = 1) -> None:
        if python:
            self.out.append(python)
        self.frames[-1] = max(self.frames[-1], weight)
        anchor = python[:1] == "\\" and python[1:2] in ("b", "B", "A", "Z")
        self.last, self.repeated = (None if anchor else weight), False  # anchors repeat nothing

    def _escape(self, in_class: bool) -> str:
        text, at = self.text, self.at
        letter = text[at + 1 : at + 2]
        if not letter:
            raise self.wrong("ends with a lone backslash")
        if letter in "pP":
            found = PROPERTY.match(text, at)
            if found is None:
                raise self.wrong("has \\p without a class name: write \\pL or \\p{Greek}")
            named = found.group(1) or found.group(2)
            if (len(named) <= 2 and named not in CATEGORIES) or (named not in CATEGORIES and not named[0].isupper()):
                raise self.wrong(f"names an unknown Unicode class {named}")
            self.at = found.end()
            return "\\w" if letter == "p" else "\\W"
        if letter == "x" and text[at + 2 : at + 3] == "{":
            end = text.find("}", at + 3)
            digits = text[at + 3 : end] if end > 0 else ""
            if not re.fullmatch(r"[0-9A-Fa-f]{1,8}", digits) or int(digits, 16) > 0x10FFFF:
                raise self.wrong("has a \\x{…} that is not a Unicode code point (at most \\x{10FFFF})")
            self.at = end + 1
            return f"\\U{int(digits, 16):08X}"
        if letter == "Q":
            end = text.find("\\E", at + 2)
            literal = text[at + 2 :] if end < 0 else text[at + 2 : end]
            self.at = len(text) if end < 0 else end + 2
            return re.escape(literal) if literal else ""
        self.at = at + 2
        if letter == "z":
            return "\\Z"
        if letter == "Z":
            raise self.wrong("uses \\Z, which Alertmanager's regular expressions (RE2) do not have: write \\z")
        if letter == "C":
            return "."
        if letter in "123456789":
            raise self.refuse("uses back-references (\\1)")
        if letter == "0":
            return "\\0"
        if letter in PLAIN_ESCAPES and not (in_class and letter in "bBA"):
            return "\\" + letter
        if letter.isascii() and not letter.isalnum():
            return "\\" + letter
        raise self.refuse(f"uses the escape \\{letter}")

    def _class(self) -> str:
        text, out = self.text, ["["]
        self.at += 1
        if text.startswith("^", self.at):
            out.append("^")
            self.at += 1
        first = True
        while self.at < len(text):
            char = text[self.at]
            if char == "]" and not first:
                self.at += 1
                out.append("]")
                return "".join(out)
            first = False
            if char == "\\":
                out.append(self._escape(in_class=True))
                continue
            posix = POSIX.match(text, self.at) if char == "[" else None
            if posix is not None:
                out.append("\\W" if posix.group(1) else "\\w")
                self.at = posix.end()
                continue
            out.append("\\" + char if char in "[&~|" else char)
            self.at += 1
        raise self.wrong("has a [ without its closing ]")

    def _open(self) -> None:
        text, at = self.text, self.at
        if len(self.frames) > MAX_NESTING:
            raise self.wrong(f"nests groups more than {MAX_NESTING} deep")
        if text.startswith("(?", at):
            said = next((what for start, what in PYTHON_GROUPS if text.startswith(start, at)), None)
            if said is not None:
                raise self.refuse(f"uses {said}")
            if text.startswith("(?P<", at) or text.startswith("(?:", at):
                self.out.append("(?:" if text[at + 2] == ":" else "(?P<")
                self.at = at + (3 if text[at + 2] == ":" else 4)
            else:
                flags = FLAGS.match(text, at)
                if flags is None or not (flags.group(1) or flags.group(2)):
                    raise self.wrong("has a (? that Alertmanager does not read: its flags are i, m, s and U, as "
                                      "in (?i) or (?i:…)")
                on, off = (flags.group(1) or "").replace("U", ""), (flags.group(2) or "").replace("U", "")
                self.at = flags.end()
                if flags.group(3) == ")":  # RE2 allows flags anywhere; the check leaves them out
                    self.last, self.repeated = None, False
                    return
                self.out.append(f"(?{on}{'-' + off if off else ''}:" if on or off else "(?:")
        else:
            self.out.append("(")
            self.at += 1
        self.frames.append(0)
        self.last, self.repeated = None, False

    def _close(self) -> None:
        self.at += 1
        if len(self.frames) == 1:
            raise self.wrong("has a ) without its (")
        inner = self.frames.pop()
        self._atom(")", max(inner, 1))

    def _operator(self, char: str) -> None:
        self.at += 1
        if self.repeated:
            if char == "?":  # lazy: RE2 has it
                self.out.append(char)
                self.repeated = False
                self.last = None
                return
            raise self.refuse("uses possessive or doubled repetition (like a*+ or a**)")
        if self.last is None:
            raise self.wrong(f"has {char} with nothing before it to repeat")
        self.out.append(char)
        self.repeated = True

    def _brace(self) -> None:
        text, at = self.text, self.at
        repeat = REPEAT.match(text, at)
        if repeat is None:
            if OPEN_REPEAT.match(text, at):
                raise self.wrong("writes a repeat as {,n}, which Alertmanager reads as text: write {0,n}")
            self._atom("\\{")
            self.at += 1
            return
        low = int(repeat.group(1)) if len(repeat.group(1)) <= 9 else MAX_REPEAT + 1
        high_text = repeat.group(3)
        high = low if repeat.group(2) is None else (None if not high_text else
                                                     int(high_text) if len(high_text) <= 9 else MAX_REPEAT + 1)
        if low > MAX_REPEAT or (high is not None and high > MAX_REPEAT):
            raise self.wrong(f"repeats more than {MAX_REPEAT} times, the most Alertmanager allows")
        if high is not None and high < low:
            raise self.wrong(f"has a repeat {repeat.group()} whose maximum is below its minimum")
        if self.repeated:
            raise self.refuse("uses possessive or doubled repetition (like a*+ or a**)")
        if self.last is None:
            raise self.wrong(f"has {repeat.group()} with nothing before it to repeat")
        count = high if high is not None else low
        weight = self.last * count
        if weight > MAX_REPEAT:
            raise self.wrong(f"repeats more than {MAX_REPEAT} times in all (nested repeats multiply), the most "
                              "Alertmanager allows")
        self.frames[-1] = max(self.frames[-1], weight)
        self.out.append(repeat.group())
        self.at = repeat.end()
        self.repeated = True
