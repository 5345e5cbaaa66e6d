"""The inbox (alerts.inbox and /api/v1/inbox/): a user's own sent in-app deliveries of alerts
they may still see, newest first; marking one read is idempotent."""

from __future__ import annotations

import uuid

import pytest

from alerts.inbox import DeliveryNotFound, delivery_mark_read, inbox_of, inbox_unread_count
from alerts.models import Delivery
from partnerships.services import covenants as covenant_services
from tests.alerts.api.conftest import deliver

URL = "/api/v1/inbox/"


def test_the_inbox_holds_only_ones_own_sent_in_app_messages(world, client_for, green, amber):
    deliver(green)
    deliver(amber)
    waiting = world.published(headline="Nog niet verstuurd", organisations=[world.org_a])
    body = client_for(world.admin_a).get(URL).json()
    assert [e["alert"]["headline"] for e in body["results"]] == [amber.headline, green.headline]
    own = Delivery.objects.get(alert=amber, recipient=world.admin_a, channel="in_app")
    assert body["results"][0]["id"] == str(own.public_id)
    assert body["results"][0]["read_at"] is None
    assert body["results"][0]["alert"]["id"] == str(amber.public_id)
    assert waiting.headline not in str(body)
    assert [d.alert for d in inbox_of(world.admin_b)] == [amber]
    assert list(inbox_of(world.duty)) == []


def test_an_alert_no_longer_visible_leaves_the_inbox(world, client_for, green, amber):
    deliver(green)
    deliver(amber)
    covenant_services.covenant_terminate(covenant=world.covenant)
    assert [d.alert for d in inbox_of(world.admin_a)] == [green]
    assert client_for(world.admin_b).get(URL).json()["results"] == []


def test_marking_read_is_idempotent(world, client_for, green):
    deliver(green)
    entry = Delivery.objects.get(alert=green, recipient=world.viewer_a, channel="in_app")
    client = client_for(world.viewer_a)
    assert inbox_unread_count(world.viewer_a) == 1
    first = client.post(f"{URL}{entry.public_id}/read/")
    assert first.status_code == 200, first.content
    read_at = first.json()["read_at"]
    assert read_at is not None
    second = client.post(f"{URL}{entry.public_id}/read/")
    assert second.status_code == 200 and second.json()["read_at"] == read_at
    assert inbox_unread_count(world.viewer_a) == 0
    assert client.get(f"{URL}?unread=true").json()["results"] == []


def test_someone_elses_entry_is_not_found(world, client_for, green):
    deliver(green)
    entry = Delivery.objects.get(alert=green, recipient=world.admin_a, channel="in_app")
    email = Delivery.objects.get(alert=green, recipient=world.viewer_a, channel="email")
    client = client_for(world.viewer_a)
    for public_id in (entry.public_id, email.public_id, uuid.uuid4(), "nonsense"):
        assert client.post(f"{URL}{public_id}/read/").status_code == 404
    entry.refresh_from_db()
    assert entry.read_at is None
    assert client_for(world.user_d).get(URL).json()["count"] == 1


def test_the_service_refuses_alike(world, green):
    deliver(green)
    entry = Delivery.objects.get(alert=green, recipient=world.admin_a, channel="in_app")
    with pytest.raises(DeliveryNotFound):
        delivery_mark_read(delivery_public_id=entry.public_id, by=world.user_d)
    assert delivery_mark_read(delivery_public_id=entry.public_id, by=world.admin_a).read_at


def test_the_inbox_needs_sign_in(api_client):
    assert api_client.get(URL).status_code == 401
