"""/metrics: Prometheus text for the allowed scraper only (token or address), 404 to anyone else,
with request counts, queue depth, the alert outbox backlog and deliveries by channel and status."""

from __future__ import annotations

import pytest
from django.conf import settings

from ppsportal.metrics import scraper_allowed

pytestmark = pytest.mark.django_db

TOKEN = "scrape-token-for-tests-0123456789"


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_IPS = []
    return TOKEN


def _scrape(client, token=TOKEN):
    return client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_metrics_are_not_found_when_no_scraper_is_configured(client, settings, nctv_staff):
    settings.METRICS_TOKEN = None
    settings.METRICS_ALLOWED_IPS = []
    assert client.get("/metrics").status_code == 404
    client.force_login(nctv_staff)  # not even for staff: the page is for the scraper
    assert client.get("/metrics").status_code == 404


def test_metrics_need_the_token(client, token):
    assert client.get("/metrics").status_code == 404
    assert _scrape(client, "wrong-token").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Token {token}").status_code == 404
    response = _scrape(client)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")


def test_metrics_from_an_allowed_address(client, settings, rf):
    settings.METRICS_TOKEN = None
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.168.1.1").status_code == 404
    assert scraper_allowed(rf.get("/metrics", REMOTE_ADDR="not-an-address")) is False


def test_metrics_count_requests_and_name_the_view(client, token):
    client.get("/healthz")
    text = _scrape(client).content.decode()
    assert "# TYPE ppsportal_http_requests_total counter" in text
    line = next(
        line
        for line in text.splitlines()
        if line.startswith("ppsportal_http_requests_total") and 'view="healthz"' in line
    )
    assert 'method="GET"' in line and 'status="200"' in line
    assert float(line.rsplit(" ", 1)[1]) >= 1
    assert (
        'ppsportal_http_request_duration_seconds_count{method="GET",status="200",view="healthz"}'
        in text
    )


def test_metrics_show_queue_depth_when_a_broker_is_configured(client, token):
    text = _scrape(client).content.decode()
    if settings.REDIS_URL:
        assert "ppsportal_broker_up 1" in text
        for queue in ("default", "fanout", "delivery"):
            assert f'ppsportal_task_queue_depth{{queue="{queue}"}}' in text
    else:
        assert "ppsportal_task_queue_depth" not in text


def test_a_scrape_costs_a_fixed_number_of_queries(client, token, django_assert_num_queries):
    # deliveries by channel and status, backlog, escalations, two latency aggregates
    with django_assert_num_queries(5):
        assert _scrape(client).status_code == 200
