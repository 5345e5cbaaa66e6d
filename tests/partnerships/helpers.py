"""Building partnerships for tests through the services."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from partnerships.services import covenants as covenant_services
from partnerships.services import partnerships as partnership_services


def make_partnership(
    *,
    name="PPS Test",
    operator_org,
    municipality=None,
    police=None,
    coordinator=True,
    liaison=None,
    clause="amber",
    covenant=True,
    until_days=365,
    **fields,
):
    """A venue partnership: the operator (and coordinator), optionally municipality and police,
    with an active covenant signed by all members whose clause allows ``clause``."""
    today = timezone.localdate()
    fields.setdefault("sponsor", municipality)  # the municipality backs it, where there is one
    members = [(operator_org, "venue_operator")]
    if coordinator:
        members.append((operator_org, "coordinator"))
    if municipality is not None:
        members.append((municipality, "municipality"))
    if police is not None:
        members.append((police, "police"))
    partnership = partnership_services.partnership_create(
        name=name,
        kind="venue",
        status="active",
        members=members,
        joined_on=today - timedelta(days=400),
        liaison=liaison,
        **fields,
    )
    if covenant:
        orgs = {org.pk: org for org, _role in members}
        covenant_services.covenant_create(
            partnership=partnership,
            title=f"Convenant {name}",
            effective_from=today - timedelta(days=30),
            effective_until=today + timedelta(days=until_days) if until_days is not None else None,
            information_clause=clause,
            signatories=[(org, today - timedelta(days=31)) for org in orgs.values()],
            tasks=[(operator_org, "Camerabewaking")],
        )
    return partnership


def nctv_signs(partnership) -> None:
    """The NCTV signs the partnership's covenants, so that it may share under them (the footing
    is two-sided)."""
    from partnerships.models import Organisation

    nctv = Organisation.objects.get(is_nctv=True)
    for covenant in partnership.covenants.all():
        covenant_services.covenant_add_signatory(
            covenant=covenant,
            organisation=nctv,
            signed_on=timezone.localdate() - timedelta(days=31),
        )
