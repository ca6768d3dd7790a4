"""At most one message per second (here: per `pace`) in a channel; different channels at the same time."""

from __future__ import annotations

from itertools import pairwise

from bot.domain.enums import State
from bot.slack.delivery import Dispatcher
from tests.factories import announce
from tests.jobs.helpers import posts

#: Long enough that a busy machine's thread start-up never looks like pacing (the test lasts two of them).
PACE = 1.0


def test_one_channel_is_paced_while_other_channels_go_out_together(
    services, world, cloud_manager, storage_manager, anyone, slack_client, standin, clock
):
    announce(services, cloud_manager, State.COMPLETED)  # a card and two replies in CCLOUD0001
    for number in range(3):
        services.subscriptions.subscribe(anyone, f"CQUIET{number:04d}", "Storage")
    announce(services, storage_manager, State.SCHEDULED, provider="Storage")  # one card in each of 4 channels
    dispatcher = Dispatcher(services, slack_client, clock=clock, pace=PACE, workers=4)

    dispatcher.deliver_due()
    dispatcher.stop()

    busy = [call.at for call in posts(standin) if call.args["channel"] == "CCLOUD0001"]
    assert len(busy) == 3
    assert all(later - earlier >= PACE for earlier, later in pairwise(busy))
    together = [call.at for call in posts(standin) if call.args["channel"] != "CCLOUD0001"]
    assert len(together) == 4
    assert max(together) < busy[1]  # none of them waited for the busy channel's pace
