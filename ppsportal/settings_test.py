"""Settings for the test suite: the real settings, with a throwaway secret and fast hashing.

The database and broker still come from ``DATABASE_URL`` and ``REDIS_URL``: unset, the suite runs
on SQLite with eager tasks; set, on PostgreSQL and Redis.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")

from ppsportal.settings import *  # noqa: F403
from ppsportal.settings import REST_FRAMEWORK

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
