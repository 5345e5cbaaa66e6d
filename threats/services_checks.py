"""Checks shared by the threats services and the scale-up services (``services_scale_up``): who
may change a soft target, and which codes a multiple-choice field accepts. Their own module, so the
two services modules import it rather than each other."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from partnerships.roles import Capability
from partnerships.selectors import actor_for


def may_change_soft_target(actor, soft_target) -> bool:
    if actor.is_nctv_staff:
        return True
    return (
        actor.organisation is not None
        and actor.organisation.pk == soft_target.operator_id
        and actor.can(Capability.WRITE)
    )


def _require_may_change(by, soft_target) -> None:
    if not may_change_soft_target(actor_for(by), soft_target):
        raise PermissionDenied(_("Only the operator of this soft target may change it."))


def _check_codes(values, allowed, field: str) -> list[str]:
    values = list(values or [])
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValidationError(
            {field: _("Unknown values: %(values)s.") % {"values": ", ".join(map(str, unknown))}},
            code="unknown_code",
        )
    return list(dict.fromkeys(values))  # keep order, drop repeats
