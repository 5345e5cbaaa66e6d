"""List endpoints run a fixed number of queries, however many rows they show.

Each count is pinned: with 2 partnerships and with 12 (each with members, a signed covenant with
tasks, contacts with participants and actions, and costs) the same number of queries runs.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from partnerships.services.contacts import (
    action_create,
    contact_create,
    cost_allocation_set,
    cost_item_create,
)
from partnerships.services.covenants import covenant_create
from partnerships.services.partnerships import partnership_create
from tests.factories import OrganisationFactory
from tests.partnerships.api.conftest import days_ago, days_ahead
from tests.signin import second_factor_queries

pytestmark = pytest.mark.django_db

# Session, user and membership (who is asking), then the page's own queries; a list's count
# comes with its page, in one query, where a read door built the list's set (the partner's
# partnerships and contacts), and apart, one query more, elsewhere (ppsportal.pagination):
# NCTV staff's lists, and lists that reach the door's rows from another model (APART).
PARTNERSHIP_LIST = 3 + 4  # partnerships with health annotations, members, covenants, their
#                           signatories
COVENANT_LIST = 3 + 3  # covenants with partnership, signatories, tasks
CONTACT_LIST = 3 + 1  # entries with partnership/owner/author, their participants and actions
ACTION_LIST = 3 + 1  # actions with partnership/owner/contact
APART = {"/api/v1/covenants/", "/api/v1/actions/"}  # partnership__in=<the door>: counted apart


def build(n: int, *, coordinator, author) -> None:
    """``n`` partnerships that ``coordinator`` and a fresh organisation sit in, fully filled."""
    for _ in range(n):
        other = OrganisationFactory(kind="public", sector="")
        partnership = partnership_create(
            name=f"Partnership {other.name}",
            members=[(coordinator, "coordinator"), (other, "municipality")],
        )
        covenant_create(
            partnership=partnership,
            title=f"Covenant {other.name}",
            effective_from=days_ago(30),
            signatories=[(coordinator, days_ago(31)), (other, days_ago(31))],
            tasks=[(coordinator, "Cameras"), (other, "Crowds")],
        )
        for days in (3, 40):
            entry = contact_create(
                partnership=partnership,
                by=author,
                occurred_on=days_ago(days),
                kind="meeting",
                summary="Overleg",
                participants=[coordinator, other],
            )
            for owner in (coordinator, other):
                action_create(
                    partnership=partnership,
                    contact=entry,
                    description="Follow up",
                    owner=owner,
                    due_on=days_ahead(days - 10),
                )
        cost_item_create(
            partnership=partnership,
            description="Cameras",
            amount=Decimal("100"),
            period_start=days_ago(10),
            period_end=days_ahead(10),
        )
        cost_allocation_set(partnership=partnership, shares={coordinator: 50, other: 50}, by=author)


@pytest.mark.parametrize(
    ("url", "queries", "rows_per_partnership"),
    [
        ("/api/v1/partnerships/", PARTNERSHIP_LIST, 1),
        # ordered by health in the database (health_sql.with_health_status): as the list
        ("/api/v1/partnerships/?ordering=-health", PARTNERSHIP_LIST, 1),
        ("/api/v1/covenants/", COVENANT_LIST, 1),
        ("/api/v1/contacts/", CONTACT_LIST, 2),
        ("/api/v1/actions/", ACTION_LIST, 4),
    ],
)
@pytest.mark.parametrize("persona", ["operator_a", "nctv_staff"])
def test_lists_run_a_fixed_number_of_queries(
    request,
    client_for,
    django_assert_num_queries,
    org_a,
    operator_a,
    url,
    queries,
    persona,
    rows_per_partnership,
):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    queries += second_factor_queries(user)
    if persona == "nctv_staff" or url in APART:
        queries += 1  # the count apart from the page
    build(2, coordinator=org_a, author=operator_a)
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.json()["count"] == 2 * rows_per_partnership

    build(10, coordinator=org_a, author=operator_a)
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.json()["count"] == 12 * rows_per_partnership


def test_partnership_detail_runs_a_fixed_number_of_queries(
    client_for, django_assert_num_queries, org_a, operator_a
):
    from partnerships.models import Partnership

    client = client_for(operator_a)
    build(1, coordinator=org_a, author=operator_a)
    url = f"/api/v1/partnerships/{Partnership.objects.get().public_id}/"
    # who is asking (3), the partnership with health data (4), costs: total and shares (2)
    with django_assert_num_queries(9):
        assert client.get(url).status_code == 200
