"""A partner's list behind the read door is paged from the door's keys (a deferred join,
``ppsportal.pagination.door_page``): the door gives each visible row's primary key with the
ordering's columns, the keys are sorted, counted and cut to the page, and only the page's rows
are fetched. The keyed set is the door's own set (one rule, ``partnerships.sharing.selectors``),
and the pages are Django's ``Paginator``'s (docs/benchmarks.md, B3)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core.paginator import InvalidPage, Paginator
from django.db import connection
from django.utils import timezone

from partnerships.models import ContactEntry
from partnerships.selectors import actor_for, contacts_visible_to
from partnerships.sharing.registry import all_specs
from partnerships.sharing.selectors import visible_q
from ppsportal.pagination import CountedPaginator, DoorSQL
from tests.partnerships.sharing_world import build_world, share, share_red_with_b1

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    w = build_world(extra_entries=6)
    today = timezone.localdate()
    # some entries a day older: the ordering's first column and its ties both decide
    ContactEntry.objects.filter(summary__in=["Extra 1", "Extra 4"]).update(
        occurred_on=today - timedelta(days=1)
    )
    extra = ContactEntry.objects.filter(summary__startswith="Extra").order_by("pk")
    share(w, [w.entries["amber"], *extra[:4]], "B", "amber")
    share_red_with_b1(w)
    return w


def actor(user):
    return actor_for(type(user).objects.select_related("membership__organisation").get(pk=user.pk))


def test_the_keyed_set_is_the_door_s_set_with_each_row_s_columns(w):
    """Every user of the world and every shareable model the door compiles: the keyed set's
    primary keys are the door's, each with its row's own columns."""
    users = [*w.users.values(), w.staff]
    keyed_runs = 0
    for spec in all_specs():
        model = spec.model._base_manager
        opts = spec.model._meta
        # the model's own ordering columns, as the paginator asks for them, and its level
        names = [name.lstrip("-") for name in opts.ordering if "__" not in name]
        keys = tuple(
            name
            for name in dict.fromkeys([*names, spec.tlp_field])
            if name != "pk"
            and not opts.get_field(name).is_relation
            and not opts.get_field(name).primary_key
        )
        for user in users:
            q = visible_q(actor(user), spec)
            if q is None or not isinstance(q.children[0][1], DoorSQL):
                continue
            door = q.children[0][1]
            if door.keyed is None:
                continue
            keyed_runs += 1
            # read through the ORM's converters (a date is text on SQLite)
            sql, params = door.keyed(keys)
            read = model.raw(sql, params, translations={"pk": opts.pk.attname})
            got = {(o.pk, *(getattr(o, k) for k in keys)) for o in read}
            expected = set(model.filter(q).values_list("pk", *keys))
            assert got == expected, (spec.label, user.username)
    assert keyed_runs >= len(w.users)


@contextmanager
def written():
    """The statements as the ORM wrote them (outermost: before ``ppsportal.compiled`` sends the
    door's as ``EXECUTE`` of a prepared statement)."""
    sent: list[str] = []

    def spy(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    connection.ensure_connection()
    connection.execute_wrappers.insert(0, spy)
    try:
        yield sent
    finally:
        connection.execute_wrappers.remove(spy)


def answer(paginator, number) -> tuple:
    try:
        page = paginator.page(number)
    except InvalidPage as error:
        return type(error).__name__, str(error)
    return ([e.pk for e in page], page.number, paginator.count, paginator.num_pages)


@pytest.mark.parametrize("username", ["a1", "b1", "b2", "c1", "d1"])
@pytest.mark.parametrize("per_page", [1, 2, 3, 50])
def test_a_partner_s_contact_list_is_cut_from_the_door_s_keys_as_django_pages_it(
    w, username, per_page, django_assert_num_queries
):
    who = actor(w.users[username])
    rows = contacts_visible_to(who)
    plain = Paginator(rows, per_page)
    for number in range(1, plain.num_pages + 2):
        counted = CountedPaginator(contacts_visible_to(who), per_page)
        with django_assert_num_queries(1 if number <= plain.num_pages else 2), written() as sent:
            said = answer(counted, number)
        assert said == answer(plain, number), (username, number)
        assert sent[0].startswith("WITH pps_door(")


@pytest.mark.parametrize(
    "ordering", [("occurred_on", "-occurred_on", "pk"), ("-occurred_on", "occurred_on", "-pk")]
)
def test_a_column_sorted_on_twice_is_paged_as_django_pages_it(w, ordering):
    """A later term on a column already sorted on changes nothing (the API's ``?ordering=`` passes
    repeats on): the keyed set names each column once (it had two names for one column: 500)."""
    who = actor(w.users["b1"])
    rows = contacts_visible_to(who).order_by(*ordering)
    plain = Paginator(rows, 2)
    for number in range(1, plain.num_pages + 1):
        with written() as sent:
            said = answer(CountedPaginator(contacts_visible_to(who).order_by(*ordering), 2), number)
        assert said == answer(plain, number), number
        assert sent[0].startswith("WITH pps_door(")


def test_a_reversed_list_is_paged_from_the_right_end(w):
    """``reverse()`` flips the ordering the keys would be cut by: such a list takes the window's
    page, whose ordering is the queryset's own."""
    who = actor(w.users["b1"])
    plain = Paginator(contacts_visible_to(who).reverse(), 2)
    for number in range(1, plain.num_pages + 1):
        counted = CountedPaginator(contacts_visible_to(who).reverse(), 2)
        assert answer(counted, number) == answer(plain, number), number


def test_the_api_list_with_a_repeated_ordering_term_answers(w):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(w.users["b1"])
    response = client.get("/api/v1/contacts/?ordering=occurred_on,-occurred_on")
    assert response.status_code == 200, response.content[:300]
    again = client.get("/api/v1/contacts/?ordering=occurred_on")
    assert [r["id"] for r in response.json()["results"]] == [
        r["id"] for r in again.json()["results"]
    ]
