"""A web process sets its start-up heap aside from the garbage collector's full collections
(``ppsportal.heap``, called by ``ppsportal.wsgi``): without it, a full collection of the ~166,000
objects Django and the apps hold fell inside a request now and then and took 70-390 ms of it
(docs/benchmarks.md, B6, "The stalls"). In a process of its own: freezing is for the life of a
process, and the suite's own must not be frozen."""

from __future__ import annotations

import os

from tests.processes import python_json

WSGI_PROCESS = """
import gc, json, sys
import ppsportal.wsgi
print(json.dumps({
    "frozen": gc.get_freeze_count(),
    "young": sum(gc.get_count()),
    "views_loaded": all(
        m in sys.modules for m in ("ppsportal.urls", "alerts.views_board", "threats.views_map")
    ),
}))
"""


def test_the_wsgi_application_freezes_its_start_up_heap_with_every_view_loaded():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ppsportal.settings_test"}
    heap = python_json(WSGI_PROCESS, env)
    # Django, the apps and the URLconf with every view module: out of every later collection
    assert heap["frozen"] > 100_000
    assert heap["views_loaded"]  # imported before the freeze, not on the first request
    assert heap["young"] < 1_000  # nothing left for the collector to count at the start
