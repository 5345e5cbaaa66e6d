"""The contact list builds its items from plain values (``ContactListSerializer``), not through
``ContactSerializer`` field by field: each item must be exactly what the serializer shows for
the same entry — the same keys in the same order, the same values and types, labels in the
request's language, ``shared_under`` for what was received by a grant."""

from __future__ import annotations

import json
import uuid
from types import SimpleNamespace

import pytest
from django.db.models import Prefetch
from django.utils import translation
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from partnerships.api.contacts import ContactSerializer
from partnerships.models import Action, ContactEntry
from partnerships.services.contacts import action_create, action_set_done, contact_create
from tests.partnerships.api.conftest import days_ago, days_ahead
from tests.partnerships.partner_world import build_partner_world, share

pytestmark = pytest.mark.django_db


def api_as(user, language="en"):
    client = APIClient()
    client.force_authenticate(user)
    client.credentials(HTTP_ACCEPT_LANGUAGE=language)
    return client


def exact(value) -> str:
    """JSON text that differs whenever keys, their order, values or types differ."""
    return json.dumps(value, ensure_ascii=False)


@pytest.fixture
def entries(partnership_a, operator_a, org_a, municipality):
    """Entries of every shape: several participants, no action, an open and a done action, an
    author removed (``created_by`` null), each kind and level the list may show."""
    derby = contact_create(
        partnership=partnership_a,
        by=operator_a,
        occurred_on=days_ago(10),
        kind="meeting",
        summary="Derby",
        participants=[org_a, municipality],
        tlp="amber",
    )
    for description, due, done in [("Camera", 20, False), ("Hekken", 5, True)]:
        action = action_create(
            partnership=partnership_a,
            contact=derby,
            description=description,
            owner=org_a if done else municipality,
            due_on=days_ahead(due),
        )
        if done:
            action_set_done(action=action, done=True)
    call = contact_create(
        partnership=partnership_a,
        by=operator_a,
        occurred_on=days_ago(3),
        kind="call",
        summary="Bellen",
        participants=[municipality],
    )
    ContactEntry.objects.filter(pk=call.pk).update(created_by=None)
    exercise = contact_create(
        partnership=partnership_a,
        by=operator_a,
        occurred_on=days_ago(1),
        kind="exercise",
        summary="Oefening",
        participants=[org_a],
        tlp="clear",
    )
    return [derby, call, exercise]


def as_the_api_reads_them(pks):
    return list(
        ContactEntry.objects.filter(pk__in=pks)
        .order_by("-occurred_on")
        .select_related("partnership", "owner_organisation", "created_by")
        .prefetch_related(
            "participants", Prefetch("actions", queryset=Action.objects.select_related("owner"))
        )
    )


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_list_serializer_renders_what_the_serializer_renders_per_entry(entries, language):
    rows = as_the_api_reads_them([e.pk for e in entries])
    with translation.override(language):
        listed = JSONRenderer().render(ContactSerializer(rows, many=True).data)
        each = JSONRenderer().render([ContactSerializer(row).data for row in rows])
    assert listed == each
    assert [item["summary"] for item in json.loads(listed)] == ["Oefening", "Bellen", "Derby"]
    derby = json.loads(listed)[2]
    # an open and a done action, in the model's order (where NULL sorts is the database's)
    assert sorted(a["done"] for a in derby["actions"]) == [False, True]
    assert json.loads(listed)[1]["created_by"] is None


def test_the_list_runs_as_many_queries_without_a_prefetch(entries, django_assert_num_queries):
    rows = list(
        ContactEntry.objects.filter(pk__in=[e.pk for e in entries]).select_related(
            "partnership", "owner_organisation", "created_by"
        )
    )
    with django_assert_num_queries(2):  # participants, actions: the prefetch's two
        ContactSerializer(rows, many=True).data  # noqa: B018


def test_a_queryset_handed_to_the_list_is_read_as_it_is_not_again(
    entries, django_assert_num_queries
):
    """What the read door set on the fetched rows (``shared_under``) stays: a queryset already
    read is listed from its rows, not fetched again as new instances (as DRF reads a manager)."""
    from partnerships.sharing.partner import SharedUnder

    rows = ContactEntry.objects.filter(pk=entries[0].pk).select_related(
        "partnership", "owner_organisation", "created_by"
    )
    (row,) = rows  # the queryset's rows, as a page without pagination holds them
    covenant = SimpleNamespace(public_id=uuid.uuid4(), title="Convenant", purpose="Veiligheid")
    row.shared_under = SharedUnder(covenant=covenant, sharer=None)
    with django_assert_num_queries(2):  # participants, actions: nothing fetched again
        listed = ContactSerializer(rows, many=True).data
    assert listed[0]["shared_under"]["covenant"]["id"] == str(covenant.public_id)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_each_listed_entry_is_its_detail(client_for, operator_a, entries, language):
    client = client_for(operator_a, language=language)
    listed = client.get("/api/v1/contacts/").json()["results"]
    assert len(listed) == 3
    for item in listed:
        detail = client.get(f"/api/v1/contacts/{item['id']}/").json()
        assert exact(item) == exact(detail)


