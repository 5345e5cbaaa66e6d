"""The audit log in plain words: one sentence per entry ("Soft target: Johan Cruijff ArenA, read
by Politie Amsterdam, 3 Dec 14:02"), the same in the organisation's access log and the admin."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from partnerships.selectors import access_log_name_scope
from ppsportal.audit import audit_record
from ppsportal.audit_text import entry_sentence, entry_sentences, when_text
from ppsportal.models import AuditEvent
from tests import signin
from threats import services
from threats.models import Sector

pytestmark = pytest.mark.django_db


def make_target(by, name):
    return services.soft_target_create(
        by=by,
        name=name,
        category=Sector.objects.get(code="football_stadium"),
        municipality="Amsterdam",
        latitude=Decimal("52.3"),
        longitude=Decimal("4.9"),
        capacity=55000,
        security_contact_name="Meldkamer",
        security_contact_phone="020-0000000",
    )


def read(targets, *, by, organisation):
    return audit_record(
        action="sensitive.viewed",
        actor=by,
        organisation=organisation,
        object_type="threats.softtarget",
        object_ids=[t.public_id for t in targets],
        owner_organisation_ids=[t.operator_id for t in targets],
        purpose="/nctv/soft-targets/",
    )


@pytest.fixture
def arena(operator_a):
    return make_target(operator_a, "Johan Cruijff ArenA")


def test_a_read_reads_as_what_by_whom_and_when(arena, operator_b, org_b):
    event = read([arena], by=operator_b, organisation=org_b)
    when = timezone.localtime(event.at)
    with translation.override("en"):
        sentence = entry_sentences([event])[0]
    assert sentence == (
        f"Soft target: Johan Cruijff ArenA, read by Partner B Evenementen, "
        f"{when.day} {when:%b} {when:%H:%M}"
    )
    with translation.override("nl"):
        assert entry_sentences([event])[0].startswith(
            "Soft target: Johan Cruijff ArenA, gelezen door Partner B Evenementen, "
        )


def test_many_objects_are_named_up_to_three_and_counted_beyond(operator_a, operator_b, org_b):
    targets = [make_target(operator_a, f"Stadion {n}") for n in range(5)]
    event = read(targets, by=operator_b, organisation=org_b)
    with translation.override("en"):
        sentence = entry_sentences([event])[0]
    assert sentence.startswith("Soft targets: Stadion 0, Stadion 1, Stadion 2 and 2 more, read by")


def test_the_owner_sees_only_its_own_objects_named(arena, operator_b, org_a, org_b, nctv_staff):
    theirs = make_target(operator_b, "Evenemententerrein B")
    event = read([arena, theirs], by=nctv_staff, organisation=None)
    with translation.override("en"):
        sentence = entry_sentences([event], scope=access_log_name_scope(org_a))[0]
    assert "Johan Cruijff ArenA and 1 more" in sentence
    assert "Evenemententerrein B" not in sentence
    assert "read by nctv-staff" in sentence  # no organisation recorded: the person


def test_an_entry_without_known_objects_still_reads(operator_a, org_a):
    event = audit_record(
        action="sensitive.viewed",
        actor=operator_a,
        organisation=org_a,
        object_type="threats.softtarget",
        object_ids=["not-a-uuid", "also-not"],
    )
    with translation.override("en"):
        assert entry_sentence(event).startswith("Soft targets: 2, read by Partner A Stadion, ")


def test_older_entries_say_their_year():
    last_year = timezone.now() - datetime.timedelta(days=400)
    with translation.override("en"):
        assert str(timezone.localtime(last_year).year) in when_text(last_year)
        assert str(timezone.localtime().year) not in when_text(timezone.now())


def test_names_are_looked_up_once_per_kind_for_a_page(arena, operator_a, operator_b, org_b):
    events = [read([make_target(operator_a, "Stadion B")], by=operator_b, organisation=org_b)]
    events += [read([arena], by=operator_b, organisation=org_b) for _ in range(10)]
    with CaptureQueriesContext(connection) as queries:
        sentences = entry_sentences(events)
    assert len(queries) == 1
    assert len(sentences) == 11


def test_the_access_log_page_shows_the_sentences(client, arena, operator_a, operator_b, org_b):
    read([arena], by=operator_b, organisation=org_b)
    signin.sign_in(client, operator_a)
    page = client.get("/organisation/access-log/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    content = page.content.decode()
    assert "Soft target: Johan Cruijff ArenA, read by Partner B Evenementen, " in content
    assert "threats.softtarget" not in content
    assert "/nctv/soft-targets/" not in content


def test_the_admin_audit_log_shows_the_same_sentence(client, arena, operator_b, org_b, nctv_staff):
    event = read([arena], by=operator_b, organisation=org_b)
    signin.sign_in(client, nctv_staff)
    with translation.override("nl"):
        expected = entry_sentence(event, {("threats.softtarget", str(arena.public_id)): arena.name})
    page = client.get("/admin/ppsportal/auditevent/")
    assert page.status_code == 200
    assert expected in page.content.decode()
    assert AuditEvent.objects.count() >= 1
