"""Settings for the bench's own gunicorn and test client: the test settings (the database from
``DATABASE_URL``), the bench URLconf with the bare endpoints, and no API throttle in the way of
the load generator."""

import os

os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")

from ppsportal.settings_test import *  # noqa: F403
from ppsportal.settings_test import REST_FRAMEWORK

ROOT_URLCONF = "bench.urls"
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"token": "1000000/minute", "public_alerts": "1000000/minute"},
}
