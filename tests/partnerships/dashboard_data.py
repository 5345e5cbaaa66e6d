"""Partnerships for the dashboard tests, built through the services like every test object."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from partnerships.models import Membership
from partnerships.services import contacts as contact_services
from partnerships.services import covenants as covenant_services
from partnerships.services import partnerships as partnership_services
from tests.factories import OrganisationFactory, UserFactory
from tests.pdfs import real_pdf

PDF_BYTES = real_pdf()


def _coordinator_user(org_a, liaison):
    """A user of the coordinating organisation with a writing role, who sets the key."""
    if liaison is not None:
        return liaison
    membership = (
        Membership.objects.filter(organisation=org_a, role__in=["admin", "member"])
        .select_related("user")
        .first()
    )
    if membership is not None:
        return membership.user
    return UserFactory(username="arena-coordinator", organisation=org_a, role="member")


def build_arena(org_a, *, liaison=None):
    """Partner A's venue partnership: A is venue operator and coordinator, the municipality sits
    at the table, the police are missing; an active AMBER covenant with tasks per party, a GREEN
    contact ten days ago with one overdue and one open action, an AMBER debrief of the
    municipality (not shared with A) five days ago, costs split 60/40."""
    today = timezone.localdate()
    gemeente = OrganisationFactory(name="Gemeente Amsterdam", kind="public", sector="")
    partnership = partnership_services.partnership_create(
        name="ArenA veiligheid",
        description="Samen de ArenA en haar omgeving beschermen.",
        kind="venue",
        region="Amsterdam-Amstelland",
        variant="deepening",
        status="active",
        sponsor=gemeente,
        contact_frequency_days=30,
        members=[(org_a, "venue_operator"), (org_a, "coordinator"), (gemeente, "municipality")],
        joined_on=today - timedelta(days=400),
        liaison=liaison,
    )
    covenant = covenant_services.covenant_create(
        partnership=partnership,
        title="Convenant ArenA 2025",
        effective_from=today - timedelta(days=300),
        effective_until=today + timedelta(days=365),
        information_clause="amber",
        purpose="Dreigingsinformatie rond wedstrijden delen.",
        retention_days=180,
        signatories=[
            (org_a, today - timedelta(days=310)),
            (gemeente, today - timedelta(days=305)),
        ],
        tasks=[
            (org_a, "Camerabeelden rond het stadion bewaken"),
            (gemeente, "Crowd management op de boulevard regelen"),
        ],
    )
    contact = contact_services.contact_create(
        partnership=partnership,
        by=UserFactory(username="gemeente-admin", organisation=gemeente, role="admin"),
        occurred_on=today - timedelta(days=10),
        kind="meeting",
        summary="Evaluatie van de Europese wedstrijd.",
        participants=[org_a, gemeente],
        tlp="green",
        actions=[
            {
                "description": "Draaiboek opschaling bijwerken",
                "owner": org_a,
                "due_on": today - timedelta(days=3),
            },
            {
                "description": "Oefening plannen met de politie",
                "owner": gemeente,
                "due_on": today + timedelta(days=20),
            },
        ],
    )
    amber_contact = contact_services.contact_create(
        partnership=partnership,
        by=contact.created_by,
        occurred_on=today - timedelta(days=5),
        kind="debrief",
        summary="Vertrouwelijke nabespreking van de gemeente.",
        participants=[gemeente],
        tlp="amber",
    )
    contact_services.cost_item_create(
        partnership=partnership,
        description="Extra camera's",
        amount=Decimal("10000.00"),
        period_start=today - timedelta(days=30),
        period_end=today + timedelta(days=335),
    )
    contact_services.cost_allocation_set(
        partnership=partnership,
        shares={org_a: Decimal("60"), gemeente: Decimal("40")},
        by=_coordinator_user(org_a, liaison),
    )
    return {
        "partnership": partnership,
        "gemeente": gemeente,
        "covenant": covenant,
        "contact": contact,
        "amber_contact": amber_contact,
        "overdue_action": contact.actions.get(description="Draaiboek opschaling bijwerken"),
        "open_action": contact.actions.get(description="Oefening plannen met de politie"),
    }


def build_event(org_b, *, name="Evenement B", contact_days_ago=None, with_covenant=False):
    """A small event partnership of partner B (incomplete: only the organiser is at the table)."""
    today = timezone.localdate()
    partnership = partnership_services.partnership_create(
        name=name,
        kind="event",
        region="Gelderland-Zuid",
        status="active",
        members=[(org_b, "event_organiser")],
        joined_on=today - timedelta(days=200),
    )
    if with_covenant:
        covenant_services.covenant_create(
            partnership=partnership,
            title=f"Convenant {name}",
            effective_from=today - timedelta(days=100),
            signatories=[(org_b, today - timedelta(days=101))],
            tasks=[(org_b, "Verkeersregelaars inzetten")],
        )
    if contact_days_ago is not None:
        contact_services.contact_create(
            partnership=partnership,
            by=_a_user_of(org_b),
            occurred_on=today - timedelta(days=contact_days_ago),
            kind="call",
            summary="Afstemming",
            participants=[org_b],
            actions=[
                {
                    "description": "Terugbellen",
                    "owner": org_b,
                    "due_on": today - timedelta(days=1),
                }
            ],
        )
    return partnership


def _a_user_of(organisation):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(membership__organisation=organisation).first()
    if user is None:
        user = UserFactory(organisation=organisation, role="member")
    return user
