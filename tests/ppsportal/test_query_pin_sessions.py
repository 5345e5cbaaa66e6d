"""The query pins count the steady-state request: the once-a-minute write of a session's
last-seen time is left out inside ``django_assert_num_queries`` (tests/conftest.py), and only
there, so a pin does not depend on how long the test's setup took."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

URL = "/partnerships/"


def test_the_last_seen_write_is_counted_outside_a_pin_and_not_inside(
    client, operator_a, django_assert_num_queries
):
    with freeze_time("2026-11-30 09:00:00") as clock:
        client.force_login(operator_a)
        client.get(URL)
        with CaptureQueriesContext(connection) as steady:
            assert client.get(URL).status_code == 200
        clock.tick(timedelta(minutes=2))
        with CaptureQueriesContext(connection) as due:
            assert client.get(URL).status_code == 200
        # the last-seen time was due: the session is written, so the request ran more queries
        assert len(due) > len(steady)
        clock.tick(timedelta(minutes=2))
        with django_assert_num_queries(len(steady)):
            assert client.get(URL).status_code == 200
