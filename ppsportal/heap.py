"""The web process's start-up heap, set aside from the garbage collector once it is built.

CPython's cyclic collector traverses every tracked object it has not been told to ignore in a
full (generation 2) collection, and runs one whenever the objects that survived into the oldest
generation since the last grew by a quarter of it. A portal process holds about 166,000 such
objects once Django, the apps and the URLconf are loaded, and 200,000-250,000 once it has served
the pages: none of them garbage (modules, classes, functions, settings, URL patterns, compiled
templates), all traversed again by each full collection, inside whichever request it falls in.
On the 2-core bench machine a gunicorn worker serving a partner's pages at 100 times the demo
data ran 11 full collections in 360 requests, each 121-259 ms (load 5.5); frozen, 38-139 ms,
over 36,000 objects instead of 205,000 (docs/benchmarks.md, B6, "The stalls").

``freeze_start_up_heap`` collects once and then moves everything the process holds into the
collector's permanent generation (``gc.freeze``): later collections traverse only what was
created since, and objects frozen are still freed by reference counting as before (only a cycle
among them would be kept; ``gc.collect`` first leaves none). ``ppsportal.wsgi`` calls it after
loading the application: in each gunicorn worker as it starts (its ``post_worker_init`` moment),
or in the master under ``--preload`` (before the fork: the children then also leave the frozen
pages unwritten, as the ``gc.freeze`` documentation advises).
"""

from __future__ import annotations

import gc


def freeze_start_up_heap() -> int:
    """Load the URLconf (every view module, not on the first request), collect, freeze. Returns
    the number of objects frozen."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  # imports the URLconf and every module it includes
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
