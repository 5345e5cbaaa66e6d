"""Soft targets and assessments for the dashboard tests, built through the services: partner A's
stadium in a partnership with partner B (a peer), partner B's own venue in the same partnership,
and an outsider C in no partnership with either."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import OrganisationFactory, UserFactory
from tests.partnerships.helpers import make_partnership
from tests.pdfs import real_pdf
from threats import services
from threats.models import Sector

PDF = real_pdf()
SECRET_NOTES = "Noordzijde zonder voertuigbarrieres; camera 7 kijkt niet naar de poort."
CONTACT_NAME = "Meldkamer Noordtribune"
CONTACT_PHONE = "+31 20 555 0101"


@dataclass
class Register:
    partnership: object = None
    covenant: object = None
    target_a: object = None
    target_b: object = None
    org_c: object = None
    user_c: object = None
    extra: list = field(default_factory=list)


def venue(by, name, *, sector="football_stadium", measures=(), **overrides):
    fields = {
        "name": name,
        "category": Sector.objects.get(code=sector),
        "address": "Stadionplein 1",
        "municipality": "Amsterdam",
        "region": "Amsterdam-Amstelland",
        "latitude": Decimal("52.314300"),
        "longitude": Decimal("4.941900"),
        "capacity": 5000,
        "security_contact_name": CONTACT_NAME,
        "security_contact_phone": CONTACT_PHONE,
        "vulnerability_notes": SECRET_NOTES,
    }
    fields.update(overrides)
    return services.soft_target_create(by=by, measures=list(measures), **fields)


def build_register(*, operator_a, org_a, operator_b, org_b) -> Register:
    r = Register()
    r.partnership = make_partnership(
        name="PPS Stadion Noord", operator_org=org_a, municipality=org_b, clause="amber"
    )
    r.covenant = r.partnership.covenants.get()
    r.target_a = venue(
        operator_a,
        "Stadion Noord",
        partnership=r.partnership,
        measures=[
            {"measure": "staff_training", "status": "in_place"},
            {"measure": "cctv", "status": "in_place"},
        ],
    )
    services.soft_target_set_measure(
        soft_target=r.target_a,
        by=operator_a,
        measure="cctv",
        status="in_place",
        last_reviewed=timezone.localdate() - timedelta(days=10),
        evidence=SimpleUploadedFile("cctv.pdf", PDF, content_type="application/pdf"),
    )
    r.target_b = venue(
        operator_b,
        "Evenemententerrein Zuid",
        sector="event_grounds",
        partnership=r.partnership,
        latitude=Decimal("52.300000"),
        longitude=Decimal("4.900000"),
        capacity=600,
        vulnerability_notes="Geheim van B: hek aan de oostkant is zwak.",
    )
    r.org_c = OrganisationFactory(name="Buitenstaander C", sector="museum")
    r.user_c = UserFactory(username="c-admin", organisation=r.org_c, role="admin")
    return r
