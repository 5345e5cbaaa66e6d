"""The world of the threats API tests, built through the services on the shared personas.

- ``pps``: partner A (``operator_a``, ``viewer_a``) and partner B (``operator_b``) in one
  partnership, with ``covenant`` in force (clause AMBER) that both signed.
- ``outsider``: partner C (``operator_c``), in no partnership with A or B and no covenant.
- ``arena``: partner A's stadium in ``pps`` (enhanced tier, notes, measures with evidence);
  ``route``: partner B's event in ``pps``; ``hall``: partner C's venue.
- ``assessment``: an AMBER threat assessment of the NCTV about football stadiums.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from partnerships.services.covenants import covenant_create
from partnerships.services.partnerships import partnership_create
from tests import signin
from tests.factories import OrganisationFactory, UserFactory
from tests.pdfs import real_pdf
from threats import services
from threats.models import Sector

PDF = real_pdf()
NOTES = "Noordzijde: geen camera bij poort F."
PURPOSE = "Dreigingsinformatie delen rond wedstrijden."  # the covenant's purpose


def days_ago(days: int):
    return timezone.localdate() - timedelta(days=days)


def days_ahead(days: int):
    return timezone.localdate() + timedelta(days=days)


def sector(code: str = "football_stadium") -> Sector:
    return Sector.objects.get(code=code)


def make_target(by, **overrides):
    fields = {
        "name": "Stadion",
        "category": sector(),
        "address": "Stadionplein 1",
        "municipality": "Amsterdam",
        "region": "Amsterdam-Amstelland",
        "latitude": Decimal("52.314167"),
        "longitude": Decimal("4.941944"),
        "capacity": 500,
        "security_contact_name": "Meldkamer",
        "security_contact_phone": "+31 20 000 0000",
        "vulnerability_notes": NOTES,
        **overrides,
    }
    return services.soft_target_create(by=by, **fields)


def make_assessment(by, **overrides):
    fields = {
        "title": "Dreiging tegen stadions",
        "summary": "Oproepen tot aanslagen op wedstrijden.",
        "body": "## Beeld\n\n**Oproepen** op Telegram.",
        "tlp": "amber",
        "valid_from": days_ago(10),
        "valid_until": days_ahead(30),
        "motives": ["jihadism"],
        "modi": ["vehicle_ramming"],
        "target_categories": [sector()],
        "regions": ["Amsterdam-Amstelland"],
        "recommended_measures": ["hostile_vehicle_barriers"],
        **overrides,
    }
    return services.assessment_create(by=by, **fields)


@pytest.fixture
def client_for(api_client):
    """Sign in as a persona (session authentication, as the browsable API), English messages."""

    def sign_in(user, *, language: str = "en"):
        signin.sign_in(api_client, user)
        api_client.credentials(HTTP_ACCEPT_LANGUAGE=language)
        return api_client

    return sign_in


@pytest.fixture
def pps(org_a, org_b):
    return partnership_create(
        name="PPS ArenA",
        kind="venue",
        status="active",
        members=[(org_a, "coordinator"), (org_a, "venue_operator"), (org_b, "event_organiser")],
        joined_on=days_ago(400),
    )


@pytest.fixture
def covenant(pps, org_a, org_b, nctv):
    # The NCTV shares its assessments under it, so it signs too (the footing is two-sided).
    return covenant_create(
        partnership=pps,
        title="Convenant ArenA",
        effective_from=days_ago(30),
        effective_until=days_ahead(365),
        information_clause="amber",
        purpose=PURPOSE,
        signatories=[(org_a, days_ago(31)), (org_b, days_ago(31)), (nctv, days_ago(31))],
    )


@pytest.fixture
def outsider(db):
    return OrganisationFactory(name="Partner C Theater", sector="museum")


@pytest.fixture
def operator_c(outsider):
    return UserFactory(username="operator-c", organisation=outsider, role="admin")


@pytest.fixture
def arena(operator_a, pps):
    target = make_target(
        operator_a,
        name="ArenA",
        capacity=55000,
        partnership=pps,
        measures=[
            {"measure": "cctv", "status": "in_place", "last_reviewed": days_ago(20)},
            {"measure": "staff_training", "status": "planned"},
        ],
    )
    services.soft_target_set_measure(
        soft_target=target,
        by=operator_a,
        measure="cctv",
        status="in_place",
        last_reviewed=days_ago(20),
        evidence=SimpleUploadedFile("camera.pdf", PDF, "application/pdf"),
    )
    return target


@pytest.fixture
def route(operator_b, pps):
    start = timezone.now() + timedelta(days=60)
    return make_target(
        operator_b,
        name="Vierdaagse-route",
        category=sector("public_events"),
        municipality="Nijmegen",
        region="Gelderland-Zuid",
        latitude=Decimal("51.842500"),
        longitude=Decimal("5.852800"),
        capacity=40000,
        is_event=True,
        event_start=start,
        event_end=start + timedelta(days=4),
        partnership=pps,
        vulnerability_notes="Route smal bij de Via Gladiola.",
    )


@pytest.fixture
def hall(operator_c):
    return make_target(operator_c, name="Theaterzaal", category=sector("museum"), capacity=150)


@pytest.fixture
def assessment(nctv_staff):
    return make_assessment(nctv_staff)
