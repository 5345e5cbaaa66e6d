"""The dashboard's lists go a page at a time, through one helper and one navigation.

The navigation is a landmark with a name, marks the current page, keeps the other query
parameters (filters, ordering) in its links and speaks the reader's language.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.paginator import EmptyPage, InvalidPage, Paginator
from django.db.models import Count, Q
from django.urls import reverse

from partnerships.models import Organisation
from ppsportal import pagination
from ppsportal.pagination import TOTAL, CountedPaginator, DoorSQL, DoorSubquery
from tests import signin
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seven_members(org_a, operator_a, monkeypatch):
    monkeypatch.setattr(pagination, "PAGE_SIZE", 3)
    for i in range(6):
        UserFactory(username=f"lid-{i}", organisation=org_a, role="viewer")


def page(client, user, query, language="en"):
    signin.sign_in(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(reverse("member-list") + query)


def test_a_long_list_shows_one_page_and_a_navigation(client, operator_a, seven_members):
    response = page(client, operator_a, "?page=2&sort=name")
    html = response.content.decode()
    assert [m.user.username for m in response.context["members"]] == ["lid-3", "lid-4", "lid-5"]
    nav = re.search(r'<nav class="pagination" aria-label="Pages">(.*?)</nav>', html, re.S)
    assert nav, "the page navigation is a named landmark"
    links = nav.group(1)
    assert "Page 2 of 3" in links
    assert re.search(r'<a href="\?page=2&amp;sort=name" aria-current="page">2</a>', links)
    assert 'href="?page=1&amp;sort=name" rel="prev"' in links  # the filters are kept
    assert 'href="?page=3&amp;sort=name" rel="next"' in links


def test_the_navigation_speaks_dutch(client, operator_a, seven_members):
    html = page(client, operator_a, "?page=3", language="nl").content.decode()
    assert 'aria-label="Pagina\'s"' in html
    assert "Pagina 3 van 3" in html
    assert "Vorige" in html


def test_a_bad_page_number_gives_a_page_not_an_error(client, operator_a, seven_members):
    assert page(client, operator_a, "?page=abc").context["page"].number == 1
    assert page(client, operator_a, "?page=99").context["page"].number == 3


def test_a_short_list_has_no_navigation(client, operator_a):
    assert '<nav class="pagination"' not in page(client, operator_a, "").content.decode()


# --- The count and the page from one query (ppsportal.pagination.CountedPaginator) -------------
#
# Every list, dashboard and API, pages with ``CountedPaginator``: where a read door built the
# list's set, the page's query carries ``COUNT(*) OVER ()``, so the count costs no query of its
# own (the door runs once, not twice: docs/benchmarks.md, B3); elsewhere the count and the page
# are two queries. Its answers are Django's ``Paginator``'s, the two-query answer, for every page
# number, either way.


@pytest.fixture
def seven_organisations(db):
    for name in "ABCDEFG":
        OrganisationFactory(name=f"Paged {name}")


def keyed_door() -> DoorSQL:
    """A door's set as the sharing engine gives one: ``DoorSQL`` with a keyed form (each row's
    primary key and the columns asked for), every row twice, as a row two arms reach."""
    named = Organisation.objects.filter(name__startswith="Paged")

    def keyed(keys):
        arm = named.order_by().values("pk", *keys)
        return arm.union(arm, all=True).query.sql_with_params()

    return DoorSQL(*keyed(()), keyed=keyed)


def paged(*, door: bool | str = True):
    """Seven organisations in a fixed order (``seven_organisations``), confined by a door's set
    (``DoorSubquery``: counted in the page; ``"keyed"``: a door with a keyed set, paged by its
    keys) unless ``door`` is false (counted apart)."""
    named = Organisation.objects.filter(name__startswith="Paged")
    if door == "keyed":
        rows = Organisation.objects.filter(pk__in=keyed_door())
    else:
        rows = named.filter(pk__in=DoorSubquery(named.values("pk"))) if door else named
    return rows.order_by("name", "pk")


def answer(paginator, number) -> tuple:
    """What a page says: its rows, number, neighbours and the paginator's totals, or the error."""
    try:
        page = paginator.page(number)
    except InvalidPage as error:
        return type(error).__name__, str(error)
    return (
        [getattr(row, "name", row) for row in page],
        page.number,
        page.has_next(),
        page.has_previous(),
        page.start_index(),
        page.end_index(),
        paginator.count,
        paginator.num_pages,
    )


