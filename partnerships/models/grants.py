"""Grants for the shareable models of this app (see partnerships/sharing and docs/permissions.md).

Contact-log entries are shared per entry (``tlp`` and ``owner_organisation``); a covenant's signed
document is shared through its covenant (``document_tlp`` and ``document_owner``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partnerships.models.contacts import ContactEntry
from partnerships.models.covenants import Covenant
from partnerships.models.partnerships import PartnershipMember
from partnerships.sharing.models import GroupGrant, UserGrant
from partnerships.sharing.registry import Shareable, register


class ContactEntryUserGrant(UserGrant):
    content_object = models.ForeignKey(ContactEntry, on_delete=models.CASCADE)

    class Meta(UserGrant.Meta):
        verbose_name = _("contact-log entry shared with a user")
        verbose_name_plural = _("contact-log entries shared with users")


class ContactEntryGroupGrant(GroupGrant):
    content_object = models.ForeignKey(ContactEntry, on_delete=models.CASCADE)

    class Meta(GroupGrant.Meta):
        verbose_name = _("contact-log entry shared with an organisation")
        verbose_name_plural = _("contact-log entries shared with organisations")


class CovenantUserGrant(UserGrant):
    content_object = models.ForeignKey(Covenant, on_delete=models.CASCADE)

    class Meta(UserGrant.Meta):
        verbose_name = _("covenant document shared with a user")
        verbose_name_plural = _("covenant documents shared with users")


class CovenantGroupGrant(GroupGrant):
    content_object = models.ForeignKey(Covenant, on_delete=models.CASCADE)

    class Meta(GroupGrant.Meta):
        verbose_name = _("covenant document shared with an organisation")
        verbose_name_plural = _("covenant documents shared with organisations")


def partnership_members_scope(actor) -> Q:
    """Partnership records at CLEAR or GREEN reach the partnership's current members."""
    return Q(
        partnership_id__in=PartnershipMember.objects.filter(
            organisation=actor.organisation, left_on__isnull=True
        ).values("partnership_id")
    )


register(
    Shareable(
        model=ContactEntry,
        user_grant=ContactEntryUserGrant,
        group_grant=ContactEntryGroupGrant,
        open_scope=partnership_members_scope,
        partner_kind="contact_entry",
    )
)
register(
    Shareable(
        model=Covenant,
        user_grant=CovenantUserGrant,
        group_grant=CovenantGroupGrant,
        open_scope=partnership_members_scope,
        tlp_field="document_tlp",
        owner_field="document_owner",
    )
)
