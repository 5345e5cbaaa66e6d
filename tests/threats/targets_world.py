"""A small world for the threat picture, built through the services: partner A (an operator
with an admin and a viewer) and partner B in one partnership whose covenant allows
AMBER+STRICT, an outsider C in no partnership with A, and NCTV staff."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from tests.factories import OrganisationFactory, UserFactory
from tests.partnerships.helpers import make_partnership, nctv_signs
from tests.pdfs import real_pdf
from threats import services
from threats.models import Sector

PDF = real_pdf()


@dataclass
class World:
    orgs: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    staff: object = None
    partnership: object = None
    covenant: object = None


def sector(code: str = "football_stadium") -> Sector:
    return Sector.objects.get(code=code)


def target_fields(**overrides) -> dict:
    """Valid fields for a permanent venue; override any of them."""
    fields = {
        "name": "Stadion Noord",
        "category": sector(),
        "address": "Stadionplein 1",
        "municipality": "Amsterdam",
        "region": "Amsterdam-Amstelland",
        "latitude": Decimal("52.314300"),
        "longitude": Decimal("4.941900"),
        "capacity": 5000,
        "security_contact_name": "Meldkamer Stadion",
        "security_contact_phone": "+31 20 000 0000",
        "vulnerability_notes": "Noordzijde zonder voertuigbarrières.",
    }
    fields.update(overrides)
    return fields


def make_target(by, **overrides):
    return services.soft_target_create(by=by, **target_fields(**overrides))


def event_window(days: int = 30, length_days: int = 4):
    start = timezone.now() + timedelta(days=days)
    return start, start + timedelta(days=length_days)


def build_world() -> World:
    w = World()
    w.orgs["A"] = OrganisationFactory(name="Partner A Stadion", sector="football_stadium")
    w.orgs["B"] = OrganisationFactory(
        name="Gemeente B", kind="public", sector="", municipality="Amsterdam"
    )
    w.orgs["C"] = OrganisationFactory(name="Buitenstaander C", sector="event_grounds")
    nctv = OrganisationFactory(name="NCTV", kind="public", sector="", is_nctv=True)
    w.staff = UserFactory(username="staff", organisation=nctv, is_staff=True)
    w.users["a"] = UserFactory(username="a-admin", organisation=w.orgs["A"], role="admin")
    w.users["a_viewer"] = UserFactory(username="a-viewer", organisation=w.orgs["A"], role="viewer")
    w.users["b"] = UserFactory(username="b-member", organisation=w.orgs["B"], role="member")
    w.users["c"] = UserFactory(username="c-admin", organisation=w.orgs["C"], role="admin")
    w.partnership = make_partnership(
        name="PPS Stadion Noord",
        operator_org=w.orgs["A"],
        municipality=w.orgs["B"],
        clause="amber_strict",
    )
    nctv_signs(w.partnership)
    w.covenant = w.partnership.covenants.get()
    return w
