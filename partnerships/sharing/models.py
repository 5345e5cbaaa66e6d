"""Abstract grant models: guardian's direct foreign-key permission models, with the footing.

A concrete shareable model declares two subclasses, each with ``content_object`` pointing at it::

    class ContactEntryUserGrant(UserGrant):
        content_object = models.ForeignKey(ContactEntry, on_delete=models.CASCADE)

    class ContactEntryGroupGrant(GroupGrant):
        content_object = models.ForeignKey(ContactEntry, on_delete=models.CASCADE)
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class GrantFooting(models.Model):
    """What every grant records: the covenant that allows it, who granted it, when and why."""

    organisation = models.ForeignKey(
        "partnerships.Organisation",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organisation"),
        help_text=_("The organisation shared with (for a user grant: the user's organisation)."),
    )
    covenant = models.ForeignKey(
        "partnerships.Covenant",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("covenant"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        abstract = True


class UserGrant(UserObjectPermissionBase, GrantFooting):
    class Meta(UserObjectPermissionBase.Meta):
        abstract = True


class GroupGrant(GroupObjectPermissionBase, GrantFooting):
    class Meta(GroupObjectPermissionBase.Meta):
        abstract = True
