"""A world whose lists grow: ``grow(world, n, start)`` adds ``n`` more of every listed thing to
the alerts tests' world (``tests.alerts.conftest.world``), through the services. The list and
changelist query-count tests measure with few rows, grow, and measure again."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from alerts import delivery as engine
from partnerships.services import contacts as contact_services
from partnerships.services import covenants as covenant_services
from partnerships.services import partnerships as partnership_services
from partnerships.sharing import services as sharing
from tests.alerts.conftest import pending_ids
from tests.factories import OrganisationFactory, UserFactory
from tests.threats.dashboard_world import venue
from threats import services as threat_services


def grow(w, n: int, start: int) -> None:
    """``n`` more of each listed thing that the partner (admin A) and NCTV staff see: members,
    partnerships with a covenant, contacts and actions, shared contacts, soft targets, reports,
    threat assessments and alerts delivered to A."""
    today = timezone.localdate()
    for i in range(start, start + n):
        UserFactory(username=f"lid-a-{i}", organisation=w.org_a, role="viewer")
        other = OrganisationFactory(name=f"Gemeente {i:03d}", kind="public", sector="")
        partnership = partnership_services.partnership_create(
            name=f"PPS {i:03d}",
            members=[(w.org_a, "venue_operator"), (other, "municipality")],
        )
        covenant_services.covenant_create(
            partnership=partnership,
            title=f"Convenant {i:03d}",
            effective_from=today - timedelta(days=30),
            information_clause="amber",
            signatories=[
                (w.org_a, today - timedelta(days=31)),
                (other, today - timedelta(days=31)),
            ],
        )
        entry = contact_services.contact_create(
            partnership=w.partnership,
            by=w.admin_a,
            occurred_on=today - timedelta(days=i % 20),
            kind="meeting",
            summary=f"Overleg {i}",
            tlp="amber",
            participants=[w.org_a, w.org_b],
            actions=[{"description": f"Actie {i}", "owner": w.org_a, "due_on": today}],
        )
        sharing.share_with_organisation(
            by=w.admin_a, obj=entry, organisation=w.org_b, covenant=w.covenant, reason="Overleg"
        )
        target = venue(w.admin_a, f"Locatie {i:03d}", capacity=150 + i * 100)
        threat_services.report_create(
            by=w.admin_a,
            soft_target=target,
            kind="incident",
            what=f"Melding {i}",
            occurred_at=timezone.now() - timedelta(hours=i + 1),
        )
        threat_services.assessment_create(
            by=w.author,
            title=f"Dreigingsbeeld {i}",
            summary="Samenvatting",
            tlp="green",
            valid_from=today - timedelta(days=1),
        )
        alert = w.published(organisations=[w.org_a], headline=f"Alert {i}")
        engine.deliver(pending_ids(alert))
