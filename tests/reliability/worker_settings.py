"""Settings of the Celery worker processes the reliability tests start.

The test settings, with every channel replaced by the recording transport. The claim lease
(30 s) and the sweep's interval (15 s) are production's, so the worker-loss test proves the
production bound; the sweep's grace (2 s) and a task's hold on its rows before the sweep
enqueues them again (10 s) are shortened so a broker that comes back is caught up within a
test. ``RECORDING_DELAY_SECONDS`` (environment) makes every receiver take that long to answer."""

import os

from ppsportal.settings_test import *  # noqa: F403

RECORDING_TRANSPORT_FILE = os.environ["RECORDING_TRANSPORT_FILE"]
RECORDING_DELAY_SECONDS = float(os.environ.get("RECORDING_DELAY_SECONDS", "0"))
RECORDING = "tests.reliability.recording.RecordingTransport"
ALERTS_TRANSPORTS = dict.fromkeys(("in_app", "email", "webhook", "sms"), RECORDING)
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 110
ALERTS_CLAIM_LEASE_SECONDS = 30
ALERTS_SWEEP_GRACE_SECONDS = 2
ALERTS_DISPATCH_LEASE_SECONDS = 10
CELERY_BEAT_SCHEDULE = {
    "alerts-sweep": {"task": "alerts.tasks.sweep", "schedule": 15.0},
}
