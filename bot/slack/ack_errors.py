"""The app's one error handler (`@app.error`): a refusal raised inside an ack, answered in that ack.

Listeners raise; they do not catch. A refusal of `/maint` (what `replies.EXPLAINED_ERRORS` names) is answered
ephemerally in the ack: a bad argument with the subcommand's usage (or the help, when the words could not be
read at all), anything else by `replies.error_text`. A refused form submission is answered beside its field
(`editor.form_errors`). Anything else is logged and Slack gets Bolt's 500, as for any unexpected failure.
Errors after the ack are told by `listening.after_ack`.
"""

from __future__ import annotations

import logging

from slack_bolt.context import BoltContext
from slack_bolt.context.ack import Ack
from slack_bolt.response import BoltResponse

from bot import logs
from bot.slack.answer import Answer
from bot.slack.editor import form_errors
from bot.slack.listening import DOING
from bot.slack.parsing import BadArguments
from bot.slack.payloads import PAYLOAD, Command, ViewSubmission
from bot.slack.replies import EXPLAINED_ERRORS, error_text
from bot.slack.subcommand import help_text, usage

log = logging.getLogger(__name__)


def command_refusal(error: Exception, subcommand: str | None) -> Answer:
    """What `/maint` answers when `subcommand` (None: the words could not be read) raised `error`."""
    if isinstance(error, BadArguments):
        return Answer(f"{error_text(error)}\n{usage(subcommand) if subcommand else help_text()}")
    return Answer(error_text(error, subcommand))


def answer_error(error: Exception, context: BoltContext) -> BoltResponse | None:
    payload = context.get(PAYLOAD)
    if isinstance(error, EXPLAINED_ERRORS):
        logs.bind(outcome="refused")
        if isinstance(payload, Command):
            return Ack()(**command_refusal(error, context.get(DOING)).ack_kwargs())
        if isinstance(payload, ViewSubmission):
            return Ack()(response_action="errors", errors=form_errors(error))
    log.exception("unhandled error in a Slack listener", exc_info=error)
    return None
