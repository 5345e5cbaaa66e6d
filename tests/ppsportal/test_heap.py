"""A web process sets its start-up heap aside from the garbage collector's full collections
(``ppsportal.heap``, called by ``ppsportal.wsgi``): without it, a full collection of the ~166,000
objects Django and the apps hold fell inside a request now and then and took 70-390 ms of it
(docs/benchmarks.md, B6, "The stalls"). In a process of its own: freezing is for the life of a
process, and the suite's own must not be frozen."""

from __future__ import annotations

import json
import os
import subprocess  # nosec B404  # this interpreter, a fixed script
import sys
from pathlib import Path

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
    result = subprocess.run(  # noqa: S603  # nosec B603  # this interpreter, a fixed script
        [sys.executable, "-c", WSGI_PROCESS],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    heap = json.loads(result.stdout.strip().splitlines()[-1])
    # Django, the apps and the URLconf with every view module: out of every later collection
    assert heap["frozen"] > 100_000
    assert heap["views_loaded"]  # imported before the freeze, not on the first request
    assert heap["young"] < 1_000  # nothing left for the collector to count at the start
