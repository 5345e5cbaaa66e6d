"""The Celery application.

Configuration lives in Django settings under the ``CELERY_`` prefix (see ``ppsportal/settings.py``):
Redis broker, JSON only, late acknowledgement with reject-on-worker-lost, prefetch 1, and one
visibility timeout used for the broker and the result backend. Without ``REDIS_URL`` tasks run
eagerly in-process, so a new machine needs no broker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ppsportal.settings")

app = Celery("ppsportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

import ppsportal.request_id  # noqa: E402,F401 - the request id travels in task headers
