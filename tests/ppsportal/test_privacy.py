"""Data protection (AVG): retention per data class, enforced by the nightly tasks; the audit log's
one sanctioned expiry; an export of one person's data; anonymising a user who left."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from freezegun import freeze_time
from knox.models import AuthToken

from alerts import delivery as engine
from alerts.models import ChannelPreference, Delivery
from alerts.tasks import expire_deliveries
from partnerships.models import ContactEntry, Membership
from partnerships.services import contacts as contact_services
from partnerships.tasks import expire_contact_log
from ppsportal.audit import audit_record
from ppsportal.models import AppendOnlyError, AuditEvent
from ppsportal.privacy import personal_data_export, user_anonymise
from ppsportal.tasks import expire_audit_log
from tests import signin
from tests.alerts.conftest import pending_ids, world  # noqa: F401 (the alerts world fixture)
from tests.factories import PASSWORD
from threats import services as threat_services
from threats.models import Report
from threats.tasks import expire_reports

pytestmark = pytest.mark.django_db


def test_every_retention_task_is_in_the_beat_schedule():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "partnerships.tasks.expire_contact_log",
        "partnerships.tasks.expire_covenant_documents",
        "threats.tasks.expire_reports",
        "alerts.tasks.expire_deliveries",
        "ppsportal.tasks.expire_audit_log",
    } <= tasks


def _expiries(data_class):
    return list(AuditEvent.objects.filter(action="retention.expired", object_type=data_class))


def test_contact_entries_past_retention_go_and_the_removal_is_audited_without_content(
    world,  # noqa: F811
):
    today = timezone.localdate()
    old = contact_services.contact_create(
        partnership=world.partnership,
        by=world.admin_a,
        occurred_on=today - timedelta(days=settings.RETENTION_CONTACT_LOG_DAYS + 1),
        kind="meeting",
        summary="Jan de Vries sprak over camera 7.",
        participants=[world.org_a],
    )
    recent = contact_services.contact_create(
        partnership=world.partnership,
        by=world.admin_a,
        occurred_on=today - timedelta(days=10),
        kind="call",
        summary="Recent overleg.",
        participants=[world.org_a],
    )
    assert expire_contact_log() == 1
    assert list(ContactEntry.objects.all()) == [recent]
    [trace] = _expiries("partnerships.contactentry")
    assert trace.object_ids == [str(old.public_id)] and trace.detail["count"] == 1
    assert "Jan de Vries" not in json.dumps([trace.detail, trace.purpose, trace.object_ids])
    assert expire_contact_log() == 0  # idempotent


def test_closed_reports_past_retention_go_open_ones_stay(world):  # noqa: F811
    from tests.threats.dashboard_world import venue

    target = venue(world.admin_a, "Stadion")
    days = settings.RETENTION_REPORTS_DAYS
    with freeze_time(timezone.now() - timedelta(days=days + 5)):
        closed, still_open = (
            threat_services.report_create(
                by=world.admin_a,
                soft_target=target,
                kind="incident",
                what="Een man met een rugzak.",
                occurred_at=timezone.now() - timedelta(hours=1),
            )
            for _ in range(2)
        )
    Report.objects.filter(pk=closed.pk).update(status=Report.Status.CLOSED)
    assert expire_reports() == 1
    assert list(Report.objects.all()) == [still_open]
    assert _expiries("threats.report")[0].object_ids == [str(closed.public_id)]


def test_finished_deliveries_past_retention_go(world):  # noqa: F811
    with freeze_time(timezone.now() - timedelta(days=settings.RETENTION_DELIVERIES_DAYS + 1)):
        old = world.published(organisations=[world.org_a])
    engine.deliver(pending_ids(old))
    new = world.published(organisations=[world.org_a])
    engine.deliver(pending_ids(new))
    old_rows = Delivery.objects.filter(alert=old).count()
    assert old_rows > 0
    assert expire_deliveries() == old_rows
    assert not Delivery.objects.filter(alert=old).exists()
    assert Delivery.objects.filter(alert=new).exists()
    assert _expiries("alerts.delivery")[0].detail["count"] == old_rows


def _audit_at(days_ago: int, **fields) -> AuditEvent:
    with freeze_time(timezone.now() - timedelta(days=days_ago)):
        return audit_record(action="auth.login_failed", detail={"username": "jan"}, **fields)


@pytest.mark.postgres
def test_a_plain_delete_of_the_audit_log_is_still_refused_even_of_old_rows():
    _audit_at(settings.RETENTION_AUDIT_LOG_DAYS + 10)
    for sql in (
        "DELETE FROM ppsportal_auditevent",
        "UPDATE ppsportal_auditevent SET purpose = 'x'",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    # setting the cut-off by hand does not open recent rows: the floor holds
    _audit_at(1)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT set_config('ppsportal.audit_expire_before', now()::text, true)")
        cursor.execute("DELETE FROM ppsportal_auditevent")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all()._expire()  # the SQLite path is refused on PostgreSQL
    assert AuditEvent.objects.count() == 2


@pytest.mark.postgres
def test_the_database_refuses_a_retention_below_the_floor():
    with (
        pytest.raises(DatabaseError, match="below the floor"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT ppsportal_audit_expire(30)")


def test_audit_entries_expire_through_the_sanctioned_path_only_when_old(settings):
    old = _audit_at(settings.RETENTION_AUDIT_LOG_DAYS + 2)
    kept = _audit_at(settings.RETENTION_AUDIT_LOG_DAYS - 2)
    assert expire_audit_log() == 1
    remaining = set(AuditEvent.objects.values_list("pk", flat=True))
    assert old.pk not in remaining and kept.pk in remaining
    [trace] = AuditEvent.objects.filter(action="retention.expired")
    assert (trace.object_type, trace.detail["count"]) == ("ppsportal.auditevent", 1)
    assert "jan" not in json.dumps(trace.detail)


# --- the rights of the person ---------------------------------------------------------------


@pytest.fixture
def nctv_admin(world):  # noqa: F811
    world.duty.is_superuser = True
    world.duty.save(update_fields=["is_superuser"])
    return world.duty


def _footprint(world):  # noqa: F811
    """Partner A's admin writes a contact entry, gets an alert, acknowledges, reports."""
    from tests.threats.dashboard_world import venue

    ChannelPreference.objects.filter(user=world.admin_a, channel="sms").update(enabled=True)
    contact_services.contact_create(
        partnership=world.partnership,
        by=world.admin_a,
        occurred_on=timezone.localdate(),
        kind="meeting",
        summary="Overleg over de winterstop.",
        participants=[world.org_a],
    )
    alert = world.published(organisations=[world.org_a])
    engine.deliver(pending_ids(alert))
    from alerts import services as alert_services

    alert_services.alert_acknowledge(
        alert=alert, by=world.admin_a, note="Ontvangen.", measures_taken=[]
    )
    threat_services.report_create(
        by=world.admin_a,
        soft_target=venue(world.admin_a, "Stadion"),
        kind="incident",
        what="Drone boven het veld.",
        occurred_at=timezone.now() - timedelta(hours=1),
    )
    audit_record(action="sensitive.viewed", actor=world.admin_a, object_type="x.y")
    return alert