def test_an_entry_received_by_a_grant_lists_as_its_detail_with_its_covenant():
    w = build_partner_world()
    share(w)
    receiver = api_as(w.users["b1"])
    listed = receiver.get("/api/v1/contacts/").json()["results"]
    received = [item for item in listed if item["shared_under"] is not None]
    assert [item["id"] for item in received] == [str(w.entries["amber"].public_id)]
    for item in listed:
        detail = receiver.get(f"/api/v1/contacts/{item['id']}/").json()
        assert exact(item) == exact(detail)


@pytest.mark.django_db(transaction=True)
def test_a_page_read_outside_a_transaction_is_audited_by_one_insert_and_no_transaction(
    entries, operator_a
):
    """A request runs in autocommit (no ATOMIC_REQUESTS): the page's entry is one INSERT,
    without a BEGIN and COMMIT of its own around it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ppsportal.models import AuditEvent

    with CaptureQueriesContext(connection) as ctx:
        response = api_as(operator_a).get("/api/v1/contacts/")
    assert response.status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    assert [s for s in sql if "ppsportal_auditevent" in s and s.startswith("INSERT")] != []
    assert len([s for s in sql if s.startswith('INSERT INTO "ppsportal_auditevent"')]) == 1
    assert not [s for s in sql if s in ("BEGIN", "COMMIT")], sql
    [event] = AuditEvent.objects.filter(action="sensitive.viewed")
    assert event.object_ids == [str(entries[0].public_id)]  # the AMBER one
    assert event.purpose == "api list"


def test_the_covenants_read_with_the_page_are_those_the_read_door_asks_for():
    """The list reads the covenant each entry was shared under in its page's query
    (``with_shared_under``); the read door answers it for rows read without it by its own
    queries (``shared_under_map``). Both must name the same covenant and sharer: a grant to the
    organisation first, else one to the user; nothing for what is the reader's own or open."""
    from partnerships.selectors import actor_for, contacts_visible_to
    from partnerships.sharing import services as sharing
    from partnerships.sharing.partner import shared_under_map, with_shared_under

    w = build_partner_world()
    share(w)  # AMBER to B's organisation
    sharing.share_with_user(
        obj=w.entries["red"],
        user=w.users["b1"],
        covenant=w.covenants["red"],
        by=w.users["a1"],
        reason="Onderzoek",
    )
    actor = actor_for(w.users["b1"])
    plain = list(contacts_visible_to(actor))
    joined = list(with_shared_under(actor, contacts_visible_to(actor)))
    asked = shared_under_map(actor, plain)
    read = shared_under_map(actor, joined)
    # the joined rows carry the covenants themselves (the door did not ask again)
    assert all(hasattr(o, "shared_under_row") for o in joined)

    def named(found):
        return {
            pk: (under.covenant.pk, under.as_dict(), under.sharer.pk, under.sharer.public_id)
            for pk, under in found.items()
        }

    assert named(read) == named(asked)
    assert {under.covenant.pk for under in read.values()} == {
        w.covenants["amber"].pk,
        w.covenants["red"].pk,
    }
    listed = api_as(w.users["b1"]).get("/api/v1/contacts/").json()["results"]
    under = {item["id"]: item["shared_under"] for item in listed}
    assert under[str(w.entries["red"].public_id)]["covenant"]["title"] == "Convenant red"
    assert under[str(w.entries["clear"].public_id)] is None


def test_covenants_read_with_the_page_for_one_user_are_not_handed_to_another():
    """``with_shared_under`` reads the covenants for one organisation, user and day; rows
    fetched so and handed to the read door for someone else are asked about again: b2 does not
    get the covenant of a grant made to b1 alone, though b1's rows carry it."""
    from partnerships.selectors import actor_for, contacts_visible_to
    from partnerships.sharing import services as sharing
    from partnerships.sharing.partner import (
        SHARED_UNDER_ROW,
        shared_under_map,
        with_shared_under,
    )

    w = build_partner_world()
    share(w)  # AMBER to B's organisation: b1 and b2 alike
    sharing.share_with_user(
        obj=w.entries["red"],
        user=w.users["b1"],
        covenant=w.covenants["red"],
        by=w.users["a1"],
        reason="Onderzoek",
    )
    b1, b2 = actor_for(w.users["b1"]), actor_for(w.users["b2"])
    fetched_for_b1 = list(with_shared_under(b1, contacts_visible_to(b1)))
    assert any(getattr(o, SHARED_UNDER_ROW) is not None for o in fetched_for_b1)
    for_b1 = shared_under_map(b1, fetched_for_b1)
    assert for_b1[w.entries["red"].pk].covenant.pk == w.covenants["red"].pk

    for_b2 = shared_under_map(b2, fetched_for_b1)
    assert w.entries["red"].pk not in for_b2
    assert for_b2 == shared_under_map(b2, list(contacts_visible_to(b1)))
    assert {under.covenant.pk for under in for_b2.values()} == {w.covenants["amber"].pk}
