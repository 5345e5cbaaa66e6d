"""The audit log: append-only in the model, the queryset and PostgreSQL; searchable and
exportable by NCTV staff; failed sign-ins recorded."""

import ast
import inspect

import pytest
from django.db import DatabaseError, connection, transaction

from ppsportal import audit
from ppsportal.audit import audit_event, audit_record
from ppsportal.models import AppendOnlyError, AuditEvent
from tests import signin

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(operator_a, org_a):
    return audit_record(
        action="sensitive.viewed",
        actor=operator_a,
        organisation=org_a,
        object_type="partnerships.contactentry",
        object_ids=["x"],
        owner_organisation_ids=[org_a.pk],
        purpose="test",
    )


def test_an_event_records_actor_organisation_object_and_time(event, operator_a, org_a):
    assert event.actor_username == "operator-a"
    assert event.actor_id == operator_a.pk
    assert event.organisation_name == org_a.name
    assert event.object_ids == ["x"]
    assert event.owner_organisation_ids == f",{org_a.pk},"
    assert event.at is not None


def test_actions_are_dotted_names():
    with pytest.raises(ValueError):
        audit_record(action="viewed")


def test_the_model_refuses_update_and_delete(event):
    event.purpose = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(purpose="changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.purpose == "test"


@pytest.mark.postgres
def test_postgres_refuses_raw_update_and_delete_by_the_application_user(event):
    for sql in (
        "UPDATE ppsportal_auditevent SET purpose = 'changed'",
        "DELETE FROM ppsportal_auditevent",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    with connection.cursor() as cursor:
        cursor.execute("SELECT purpose FROM ppsportal_auditevent WHERE id = %s", [event.pk])
        assert cursor.fetchone() == ("test",)


def test_a_failed_sign_in_is_recorded(client, operator_a):
    client.post(
        "/accounts/login/", {"username": "operator-a", "password": "wrong"}, REMOTE_ADDR="192.0.2.7"
    )
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.detail == {"username": "operator-a", "locked": False}
    assert event.ip_address == "192.0.2.7"


def test_a_failed_api_token_request_is_recorded(api_client, operator_a):
    api_client.post(
        "/api/v1/auth/token/", {"username": "operator-a", "password": "x"}, format="json"
    )
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 1


def test_staff_search_filter_and_export_the_log_as_csv(client, nctv_staff, event):
    audit_record(action="sharing.granted", actor=nctv_staff, purpose="other")
    signin.sign_in(client, nctv_staff)
    page = client.get("/admin/ppsportal/auditevent/", {"action__exact": "sensitive.viewed"})
    assert page.status_code == 200
    assert "operator-a" in page.content.decode()
    found = client.get("/admin/ppsportal/auditevent/", {"q": "operator-a"})
    assert found.context["cl"].result_count == 1
    export = client.get(
        "/admin/ppsportal/auditevent/export/", {"action__exact": "sensitive.viewed"}
    )
    assert export.status_code == 200
    assert export["Content-Type"].startswith("text/csv")
    lines = b"".join(export.streaming_content).decode().strip().splitlines()
    assert lines[0].startswith("at,action,actor_username")
    assert len(lines) == 2 and "sensitive.viewed" in lines[1]
    assert AuditEvent.objects.filter(action="audit.exported").count() == 1


def test_the_log_cannot_be_changed_in_the_admin(client, nctv_staff, event):
    signin.sign_in(client, nctv_staff)
    assert client.get(f"/admin/ppsportal/auditevent/{event.pk}/delete/").status_code == 403
    client.post(f"/admin/ppsportal/auditevent/{event.pk}/change/", {"purpose": "x"})
    event.refresh_from_db()
    assert event.purpose == "test"


def test_partners_cannot_read_the_log(client, operator_a, event):
    signin.sign_in(client, operator_a)
    assert client.get("/admin/ppsportal/auditevent/").status_code == 302


def test_recording_saves_the_event_audit_event_builds(operator_a, org_a, rf):
    """``audit_record`` is ``audit_event`` saved: every keyword reaches the row alike."""
    fields = {
        "action": "sharing.granted",
        "actor": operator_a,
        "organisation": org_a,
        "object_type": "partnerships.contactentry",
        "object_ids": ["x", 2],
        "owner_organisation_ids": [org_a.pk, None],
        "request": rf.get("/", REMOTE_ADDR="192.0.2.7"),
        "purpose": "p" * 400,
        "detail": {"n": 1},
    }
    built = audit_event(**fields)
    saved = AuditEvent.objects.get(pk=audit_record(**fields).pk)
    columns = [f.attname for f in AuditEvent._meta.concrete_fields if f.attname not in ("id", "at")]
    assert {c: getattr(saved, c) for c in columns} == {c: getattr(built, c) for c in columns}
    assert saved.ip_address == "192.0.2.7" and len(saved.purpose) == 300


def test_recording_restates_none_of_the_events_keywords():
    """One signature: ``audit_record`` passes its keywords through to ``audit_event`` and names
    none of its own (a copied list drifts: a keyword added to one and not the other)."""
    tree = ast.parse(inspect.getsource(audit.audit_record))
    args = tree.body[0].args
    assert (args.args, args.kwonlyargs, args.vararg) == ([], [], None)
    assert args.kwarg is not None
    with pytest.raises(TypeError):
        audit_record(action="sharing.granted", no_such_field=1)
