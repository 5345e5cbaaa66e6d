"""Writes about parties and people. Each function owns its transaction.

One Django group per organisation is kept in step here: created with the organisation, joined
with a membership, left when the membership ends.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partnerships.models import Jurisdiction, Membership, Organisation, Role

User = get_user_model()

_ORGANISATION_FIELDS = {
    "name",
    "kind",
    "sector",
    "registration_number",
    "region",
    "municipality",
    "country",
    "jurisdiction",
    "is_nctv",
}


@transaction.atomic
def organisation_create(
    *,
    name: str,
    kind: str,
    sector: str = "",
    registration_number: str = "",
    region: str = "",
    municipality: str = "",
    country: str = "NL",
    jurisdiction: str = "",
    is_nctv: bool = False,
) -> Organisation:
    """``jurisdiction``: whose threat levels apply; left out, Belgium's for an organisation in
    Belgium and the Netherlands' otherwise."""
    if not jurisdiction:
        jurisdiction = Jurisdiction.BE if country.upper() == "BE" else Jurisdiction.NL
    organisation = Organisation(
        name=name,
        kind=kind,
        sector=sector,
        registration_number=registration_number,
        region=region,
        municipality=municipality,
        country=country,
        jurisdiction=jurisdiction,
        is_nctv=is_nctv,
    )
    organisation.full_clean(exclude=["group"])
    organisation.group = Group.objects.create(name=f"organisation:{organisation.public_id}")
    organisation.save()
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, **changes) -> Organisation:
    unknown = set(changes) - _ORGANISATION_FIELDS
    if unknown:
        raise TypeError(f"organisation_update got unknown fields: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(organisation, field, value)
    organisation.full_clean(exclude=["group"])
    organisation.save()
    return organisation


@transaction.atomic
def membership_create(*, user, organisation: Organisation, role: str = Role.MEMBER) -> Membership:
    if Membership.objects.filter(user=user).exists():
        raise ValidationError(
            {"user": _("This user already belongs to an organisation.")}, code="already_member"
        )
    membership = Membership(user=user, organisation=organisation, role=role)
    membership.full_clean()
    membership.save()
    if user.is_active:
        # A deactivated user stays outside every group: guardian's get_objects_for_user does not
        # look at is_active, and the group would hand it the organisation's grants.
        user.groups.add(organisation.group)
    return membership


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str) -> Membership:
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_end(*, membership: Membership) -> None:
    """Remove a user from their organisation: group, sessions and API tokens go with it."""
    from ppsportal.sessions import user_sign_out_everywhere

    user = membership.user
    user.groups.remove(membership.organisation.group)
    membership.delete()
    user_sign_out_everywhere(user=user)


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    organisation: Organisation,
    role: str = Role.MEMBER,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
):
    """Create a user together with their membership, so no user is left without an organisation.

    Staff status (the admin) is for NCTV staff only.
    """
    if (is_staff or is_superuser) and not organisation.is_nctv:
        raise ValidationError(
            {"is_staff": _("Only members of the NCTV organisation can be staff.")},
            code="staff_outside_nctv",
        )
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=is_staff or is_superuser,
        is_superuser=is_superuser,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    membership_create(user=user, organisation=organisation, role=role)
    return user


@transaction.atomic
def user_deactivate(*, user) -> None:
    """Deactivate a user: they can no longer sign in, and their sessions and tokens end now.
    They leave their organisation's group, so no grant to the organisation reaches them through
    guardian either (``get_objects_for_user`` does not look at ``is_active``)."""
    from ppsportal.sessions import user_sign_out_everywhere

    user.is_active = False
    user.save(update_fields=["is_active"])
    user.groups.remove(
        *Organisation.objects.filter(memberships__user=user).values_list("group", flat=True)
    )
    user_sign_out_everywhere(user=user)
