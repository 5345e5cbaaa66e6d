"""List endpoints run a fixed number of queries, however many rows they show: pinned with 3 and
with 30 rows, for a partner and for NCTV staff."""

from __future__ import annotations

import pytest

from alerts import services
from alerts.webhooks import webhook_create
from tests.alerts.api.conftest import deliver
from tests.signin import second_factor_queries

WHO = 3  # session, user, membership with organisation: who is asking
# alerts with their count (sender, previous, author, approver joined; for staff the counts as
# subqueries), sectors, partnerships, named organisations, the audit entry (AMBER); partners
# also: their acknowledgements, their own partnerships, and the covenants of the page's grants
# (``shared_under``: one query per page). A partner's list's count comes with its page (one
# query: the read door built the set); staff's, which nothing narrows, is counted apart
# (ppsportal.pagination).
ALERTS = {"admin_b": WHO + 5 + 3, "duty": WHO + 5 + 1}
# entries with their alerts, their count apart (the reader's own entries: a column, no door's
# set), the covenants they reached the reader under, the audit entry
INBOX = WHO + 4
WEBHOOKS = WHO + 2  # subscriptions with their organisation; their count apart (a column)

ROUNDS = [(3, 3), (30, 27)]  # (rows in the list, rows to add first)


def publish(world, n):
    for i in range(n):
        alert = world.published(
            headline=f"Alert {i}",
            tlp="amber",
            organisations=[world.org_b],
            partnerships=[world.partnership],
            sectors=[world.sector("event_grounds")],
            regions=["Rotterdam-Rijnmond"],
        )
        services.alert_acknowledge(alert=alert, by=world.admin_b)
        deliver(alert)


@pytest.mark.parametrize("persona", ["admin_b", "duty"])
def test_alerts(world, client_for, django_assert_num_queries, persona):
    user = getattr(world, persona)
    client, extra = client_for(user), second_factor_queries(user)
    for total, more in ROUNDS:
        publish(world, more)
        with django_assert_num_queries(ALERTS[persona] + extra):
            response = client.get("/api/v1/alerts/")
        assert response.json()["count"] == total
        # every row a partner received under the covenant carries it; staff own them
        under = {row["shared_under"] is not None for row in response.json()["results"]}
        assert under == {persona == "admin_b"}


def test_inbox(world, client_for, django_assert_num_queries):
    client = client_for(world.admin_b)
    for total, more in ROUNDS:
        publish(world, more)
        with django_assert_num_queries(INBOX):
            response = client.get("/api/v1/inbox/")
        assert response.json()["count"] == total
        assert all(row["alert"]["shared_under"] for row in response.json()["results"])


def test_webhooks(world, client_for, django_assert_num_queries, fake_dns):
    fake_dns.answer("hooks.example", "93.184.216.34")
    client = client_for(world.admin_a)
    for total, more in ROUNDS:
        for i in range(more):
            webhook_create(
                organisation=world.org_a, url=f"https://hooks.example/{i}", by=world.admin_a
            )
        with django_assert_num_queries(WEBHOOKS):
            response = client.get("/api/v1/webhooks/")
        assert response.json()["count"] == total