NUMBERS = [1, 2, 3, 4, 9, "2", 2.0, 0, -1, "abc", None, 2.5, 2**70, str(2**70)]


DOOR = pytest.mark.parametrize(
    "door", ["keyed", True, False], ids=["keyed door", "door", "no door"]
)


@DOOR
@pytest.mark.parametrize("number", NUMBERS)
@pytest.mark.parametrize(("per_page", "orphans"), [(3, 0), (3, 1), (7, 0), (2, 1), (50, 0)])
def test_every_page_says_what_the_two_query_paginator_says(
    seven_organisations, number, per_page, orphans, door
):
    counted = CountedPaginator(paged(door=door), per_page, orphans=orphans)
    plain = Paginator(paged(door=door), per_page, orphans=orphans)
    assert answer(counted, number) == answer(plain, number)


@DOOR
@pytest.mark.parametrize("number", NUMBERS)
def test_get_page_falls_back_as_django_does(seven_organisations, number, door):
    counted = CountedPaginator(paged(door=door), 3).get_page(number)
    plain = Paginator(paged(door=door), 3).get_page(number)
    assert (list(counted), counted.number) == (list(plain), plain.number)


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param(lambda qs: qs.values("name", "kind"), id="values"),
        pytest.param(lambda qs: qs.values_list("name", flat=True), id="values_list"),
        pytest.param(lambda qs: qs.annotate(members=Count("memberships")), id="aggregate"),
        pytest.param(
            lambda qs: qs.values("kind").annotate(n=Count("pk")).order_by("kind"), id="grouped"
        ),
        pytest.param(
            lambda qs: (
                Organisation.objects.filter(
                    Q(name__startswith="Paged") | Q(memberships__isnull=False)
                )
                .distinct()
                .order_by("name", "pk")
            ),
            id="distinct",
        ),
        pytest.param(lambda qs: qs.order_by().union(qs.order_by()).order_by("name"), id="union"),
        pytest.param(lambda qs: qs.select_for_update(), id="for update"),
        pytest.param(lambda qs: list(qs), id="list"),
        pytest.param(lambda qs: qs.none(), id="empty"),
    ],
)
@pytest.mark.parametrize("number", [1, 2, 3, 4])
@pytest.mark.parametrize("door", ["keyed", True], ids=["keyed door", "door"])
def test_every_shape_of_list_pages_alike(seven_organisations, operator_a, shape, number, door):
    counted = CountedPaginator(shape(paged(door=door)), 3)
    assert answer(counted, number) == answer(Paginator(shape(paged(door=door)), 3), number)


@pytest.mark.parametrize("door", ["keyed", True], ids=["keyed door", "door"])
def test_rows_carry_no_trace_of_the_count(seven_organisations, door):
    (instance,) = CountedPaginator(paged(door=door), 1).page(1)
    assert not hasattr(instance, TOTAL)
    (row,) = CountedPaginator(paged(door=door).values("name"), 1).page(1)
    assert row == {"name": "Paged A"}


# --- A door with a keyed set: the page cut from its keys (``door_page``, a deferred join) ------
#
# The door gives its primary keys with the ordering's columns, read from the rows its arms reach
# anyway; they are sorted, counted and cut to the page before a row is fetched, and only the
# page's rows are fetched by primary key (docs/benchmarks.md, B3).


