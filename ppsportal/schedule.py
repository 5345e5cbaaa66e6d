"""The periodic schedule run inside the development server when there is no broker.

With ``REDIS_URL`` set, Celery beat runs ``CELERY_BEAT_SCHEDULE`` and workers do the work. Without
it (``make run``) there is neither, so ``manage.py devserver`` runs the same schedule in a thread
of its own process: escalation, reminders, expiry, grant clean-up and the sweep happen in the
demo as they would in production. Interval entries run at start and then every interval; crontab
entries at their next matching time, as beat would. Never in production: beat is the one
scheduler there (docs/operations.md).
"""

from __future__ import annotations

import copy
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery.schedules import BaseSchedule, crontab, schedule
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

logger = logging.getLogger(__name__)

# The thread wakes at least this often, so a crontab entry is never late by more than this.
MAX_SLEEP_SECONDS = 30.0


@dataclass
class Entry:
    name: str
    task: str
    schedule: BaseSchedule
    last_run_at: datetime | None


class InProcessScheduler:
    """Runs the beat schedule's tasks in this process: ``tick()`` runs what is due now."""

    def __init__(self, beat_schedule: dict | None = None, *, now: datetime | None = None):
        from ppsportal.celery import app

        self.app = app
        self._clock = None
        start = now or timezone.now()
        self.entries = []
        for name, spec in (beat_schedule or settings.CELERY_BEAT_SCHEDULE).items():
            when = spec["schedule"]
            if isinstance(when, int | float | timedelta):
                when = schedule(run_every=when)
            when = copy.copy(when)
            when.nowfun = self._now  # our clock, not Celery's own
            # interval entries run at start; crontab entries wait for their next time, as in beat
            first = None if not isinstance(when, crontab) else start
            self.entries.append(Entry(name, spec["task"], when, first))

    def _now(self) -> datetime:
        return self._clock or timezone.now()

    def tick(self, now: datetime | None = None) -> tuple[list[str], float]:
        """Run every due entry; returns their names and the seconds until the next one is due."""
        self._clock = now or timezone.now()
        ran, wait = [], MAX_SLEEP_SECONDS
        try:
            for entry in self.entries:
                if entry.last_run_at is None:
                    due, next_in = True, entry.schedule.remaining_estimate(self._clock)
                else:
                    due, next_in = entry.schedule.is_due(entry.last_run_at)
                if due:
                    self._run(entry)
                    entry.last_run_at = self._clock
                    ran.append(entry.name)
                    _, next_in = entry.schedule.is_due(entry.last_run_at)
                wait = min(wait, _seconds(next_in))
        finally:
            self._clock = None
        return ran, max(wait, 0.5)

    def _run(self, entry: Entry) -> None:
        self.app.loader.import_default_modules()
        task = self.app.tasks[entry.task]
        try:
            task.apply(throw=True)
        except Exception:
            logger.exception("periodic task %s failed", entry.name)


def _seconds(value) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def start_in_process_schedule() -> threading.Event:
    """Start the schedule in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    scheduler = InProcessScheduler()

    def loop() -> None:
        while not stop.is_set():
            close_old_connections()  # this thread's connection, as a request or task would
            _, wait = scheduler.tick()
            close_old_connections()
            stop.wait(wait)

    threading.Thread(target=loop, name="in-process-schedule", daemon=True).start()
    return stop
