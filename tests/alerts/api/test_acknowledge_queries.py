"""Acknowledging runs a fixed, small number of queries in one transaction, however many alerts,
recipients and acknowledgements exist: through the service and through the API (201 and the
repeat's 200)."""

from __future__ import annotations

from alerts import services
from alerts.models import Acknowledgement
from tests.alerts.api.conftest import detail
from tests.signin import second_factor_queries

# The transaction (a savepoint inside the test's: SAVEPOINT and RELEASE; BEGIN and COMMIT in
# production, which are not queries), then one query: the alert through the read door with the
# organisation's acknowledgement of it (compiled once per day); then the INSERT … ON CONFLICT DO
# NOTHING (no savepoint of its own), or — on a repeat — the existing acknowledgement with its
# organisation and user. The endpoint names the alert by its public id and leaves the loading to
# the service; its serializer context is built once and without the actor's partnerships.
SERVICE_NEW = 2 + 2
SERVICE_REPEAT = 2 + 2
WHO = 3  # session, user, membership with organisation: who is asking


def publish(world, n):
    return [
        world.published(headline=f"Alert {i}", tlp="amber", organisations=[world.org_a])
        for i in range(n)
    ]


def test_the_service_runs_a_fixed_number_of_queries(world, django_assert_num_queries):
    for n in (3, 30):
        alerts = publish(world, n)
        for alert in alerts[:-1]:
            services.alert_acknowledge(alert=alert, by=world.admin_a)
        with django_assert_num_queries(SERVICE_NEW):
            ack, created = services.alert_acknowledge(alert=alerts[-1], by=world.admin_a)
        assert created
        with django_assert_num_queries(SERVICE_REPEAT):
            again, created = services.alert_acknowledge(alert=alerts[-1], by=world.admin_a)
        assert again.pk == ack.pk and not created
    assert Acknowledgement.objects.filter(organisation=world.org_a).count() == 33


def test_the_endpoint_runs_a_fixed_number_of_queries(world, client_for, django_assert_num_queries):
    client = client_for(world.admin_a)
    extra = second_factor_queries(world.admin_a)
    for n in (3, 30):
        alerts = publish(world, n)
        for alert in alerts[:-1]:
            services.alert_acknowledge(alert=alert, by=world.admin_a)
        url = detail(alerts[-1], "acknowledge/")
        with django_assert_num_queries(WHO + extra + SERVICE_NEW):
            first = client.post(url, {"note": "Tassencontrole"}, format="json")
        assert first.status_code == 201, first.content
        with django_assert_num_queries(WHO + extra + SERVICE_REPEAT):
            second = client.post(url, {}, format="json")
        assert second.status_code == 200 and second.json() == first.json()
