"""What is about time: the periodic tick, the weekly summary, the scheduler that runs them. See README.md.

The jobs import nothing of Slack: `start_jobs` is handed the notice delivery (bot/slack/delivery.py's
`Dispatcher`, built by the composition root bot/runner.py) and only starts and stops it.
"""

from bot.jobs.scheduler import Delivery, Jobs, start_jobs
from bot.jobs.tick import SummarySchedule, Ticker

__all__ = ["Delivery", "Jobs", "SummarySchedule", "Ticker", "start_jobs"]