def test_an_export_holds_everything_about_the_person_and_nothing_of_others(
    world,  # noqa: F811
    nctv_admin,
    tmp_path,
):
    alert = _footprint(world)
    data = personal_data_export(user=world.admin_a, by=nctv_admin)
    assert data["user"]["username"] == "admin-a"
    assert data["membership"]["organisation"] == "Partner A Stadion"
    assert [e["summary"] for e in data["contact_entries_written"]] == [
        "Overleg over de winterstop."
    ]
    assert [r["what"] for r in data["reports"]] == ["Drone boven het veld."]
    assert [a["alert"] for a in data["acknowledgements"]] == [str(alert.public_id)]
    assert {d["channel"] for d in data["deliveries"]} == {"in_app", "email", "sms"}
    assert {"channel": "sms", "enabled": True, "address": "+31600000001"} in data[
        "channel_preferences"
    ]
    assert "sensitive.viewed" in [e["action"] for e in data["audit_entries"]]
    assert "viewer-a" not in json.dumps(data)
    assert AuditEvent.objects.filter(action="privacy.exported", actor_id=nctv_admin.pk).exists()
    # the command writes the same JSON
    out = tmp_path / "admin-a.json"
    call_command("export_personal_data", "admin-a", "--output", str(out))
    assert json.loads(out.read_text())["reports"] == data["reports"]


def test_only_an_nctv_administrator_exports_or_anonymises(world):  # noqa: F811
    for user in (world.author, world.admin_a):
        with pytest.raises(PermissionDenied):
            personal_data_export(user=world.viewer_a, by=user)
        with pytest.raises(PermissionDenied):
            user_anonymise(user=world.viewer_a, by=user)


def test_the_admin_action_downloads_the_json(client, world, nctv_admin):  # noqa: F811
    _footprint(world)
    signin.sign_in(client, nctv_admin)
    response = client.post(
        "/admin/auth/user/",
        {"action": "export_personal_data", "_selected_action": [world.admin_a.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    [data] = json.loads(response.content)
    assert data["user"]["username"] == "admin-a"
    signin.sign_in(client, world.author)  # staff, not an administrator: no such action
    refused = client.post(
        "/admin/auth/user/",
        {"action": "export_personal_data", "_selected_action": [world.admin_a.pk]},
    )
    assert refused.get("Content-Type", "").startswith("text/html")


def test_anonymising_keeps_the_audit_trail_and_ends_every_way_in(client, world, nctv_admin):  # noqa: F811
    _footprint(world)
    user = world.admin_a
    AuthToken.objects.create(user=user)
    audit_before = list(AuditEvent.objects.filter(actor_id=user.pk).values_list("pk", "action"))
    assert audit_before

    pseudonym = user_anonymise(user=user, by=nctv_admin)

    user.refresh_from_db()
    assert user.username == pseudonym and pseudonym.startswith("removed-")
    assert (user.first_name, user.last_name, user.email) == ("", "", "")
    assert not user.is_active and not user.has_usable_password()
    assert not Membership.objects.filter(user=user).exists()
    assert not ChannelPreference.objects.filter(user=user).exists()  # the phone number
    assert not AuthToken.objects.filter(user=user).exists()
    assert not client.login(username="admin-a", password=PASSWORD)
    assert not client.login(username=pseudonym, password=PASSWORD)
    # the audit trail is whole, and its entries lead to the pseudonym
    after = list(
        AuditEvent.objects.filter(pk__in=[pk for pk, _a in audit_before]).values_list(
            "pk", "action"
        )
    )
    assert after == audit_before
    assert get_user_model().objects.get(pk=AuditEvent.objects.get(pk=after[0][0]).actor_id) == user
    assert AuditEvent.objects.filter(action="privacy.anonymised", object_ids=[pseudonym]).exists()
    # records the person took part in stay, now pointing at the pseudonym
    assert ContactEntry.objects.get().created_by == user
    assert Report.objects.get().reporter == user
    # a second time changes nothing
    assert user_anonymise(user=user, by=nctv_admin) == pseudonym
