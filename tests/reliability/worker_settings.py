"""Settings of the Celery worker processes the reliability tests start.

The test settings, with every channel replaced by the recording transport and the timers of
the delivery guarantee shortened so that recovery happens within a test: a task limit of 20 s
(a claim holds 22 s), the sweep every 2 s for rows waiting 2 s, a task's hold on a row 10 s."""

import os

from ppsportal.settings_test import *  # noqa: F403

RECORDING_TRANSPORT_FILE = os.environ["RECORDING_TRANSPORT_FILE"]
RECORDING = "tests.reliability.recording.RecordingTransport"
ALERTS_TRANSPORTS = dict.fromkeys(("in_app", "email", "webhook", "sms"), RECORDING)
CELERY_TASK_TIME_LIMIT = 20
CELERY_TASK_SOFT_TIME_LIMIT = 18
ALERTS_LEASE_MARGIN_SECONDS = 2
ALERTS_SWEEP_GRACE_SECONDS = 2
ALERTS_DISPATCH_LEASE_SECONDS = 10
CELERY_BEAT_SCHEDULE = {
    "alerts-sweep": {"task": "alerts.tasks.sweep", "schedule": 2.0},
}