@pytest.mark.parametrize(
    "ordering",
    [("name", "pk"), ("-name", "-pk"), ("kind", "-pk"), ("-kind", "name", "id")],
    ids=["name", "name descending", "ties broken by pk", "three columns"],
)
@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_a_keyed_door_s_page_is_cut_from_its_keys_in_one_query(
    seven_organisations, ordering, number, django_assert_num_queries
):
    rows = paged(door="keyed").order_by(*ordering)
    # page 4 finds the orphan page 3 took in (the end is known); page 5 nothing: counted apart
    with django_assert_num_queries(2 if number == 5 else 1) as captured:
        said = answer(CountedPaginator(rows, 2, orphans=1), number)
    assert said == answer(Paginator(rows, 2, orphans=1), number)
    assert captured[0]["sql"].startswith("WITH pps_door(")
    assert "COUNT(*) OVER ()" in captured[0]["sql"]


@pytest.mark.parametrize(
    "narrow",
    [
        pytest.param(lambda qs: qs.filter(kind="public"), id="another condition"),
        pytest.param(lambda qs: qs.order_by("kind"), id="ties left to the database"),
        pytest.param(lambda qs: qs.order_by("group__name", "pk"), id="ordered through a join"),
        pytest.param(
            lambda qs: qs.annotate(n=Count("memberships")).order_by("n", "pk"), id="annotated"
        ),
        pytest.param(lambda qs: qs.filter(group__name__startswith="x"), id="a join"),
    ],
)
def test_a_keyed_door_s_list_it_cannot_cut_is_paged_with_the_window(
    seven_organisations, narrow, django_assert_num_queries
):
    rows = narrow(paged(door="keyed"))
    with django_assert_num_queries(1) as captured:
        page = CountedPaginator(rows, 3).page(1)
    assert "pps_door" not in captured[0]["sql"]
    assert "COUNT(*) OVER ()" in captured[0]["sql"]
    assert (page.paginator.count, len(page)) == (rows.count(), min(3, rows.count()))


def test_behind_a_door_count_and_page_are_one_query(seven_organisations, django_assert_num_queries):
    with django_assert_num_queries(1) as captured:
        page = CountedPaginator(paged(), 3).page(2)
        assert [o.name for o in page] == ["Paged D", "Paged E", "Paged F"]
        assert (page.paginator.count, page.paginator.num_pages, page.has_next()) == (7, 3, True)
    assert "COUNT(*) OVER ()" in captured[0]["sql"]


def test_a_list_no_door_narrowed_is_counted_apart(seven_organisations, django_assert_num_queries):
    # the window would read the whole list before LIMIT (docs/benchmarks.md, "Where the window
    # loses"): a COUNT, then the page as Django takes it
    with django_assert_num_queries(2) as captured:
        page = CountedPaginator(paged(door=False), 3).page(2)
        assert [o.name for o in page] == ["Paged D", "Paged E", "Paged F"]
        assert (page.paginator.count, page.paginator.num_pages, page.has_next()) == (7, 3, True)
    assert not [q for q in captured if "OVER" in q["sql"]]


def test_an_empty_list_is_one_query(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = CountedPaginator(paged(), 3).page(1)
        assert (list(page), page.paginator.count, page.paginator.num_pages) == ([], 0, 1)


def test_only_a_page_past_the_end_counts_apart(seven_organisations, django_assert_num_queries):
    # the empty page, then the count: where the end is
    with django_assert_num_queries(2), pytest.raises(EmptyPage):
        CountedPaginator(paged(), 3).page(4)
    with django_assert_num_queries(3):  # get_page then gives the last page
        page = CountedPaginator(paged(), 3).get_page(9)
        assert (page.number, [o.name for o in page]) == (3, ["Paged G"])


def test_a_list_that_cannot_take_the_window_is_counted_apart(
    seven_organisations, django_assert_num_queries
):
    with django_assert_num_queries(2):
        page = CountedPaginator(paged().distinct(), 3).page(1)
        assert (len(page), page.paginator.count) == (3, 7)
