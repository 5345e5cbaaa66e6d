"""A small world for sharing tests: three member organisations of one partnership and an
outsider, covenants with different information clauses, and contact-log entries at each level."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from partnerships.services import contacts as contact_services
from partnerships.services import covenants as covenant_services
from partnerships.services import partnerships as partnership_services
from tests.factories import OrganisationFactory, UserFactory


@dataclass
class World:
    orgs: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    covenants: dict = field(default_factory=dict)
    entries: dict = field(default_factory=dict)
    staff: object = None
    partnership: object = None


def build_world(*, extra_entries: int = 0) -> World:
    today = timezone.localdate()
    w = World()
    for key, name in (
        ("A", "Eigenaar A"),
        ("B", "Partner B"),
        ("C", "Partner C"),
        ("D", "Buitenstaander D"),
    ):
        w.orgs[key] = OrganisationFactory(name=name)
    nctv = OrganisationFactory(name="NCTV", kind="public", sector="", is_nctv=True)
    w.staff = UserFactory(username="staff", organisation=nctv, is_staff=True)
    for username, org in (("a1", "A"), ("b1", "B"), ("b2", "B"), ("c1", "C"), ("d1", "D")):
        w.users[username] = UserFactory(username=username, organisation=w.orgs[org])
    w.partnership = partnership_services.partnership_create(
        name="Sharing PPS",
        kind="venue",
        status="active",
        members=[
            (w.orgs["A"], "venue_operator"),
            (w.orgs["A"], "coordinator"),
            (w.orgs["B"], "municipality"),
            (w.orgs["C"], "police"),
        ],
        joined_on=today - timedelta(days=100),
    )
    signed = today - timedelta(days=20)
    abc = [w.orgs["A"], w.orgs["B"], w.orgs["C"]]
    for key, clause in (
        ("amber", "amber"),
        ("strict", "amber_strict"),
        ("red", "red"),
        ("green", "green"),
    ):
        w.covenants[key] = covenant_services.covenant_create(
            partnership=w.partnership,
            title=f"Convenant {key}",
            effective_from=today - timedelta(days=10),
            effective_until=today + timedelta(days=300),
            information_clause=clause,
            signatories=[(org, signed) for org in abc],
        )
    for level in ("clear", "green", "amber", "amber_strict", "red"):
        w.entries[level] = contact_services.contact_create(
            partnership=w.partnership,
            by=w.users["a1"],
            occurred_on=today,
            kind="meeting",
            summary=f"Verslag {level}",
            participants=[w.orgs["A"]],
            tlp=level,
        )
    for i in range(extra_entries):
        contact_services.contact_create(
            partnership=w.partnership,
            by=w.users["a1"],
            occurred_on=today,
            kind="call",
            summary=f"Extra {i}",
            participants=[w.orgs["A"]],
            tlp="amber",
        )
    return w


def share(w: World, entries, organisation: str, covenant: str) -> None:
    """``entries`` shared by a1 (organisation A) with ``organisation`` under ``covenant``."""
    from partnerships.sharing import services as sharing

    for entry in entries:
        sharing.share_with_organisation(
            obj=entry,
            organisation=w.orgs[organisation],
            covenant=w.covenants[covenant],
            by=w.users["a1"],
            reason="Voorbereiding wedstrijd",
        )


def share_red_with_b1(w: World) -> None:
    """The RED entry shared by a1 with user b1 alone, under the RED covenant."""
    from partnerships.sharing import services as sharing

    sharing.share_with_user(
        obj=w.entries["red"],
        user=w.users["b1"],
        covenant=w.covenants["red"],
        by=w.users["a1"],
        reason="Voorbereiding wedstrijd",
    )
