"""The pages the dashboard benchmark (bench/b6_dashboard.py, docs/benchmarks.md "B6") found
running more queries at 100 times the demo data than at its size run as many queries at the
demo's size and at three times it (``bench.demo_bulk``). In a module of its own: the demo data
is seeded once per module (``demo_data``), and the list tests next door need a world without it.
"""

from __future__ import annotations

import pytest

from tests import signin
from tests.ppsportal.test_list_queries import _queries

pytestmark = pytest.mark.django_db


# Each page with the demo persona who saw it grow.
GREW_WITH_THE_DEMO = [
    ("arena-operator", "/sharing/by-us/"),  # each shared report's soft target (its name)
    ("amsterdam-police", "/sharing/with-us/"),  # the same, as the receiver
    ("arena-operator", "/organisation/access-log/"),  # the reports the entries name
    ("nctv-analyst", "/nctv/soft-targets/"),  # every target and measure, in Python
]


def test_the_pages_that_grew_with_the_demo_data_run_as_many_queries_at_three_times_it(
    demo_data, client
):
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from bench.demo_bulk import multiply_demo

    users = {u.username: u for u in get_user_model().objects.all()}

    def measured() -> dict[tuple[str, str], tuple[int, int]]:
        signin.sign_in(client, users["amsterdam-police"], settings.DEMO_PASSWORD)
        client.get("/sharing/with-us/")  # the receiver reads: the sharer's access log names it
        found = {}
        for username, url in GREW_WITH_THE_DEMO:
            signin.sign_in(client, users[username], settings.DEMO_PASSWORD)
            found[username, url] = _queries(client, url)
        return found

    demo = measured()
    multiply_demo(3)
    tripled = measured()
    assert all(status == 200 for status, _n in demo.values()), demo
    assert tripled == demo, "(status, queries) at the demo's size and at three times it"
