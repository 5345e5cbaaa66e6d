"""Settings of the B2 bench's worker: the test settings (database and Redis from the
environment), e-mail over SMTP to the bench's sink on loopback (``BENCH_SMTP_PORT``), and the
bench's own prefix on every broker key (``BENCH_BROKER_KEY_PREFIX``), so that no other worker on
the same Redis database takes its tasks."""

import os

from ppsportal.settings_test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("BENCH_SMTP_PORT", "25"))
EMAIL_HOST_USER = EMAIL_HOST_PASSWORD = ""
EMAIL_USE_TLS = EMAIL_USE_SSL = False

CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "global_keyprefix": os.environ.get("BENCH_BROKER_KEY_PREFIX", "bench-b2:"),
}
