"""Typed domain errors; each interface renders them once, in its own words."""

from __future__ import annotations

from collections.abc import Iterable

# Not refusals but "the database could not answer" (down, restarting, a dropped connection): interfaces render
# these in the same one place as the refusals, as "try again in a moment" (HTTP 503; an ephemeral note in Slack).
from storage.db import UNAVAILABLE, StatementTimeout, StatementTooLarge

# Not outages either: the database ended a statement for its cost (ran past MAINTBOT_QUERY_TIMEOUT, or too large
# to run at all). HTTP answers 503 "took too long" and 400; Slack an ephemeral note. Nothing was changed.
TOO_COSTLY: tuple[type[Exception], ...] = (StatementTimeout, StatementTooLarge)

__all__ = [
    "TOO_COSTLY", "UNAVAILABLE", "Ambiguous", "DomainError", "Invalid", "InvalidState", "NotAllowed", "NotFound",
    "Stale", "StatementTimeout", "StatementTooLarge",
]


class DomainError(Exception):
    """Base of every refusal the domain makes. Nothing has changed when one is raised."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The thing does not exist, or the actor may not see it (the two are not told apart)."""


class NotAllowed(DomainError):
    """The actor can see the thing but may not do this to it; `field`, when set, names the input refused."""

    def __init__(self, message: str = "You do not have permission to perform this action.", *,
                 field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidState(DomainError):
    """The announcement is not in a state that allows the action; `valid` names the states that do."""

    def __init__(self, valid: Iterable[str], current: str | None = None) -> None:
        self.valid = list(valid)
        self.current = current
        super().__init__(f"Valid states for operation: {', '.join(self.valid)}.")


class Invalid(DomainError):
    """Field validation failed; `fields` maps a field name to its messages."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        self.fields = fields
        summary = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in fields.items())
        super().__init__(summary)

    @classmethod
    def one(cls, field: str, message: str) -> Invalid:
        return cls({field: [message]})


class Ambiguous(DomainError):
    """A short id matched more than one thing; `matches` lists them for the user to choose."""

    def __init__(self, reference: str, matches: list[str]) -> None:
        self.matches = matches
        super().__init__(f"{reference!r} matches more than one: {', '.join(matches)}. Give more of it.")


class Stale(DomainError):
    """The actor acted on what they saw, and it has changed since (a second press of the same Extend button,
    after the first one moved the end): nothing was done; the message says what it is now."""


class AmbiguousWords(Ambiguous):
    """Words (not an id) matched more than one announcement; `matches` lists the first few, soonest first, each
    starting with its short id, so that the person can pick one by id or add a word."""

    def __init__(self, words: str, matches: list[str], more: bool) -> None:
        self.words = words
        self.more = more
        super().__init__(words, matches)
