"""Settings for the test suite: the real settings, with a throwaway secret and fast hashing.

The database and broker still come from ``DATABASE_URL`` and ``REDIS_URL``: unset, the suite runs
on SQLite with eager tasks; set, on PostgreSQL and Redis.
"""

import os
import sys

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")


def _redis_url_of_this_xdist_worker() -> None:
    """Under pytest-xdist (``make test`` runs ``-n 2``) each worker process gets its own Redis
    database: the number in ``REDIS_URL`` plus the worker's index (gw0 keeps it, gw1 the next).
    The suite clears the cache and purges the broker around tests, which must not reach another
    worker's. pytest-django gives each worker its own test database (``test_<name>_gw1``).

    Only in the pytest worker itself (xdist imported): a process it starts inherits the
    environment set here, or is handed a ``REDIS_URL`` of its own, and keeps it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    url = os.environ.get("REDIS_URL", "")
    if not (worker.startswith("gw") and url and "xdist" in sys.modules):
        return
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0) + int(worker[2:])
    if number > 15:
        raise RuntimeError(f"{url} plus xdist worker {worker} is past Redis database 15")
    os.environ["REDIS_URL"] = parts._replace(path=f"/{number}").geturl()


_redis_url_of_this_xdist_worker()

from ppsportal.settings import *  # noqa: E402, F403 - after the worker's REDIS_URL
from ppsportal.settings import REST_FRAMEWORK  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"token": "1000/minute", "public_alerts": "1000/minute"},
}
# The test client speaks plain http; production's redirect to https is proven by
# tests/security/test_deploy.py, which runs `check --deploy` with the production settings.
SECURE_SSL_REDIRECT = False
