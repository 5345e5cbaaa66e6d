"""List endpoints run a fixed number of queries, however many rows they show.

Each count is pinned with 3 and with 30 rows (assessments with categories and facets, soft
targets with measures and scale-up steps in both forms, reports with replies, sectors with
packages), for a partner and for NCTV staff.
"""

from __future__ import annotations

import pytest

from partnerships.sharing import services as sharing
from tests.signin import second_factor_queries
from tests.threats.api.conftest import make_assessment, make_target
from threats import services
from threats.models import Sector, SoftTarget

pytestmark = pytest.mark.django_db

WHO = 3  # session, user, membership with organisation: who is asking
# A list's count comes with its page, in one query (ppsportal.pagination).
# assessments (visibility in one query with subqueries), facets, categories, audit entry; for a
# partner also the covenants of the page's grants (``shared_under``, one query per page)
ASSESSMENTS = {"operator_a": WHO + 5, "nctv_staff": WHO + 4 + 1}  # staff: count apart
# targets with category/operator/partnership, measures, scale-up steps, which are seen in full
# (partners only: staff see all), audit entry
# (+ the count apart for both: the partner's targets are narrowed by columns, no door's set)
SOFT_TARGETS = {"operator_a": WHO + 5 + 1, "nctv_staff": WHO + 4 + 1}
# reports, replies with authors, attachments, one audit entry per page; staff's count apart
REPORTS = {"operator_a": WHO + 4, "nctv_staff": WHO + 4 + 1}
# session and user (sectors are the same for everyone), sectors with their current level,
# measure packages
SECTORS = 2 + 3  # (+ the sectors' count apart: nothing narrows them)

ROUNDS = [(3, 3), (30, 27)]  # (rows in the list, rows to add first)


def build_assessments(n, *, staff, org, covenant):
    for i in range(n):
        assessment = make_assessment(
            staff, title=f"Beoordeling {i}", modi=["stabbing", "drone"], motives=["jihadism"]
        )
        sharing.share_with_organisation(
            obj=assessment, organisation=org, covenant=covenant, by=staff, reason="Zie"
        )


def build_targets(n, *, pps, operators):
    measures = [
        {"measure": "cctv", "status": "in_place"},
        {"measure": "staff_training", "status": "planned"},
    ]
    for i in range(n):
        make_target(
            operators[i % 2],
            name=f"Doel {i}",
            partnership=pps,
            capacity=100 * (i + 1),
            measures=measures,
        )


def build_reports(n, *, target, by, staff):
    from datetime import timedelta

    from django.utils import timezone

    for i in range(n):
        report = services.report_create(
            by=by,
            soft_target=target,
            kind="incident",
            what=f"Voorval {i}",
            occurred_at=timezone.now() - timedelta(hours=i + 1),
        )
        services.report_reply(report=report, body="Gezien", by=staff)


def build_sectors(n, *, staff, start=0):
    for i in range(start, start + n):
        added = services.sector_create(code=f"sector_{i}", name=f"S{i}", name_en=f"S{i}", by=staff)
        services.measure_package_set(
            sector=added, level="hoge_dreiging", measures=["bag_checks"], by=staff
        )


@pytest.mark.parametrize("persona", ["operator_a", "nctv_staff"])
def test_threat_assessments(
    request, client_for, django_assert_num_queries, nctv_staff, org_a, covenant, persona
):
    user = request.getfixturevalue(persona)
    client, extra = client_for(user), second_factor_queries(user)
    for total, more in ROUNDS:
        build_assessments(more, staff=nctv_staff, org=org_a, covenant=covenant)
        with django_assert_num_queries(ASSESSMENTS[persona] + extra):
            response = client.get("/api/v1/threat-assessments/")
        assert response.json()["count"] == total


@pytest.mark.parametrize("persona", ["operator_a", "nctv_staff"])
def test_soft_targets(
    request, client_for, django_assert_num_queries, operator_a, operator_b, pps, persona
):
    user = request.getfixturevalue(persona)
    client, extra = client_for(user), second_factor_queries(user)
    for total, more in ROUNDS:
        build_targets(more, pps=pps, operators=[operator_a, operator_b])
        with django_assert_num_queries(SOFT_TARGETS[persona] + extra):
            response = client.get("/api/v1/soft-targets/")
        rows = response.json()["results"]
        assert len(rows) == total
        full = [row for row in rows if "vulnerability_notes" in row]
        own = SoftTarget.objects.filter(operator=operator_a.membership.organisation).count()
        assert len(full) == (total if persona == "nctv_staff" else own)


@pytest.mark.parametrize("persona", ["operator_a", "nctv_staff"])
def test_reports(
    request, client_for, django_assert_num_queries, operator_a, nctv_staff, arena, persona
):
    user = request.getfixturevalue(persona)
    client, extra = client_for(user), second_factor_queries(user)
    for total, more in ROUNDS:
        build_reports(more, target=arena, by=operator_a, staff=nctv_staff)
        with django_assert_num_queries(REPORTS[persona] + extra):
            response = client.get("/api/v1/reports/")
        assert response.json()["count"] == total


def test_sectors(client_for, django_assert_num_queries, viewer_a, nctv_staff):
    client = client_for(viewer_a)
    defaults = Sector.objects.count()
    for added, more in ROUNDS:
        build_sectors(more, staff=nctv_staff, start=added)
        with django_assert_num_queries(SECTORS):
            response = client.get("/api/v1/sectors/?page_size=100")
        assert response.json()["count"] == defaults + added
