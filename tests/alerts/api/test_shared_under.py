"""The covenant's purpose is shown with every shared object: an AMBER alert reaches a recipient
organisation through a group grant under the covenant that entitled it, so the alert carries
``shared_under`` (that covenant and its purpose) in the API (list, detail, inbox), on the alert
page and in the inbox, and the read's audit entry keeps them for the NCTV's access log. A GREEN
alert (no covenant carries it) and NCTV staff (its owner) have none."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ppsportal.models import AuditEvent
from tests.alerts.api.conftest import URL, deliver, detail
from tests.alerts.conftest import PURPOSE
from tests.signin import sign_in

pytestmark = pytest.mark.django_db


def under(world) -> dict:
    return {
        "covenant": {"id": str(world.covenant.public_id), "title": world.covenant.title},
        "purpose": PURPOSE,
    }


def test_the_api_shows_the_covenant_and_purpose_with_an_amber_alert(
    world, client_for, amber, green
):
    partner = client_for(world.admin_a)
    assert partner.get(detail(amber)).json()["shared_under"] == under(world)
    assert partner.get(detail(green)).json()["shared_under"] is None
    rows = {row["id"]: row["shared_under"] for row in partner.get(URL).json()["results"]}
    assert rows == {str(amber.public_id): under(world), str(green.public_id): None}
    staff = client_for(world.duty)
    assert staff.get(detail(amber)).json()["shared_under"] is None


def test_the_inbox_shows_the_covenant_and_purpose(world, client_for, amber, green):
    deliver(amber)
    deliver(green)
    rows = client_for(world.admin_a).get("/api/v1/inbox/").json()["results"]
    by_alert = {row["alert"]["id"]: row["alert"]["shared_under"] for row in rows}
    assert by_alert[str(amber.public_id)] == under(world)
    assert by_alert[str(green.public_id)] is None
    entry = next(row for row in rows if row["alert"]["id"] == str(amber.public_id))
    marked = client_for(world.admin_a).post(f"/api/v1/inbox/{entry['id']}/read/").json()
    assert marked["alert"]["shared_under"] == under(world)


def test_the_alert_page_and_the_inbox_show_the_purpose(client, world, amber):
    deliver(amber)
    sign_in(client, world.admin_a)
    page = client.get(reverse("alert-detail", args=[amber.public_id]), HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()
    assert 'class="notice shared-under"' in body and PURPOSE in body
    assert world.covenant.title in body
    inbox = client.get(reverse("alert-inbox"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="muted shared-under"' in inbox and PURPOSE in inbox


def test_the_read_entry_and_the_nctv_access_log_carry_the_purpose(world, client_for, amber):
    client_for(world.admin_b).get(detail(amber))
    event = AuditEvent.objects.get(action="sensitive.viewed", actor_username="admin-b")
    assert event.detail["shared_under"] == [
        {"object": str(amber.public_id), "owner": str(world.nctv.public_id), **under(world)}
    ]
    log = client_for(world.duty).get(f"/api/v1/organisations/{world.nctv.public_id}/access-log/")
    rows = [row for row in log.json()["results"] if row["actor"] == "admin-b"]
    assert rows[0]["shared_under"] == [{"object": str(amber.public_id), **under(world)}]
