"""Where a list's count comes from: in the page's query (``COUNT(*) OVER ()``) only where a read
door built the list's set anyway; a list nobody narrows (NCTV staff see everything) is counted
and paged by two queries (docs/benchmarks.md, "Where the window loses").

The door's mark is its own condition (``pk IN (<the door's set>)``), so it lasts exactly as long
as that condition confines every row.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.db import connection
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from partnerships.models import Organisation, Partnership
from partnerships.selectors import actor_for, partnerships_visible_to
from partnerships.services.partnerships import partnership_create
from ppsportal.pagination import DoorSubquery, counted_in_page, narrowed_by_door
from tests import signin
from threats import selectors as threat_selectors
from threats import services as threat_services
from threats.models import ThreatAssessment

pytestmark = pytest.mark.django_db


def door_set():
    return DoorSubquery(Organisation.objects.filter(name__startswith="Paged").values("pk"))


def door_narrowed():
    return Organisation.objects.filter(pk__in=door_set())


@pytest.mark.parametrize(
    "chain",
    [
        pytest.param(lambda qs: qs, id="as the door gives it"),
        pytest.param(lambda qs: qs.filter(kind="public"), id="filter"),
        pytest.param(lambda qs: qs.exclude(kind="public"), id="exclude"),
        pytest.param(lambda qs: qs.filter(Q(kind="public") | Q(sector="")), id="filter with OR"),
        pytest.param(lambda qs: qs.order_by("-name"), id="order_by"),
        pytest.param(lambda qs: qs.annotate(members=Count("memberships")), id="annotate"),
        pytest.param(lambda qs: qs.select_related("group"), id="select_related"),
        pytest.param(lambda qs: qs.prefetch_related("memberships"), id="prefetch_related"),
        pytest.param(lambda qs: qs.values("name"), id="values"),
        pytest.param(lambda qs: qs.all().filter(name__contains="P").order_by("pk"), id="chain"),
    ],
)
def test_the_door_s_mark_lasts_through_every_narrowing(chain):
    assert narrowed_by_door(chain(door_narrowed()))
    assert counted_in_page(chain(door_narrowed()))


@pytest.mark.parametrize(
    "widen",
    [
        pytest.param(lambda qs: Organisation.objects.all(), id="no door"),
        pytest.param(lambda qs: qs | Organisation.objects.filter(kind="public"), id="ORed"),
        pytest.param(
            lambda qs: (qs | Organisation.objects.all()).filter(kind="public"), id="ORed, filtered"
        ),
        pytest.param(lambda qs: Organisation.objects.exclude(pk__in=door_set()), id="negated"),
        pytest.param(
            lambda qs: Organisation.objects.filter(group__organisation__in=qs), id="named from out"
        ),
        pytest.param(lambda qs: qs.distinct(), id="distinct"),
    ],
)
def test_a_list_the_door_does_not_confine_is_counted_apart(widen):
    assert not counted_in_page(widen(door_narrowed()))


def test_a_door_s_list_ordered_through_a_relation_to_many_is_counted_apart(org_a):
    """Ordering by a relation to many joins one row per related row, which the window would
    count; Django's ``count()`` drops the ordering and counts each organisation once."""
    from django.core.paginator import Paginator

    from ppsportal.pagination import CountedPaginator
    from tests.factories import OrganisationFactory, UserFactory

    paged = OrganisationFactory(name="Paged A")
    OrganisationFactory(name="Paged B")
    for username in ("paged1", "paged2", "paged3"):
        UserFactory(username=username, organisation=paged)
    rows = door_narrowed().order_by("memberships__user__username")
    assert not counted_in_page(rows)
    assert not counted_in_page(door_narrowed().order_by(F("memberships__role").desc()))
    assert counted_in_page(door_narrowed().order_by("group__name", "-name"))
    assert CountedPaginator(rows, 2).page(1).paginator.count == Paginator(rows, 2).count == 2


def test_a_door_s_list_filtered_on_a_window_is_counted_apart():
    """A filter on a window is applied around the page's query: a count taken inside it would
    count the rows before that filter."""
    from django.core.paginator import Paginator
    from django.db.models import Window
    from django.db.models.functions import RowNumber

    from ppsportal.pagination import CountedPaginator
    from tests.factories import OrganisationFactory

    for name in ("Paged A", "Paged B", "Paged C"):
        OrganisationFactory(name=name)
    rows = (
        door_narrowed()
        .annotate(n=Window(RowNumber(), order_by="name"))
        .filter(n__lte=2)
        .order_by("name")
    )
    assert not counted_in_page(rows)
    assert CountedPaginator(rows, 50).page(1).paginator.count == Paginator(rows, 50).count == 2


