"""Who may do what with a partnership. Services ask these; views turn refusals into 403/404.

Visibility (may this user see the partnership at all) is a selector concern
(``partnerships.selectors.partnership_visible_to``); these functions assume it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from partnerships.models import Organisation, PartnerRole, Partnership, PartnershipMember
from partnerships.roles import Capability
from partnerships.selectors import Actor


def current_roles_of(actor: Actor, partnership: Partnership) -> set[str]:
    if actor.organisation is None:
        return set()
    return set(
        PartnershipMember.objects.filter(
            partnership=partnership, organisation=actor.organisation, left_on__isnull=True
        ).values_list("role", flat=True)
    )


def is_member(actor: Actor, partnership: Partnership) -> bool:
    return bool(current_roles_of(actor, partnership))


def is_coordinator(actor: Actor, partnership: Partnership) -> bool:
    return PartnerRole.COORDINATOR in current_roles_of(actor, partnership)


def can_write_contacts(actor: Actor, partnership: Partnership) -> bool:
    if actor.is_nctv_staff:
        return True
    return actor.can(Capability.WRITE) and is_member(actor, partnership)


def can_manage(actor: Actor, partnership: Partnership) -> bool:
    """Covenants, documents, costs, members: coordinators (with a writing role) and NCTV staff."""
    if actor.is_nctv_staff:
        return True
    return actor.can(Capability.WRITE) and is_coordinator(actor, partnership)


def can_sign_for(actor: Actor, organisation: Organisation) -> bool:
    """A covenant is signed (or terminated) by the party itself: a member of that organisation
    with a signing role (its administrators; for the NCTV, its staff). Nobody signs for another."""
    if actor.organisation is None or actor.organisation.pk != organisation.pk:
        return False
    return actor.can(Capability.SIGN_COVENANTS) or actor.is_nctv_staff


def may_read_organisation_logs(actor: Actor, organisation: Organisation | None) -> bool:
    """An organisation's audit trail and access log (who read its data): read by its own
    administrators, and for the NCTV by its staff. Nobody reads another organisation's logs
    here (NCTV staff search the whole audit log in the admin)."""
    if organisation is None or actor.organisation is None:
        return False
    if actor.organisation.pk != organisation.pk:
        return False
    return actor.can(Capability.MANAGE_ORGANISATION) or actor.is_nctv_staff


def require_nctv_staff(actor: Actor, message: str | None = None) -> None:
    """NCTV staff only; anyone else is refused (403). The one check every staff-only write
    shares (alerts, threats, preparedness, interop)."""
    if not actor.is_nctv_staff:
        raise PermissionDenied(message or _("Only NCTV staff may do this."))


def changed_fields(obj, changes: dict) -> list[str]:
    """The names in ``changes`` whose value differs from ``obj``'s (a many-to-many compared as
    a set). A new version that would change nothing is refused (``no_change``): an empty update
    of a covenant or an alert makes no version, and a template keeps its version."""
    return [name for name, value in changes.items() if not _same(getattr(obj, name), value)]


def _same(current, value) -> bool:
    if hasattr(current, "all") and callable(current.all):
        return set(current.all()) == set(value or ())
    return current == value


def no_change_refusal() -> ValidationError:
    return ValidationError(
        _("Nothing changed: a new version needs at least one different field."), code="no_change"
    )


def require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("Your role does not allow this."))
