"""Writes on partnerships and their members."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerships.models import (
    Membership,
    Organisation,
    PartnerRole,
    Partnership,
    PartnershipMember,
)

_PARTNERSHIP_FIELDS = {
    "name",
    "description",
    "kind",
    "region",
    "variant",
    "status",
    "sponsor",
    "contact_frequency_days",
    "required_roles",
}


def not_dated_ahead(day: date, field: str, message: str) -> None:
    """Membership and signatures take effect on their day: who sits at the table and who is
    party to a covenant are read as "left_on/withdrawn_on is empty" by every door, so a leave or
    a withdrawal dated ahead would end access today while the health check (which reads the
    dates) still counts the party in, and a joining date ahead would grant access today. Dates
    ahead are refused; the change is recorded on its day."""
    if day > timezone.localdate():
        raise ValidationError({field: message}, code="dated_ahead")


def _check_required_roles(roles) -> None:
    unknown = [r for r in roles or [] if r not in PartnerRole.values]
    if unknown:
        raise ValidationError(
            {
                "required_roles": _("Unknown partnership roles: %(roles)s.")
                % {"roles": ", ".join(unknown)}
            }
        )


def _check_liaison(partnership: Partnership, liaison) -> None:
    if liaison is None:
        return
    membership = Membership.objects.filter(user=liaison).select_related("organisation").first()
    member_orgs = set(
        partnership.members.filter(left_on__isnull=True).values_list("organisation_id", flat=True)
    )
    if membership is None or membership.organisation_id not in member_orgs:
        raise ValidationError(
            {
                "liaison": _(
                    "The liaison must be a user of one of the partnership's member organisations."
                )
            },
            code="liaison_not_member",
        )


@transaction.atomic
def partnership_create(
    *,
    name: str,
    members: list[tuple[Organisation, str]] = (),
    liaison=None,
    joined_on: date | None = None,
    **fields,
) -> Partnership:
    """Create a partnership with its first members (organisation, partner role) at once."""
    unknown = set(fields) - _PARTNERSHIP_FIELDS
    if unknown:
        raise TypeError(f"partnership_create got unknown fields: {sorted(unknown)}")
    _check_required_roles(fields.get("required_roles"))
    partnership = Partnership(name=name, **fields)
    partnership.full_clean()
    partnership.save()
    for organisation, role in members:
        partnership_member_add(
            partnership=partnership, organisation=organisation, role=role, joined_on=joined_on
        )
    if liaison is not None:
        partnership_set_liaison(partnership=partnership, liaison=liaison)
    return partnership


@transaction.atomic
def partnership_update(*, partnership: Partnership, **changes) -> Partnership:
    unknown = set(changes) - _PARTNERSHIP_FIELDS - {"liaison"}
    if unknown:
        raise TypeError(f"partnership_update got unknown fields: {sorted(unknown)}")
    if "required_roles" in changes:
        _check_required_roles(changes["required_roles"])
    if "liaison" in changes:
        _check_liaison(partnership, changes["liaison"])
    for field, value in changes.items():
        setattr(partnership, field, value)
    partnership.full_clean()
    partnership.save()
    return partnership


@transaction.atomic
def partnership_set_liaison(*, partnership: Partnership, liaison) -> Partnership:
    _check_liaison(partnership, liaison)
    partnership.liaison = liaison
    partnership.save(update_fields=["liaison"])
    return partnership


@transaction.atomic
def partnership_member_add(
    *,
    partnership: Partnership,
    organisation: Organisation,
    role: str,
    joined_on: date | None = None,
) -> PartnershipMember:
    if PartnershipMember.objects.filter(
        partnership=partnership, organisation=organisation, role=role, left_on__isnull=True
    ).exists():
        raise ValidationError(
            {"organisation": _("This organisation already has this role in the partnership.")},
            code="duplicate_member",
        )
    joined_on = joined_on or timezone.localdate()
    not_dated_ahead(
        joined_on,
        "joined_on",
        _(
            "An organisation cannot join on a date still to come: add it on the day it joins "
            "(or on a date already past)."
        ),
    )
    member = PartnershipMember(
        partnership=partnership, organisation=organisation, role=role, joined_on=joined_on
    )
    member.full_clean(validate_constraints=False)
    member.save()
    return member


@transaction.atomic
def partnership_member_leave(*, member: PartnershipMember, left_on: date | None = None) -> None:
    """An organisation leaves the table. If it no longer sits there in any role, its users lose
    access to the partnership's records on their next request (visibility is a query)."""
    left_on = left_on or timezone.localdate()
    not_dated_ahead(
        left_on,
        "left_on",
        _(
            "A departure cannot be dated in the future: record it on the day the organisation "
            "leaves (or on a date already past)."
        ),
    )
    if left_on < member.joined_on:
        raise ValidationError({"left_on": _("An organisation cannot leave before it joined.")})
    member.left_on = left_on
    member.save(update_fields=["left_on"])
    partnership = member.partnership
    still_member = partnership.members.filter(
        organisation=member.organisation, left_on__isnull=True
    ).exists()
    liaison = partnership.liaison
    if not still_member and liaison is not None:
        liaison_org = (
            Membership.objects.filter(user=liaison)
            .values_list("organisation_id", flat=True)
            .first()
        )
        if liaison_org == member.organisation_id:
            partnership.liaison = None
            partnership.save(update_fields=["liaison"])