def test_a_door_s_subquery_carries_no_ordering_into_its_set():
    """A door's set is a set: the ordering of the queryset it was built from (and the joins that
    ordering needs) stays out of the ``IN (…)``, as Django leaves it out of ``pk__in=queryset``."""
    from partnerships.models import PartnershipMember

    ordered = PartnershipMember.objects.filter(left_on__isnull=True).values("partnership_id")
    assert ordered.query.get_meta().ordering  # the model orders by partnership, organisation
    sql = str(Partnership.objects.filter(pk__in=DoorSubquery(ordered)).order_by().query)
    assert "ORDER BY" not in sql
    assert sql.count("JOIN") == 0


# --- the doors ----------------------------------------------------------------------------------


@pytest.fixture
def assessment(nctv_staff):
    return threat_services.assessment_create(
        by=nctv_staff,
        title="Dreiging rond stadions",
        summary="Samenvatting",
        valid_from=timezone.localdate(),
        tlp="clear",
    )


@pytest.fixture
def partnership(org_a):
    return partnership_create(name="ArenA Amsterdam", members=[(org_a, "coordinator")])


def test_the_sharing_door_marks_a_partner_s_list_and_not_staff_s(
    assessment, operator_a, nctv_staff
):
    partner = threat_selectors.assessments_visible_to(actor_for(operator_a))
    staff = threat_selectors.assessments_visible_to(actor_for(nctv_staff))
    assert list(partner) == list(staff) == [assessment]
    assert counted_in_page(partner)
    assert not counted_in_page(staff)  # staff see everything: nothing confines the list


def test_the_partnerships_door_marks_a_party_s_list_and_not_staff_s(
    partnership, operator_a, nctv_staff
):
    party = partnerships_visible_to(actor_for(operator_a))
    staff = partnerships_visible_to(actor_for(nctv_staff))
    assert list(party) == list(staff) == [partnership]
    assert counted_in_page(party)
    assert not counted_in_page(staff)


# --- through the dashboard and the API ----------------------------------------------------------


@contextmanager
def statements():
    """The SQL of each statement sent, as the ORM wrote it (before ``ppsportal.compiled`` turns
    the door's into ``EXECUTE`` of a prepared statement)."""
    sent: list[str] = []

    def spy(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    connection.ensure_connection()
    connection.execute_wrappers.insert(0, spy)  # outermost: sees the statement as written
    try:
        yield sent
    finally:
        connection.execute_wrappers.remove(spy)


def of_list(sent: list[str], table: str) -> list[str]:
    return [sql for sql in sent if f'FROM "{table}"' in sql]


def listed(client, user, url: str, table: str) -> list[str]:
    signin.sign_in(client, user)
    client.get(url)  # what a first request caches
    with statements() as sent:
        assert client.get(url).status_code == 200
    return of_list(sent, table)


LISTS = [
    pytest.param(lambda: reverse("assessment-list"), ThreatAssessment, id="dashboard"),
    pytest.param(lambda: reverse("api:threat-assessment-list"), ThreatAssessment, id="api"),
    pytest.param(lambda: reverse("api:partnership-list"), Partnership, id="api partnerships"),
]


@pytest.mark.parametrize(("url", "model"), LISTS)
def test_a_partner_s_door_list_is_one_query_with_the_window(
    client, assessment, partnership, operator_a, url, model
):
    sent = listed(client, operator_a, url(), model._meta.db_table)
    assert len(sent) == 1, sent
    assert "COUNT(*) OVER ()" in sent[0]


@pytest.mark.parametrize(("url", "model"), LISTS)
def test_staff_s_unnarrowed_list_is_counted_and_paged_apart(
    client, assessment, partnership, nctv_staff, url, model
):
    sent = listed(client, nctv_staff, url(), model._meta.db_table)
    assert len(sent) == 2, sent
    count, page = sent
    assert 'COUNT(*) AS "__count"' in count
    assert "OVER" not in count and "OVER" not in page
