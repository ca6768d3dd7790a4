"""Scheduled jobs and delivery: the outbox dispatcher, the periodic tick, the weekly summary. See README.md."""

from bot.jobs.dispatcher import Dispatcher
from bot.jobs.scheduler import Jobs, start_jobs
from bot.jobs.tick import SummarySchedule, Ticker

__all__ = ["Dispatcher", "Jobs", "SummarySchedule", "Ticker", "start_jobs"]
