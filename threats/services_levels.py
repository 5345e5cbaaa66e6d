"""Setting a jurisdiction's threat level, and the one rule for who may: a jurisdiction's levels are
its own authority's (``threats.jurisdictions``). NCTV staff set the Dutch levels; the NCTV has no
remit in Belgium, so a Belgian (OCAM/OCAD) level is recorded only by a user holding a mandate for
it (``LevelMandate``), and the row says on whose behalf."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partnerships.models import Jurisdiction
from partnerships.selectors import actor_for
from threats.jurisdictions import authority_for
from threats.models import LevelMandate, NationalThreatLevel


def level_authority(by, jurisdiction: str) -> str:
    """May ``by`` set the levels of ``jurisdiction``? Returns on whose behalf ("" for its own
    authority's staff); refuses (``PermissionDenied``) otherwise."""
    if jurisdiction not in Jurisdiction.values:
        raise ValidationError({"jurisdiction": _("Unknown jurisdiction.")})
    authority = authority_for(jurisdiction)
    if not actor_for(by).is_nctv_staff:
        raise PermissionDenied(_("Only NCTV staff may do this."))
    if authority.nctv_is_authority:
        return ""
    if LevelMandate.objects.filter(user=by, jurisdiction=jurisdiction).exists():
        return authority.name
    raise PermissionDenied(
        _(
            "The NCTV cannot set a level for %(jurisdiction)s: its levels are %(authority)s's. "
            "Only a user mandated to record them on %(authority)s's behalf may."
        )
        % {"jurisdiction": Jurisdiction(jurisdiction).label, "authority": authority.name}
    )


def may_set_level(by, jurisdiction: str) -> bool:
    try:
        level_authority(by, jurisdiction)
    except (PermissionDenied, ValidationError):
        return False
    return True


@transaction.atomic
def threat_level_set(
    *, level: int, rationale: str, by, region: str = "", jurisdiction: str = Jurisdiction.NL
) -> NationalThreatLevel:
    """Record a decision on a jurisdiction's threat level (national, or for one region)."""
    on_behalf_of = level_authority(by, jurisdiction)
    authority = authority_for(jurisdiction)
    if not authority.is_valid(level):
        raise ValidationError(
            {
                "level": _("%(authority)s's levels run from 1 to %(highest)d.")
                % {"authority": authority.name, "highest": authority.highest}
            },
            code="level_of_other_jurisdiction",
        )
    if not (rationale or "").strip():
        raise ValidationError({"rationale": _("Give the rationale for this level.")})
    row = NationalThreatLevel(
        jurisdiction=jurisdiction,
        level=level,
        rationale=rationale.strip(),
        region=region,
        on_behalf_of=on_behalf_of,
        set_by=by,
    )
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def level_mandate_grant(*, user, jurisdiction: str, by) -> LevelMandate:
    """A superuser mandates an NCTV staff member to record a jurisdiction's levels on behalf of
    its authority."""
    if not (by.is_active and by.is_superuser):
        raise PermissionDenied(_("Only a superuser may grant a mandate."))
    if authority_for(jurisdiction).nctv_is_authority:
        raise ValidationError(
            {"jurisdiction": _("The NCTV sets these levels itself: no mandate is needed.")}
        )
    if not actor_for(user).is_nctv_staff:
        raise ValidationError({"user": _("Only NCTV staff can hold a mandate.")})
    mandate, _created = LevelMandate.objects.get_or_create(
        user=user, jurisdiction=jurisdiction, defaults={"granted_by": by}
    )
    return mandate
