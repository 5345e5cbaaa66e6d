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
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.managers import GroupObjectPermissionManager, UserObjectPermissionManager
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


def _valid_only(manager, queryset, *, user_grant: bool):
    from partnerships.sharing.registry import spec_for
    from partnerships.sharing.selectors import valid_grant_ids

    spec = spec_for(manager.model._meta.get_field("content_object").related_model)
    return queryset.filter(valid_grant_ids(spec, today=timezone.localdate(), user_grant=user_grant))


class FootedUserGrantManager(UserObjectPermissionManager):
    """guardian's manager, showing only the grants that count right now. guardian's ``has_perm``,
    ``get_objects_for_user`` and ``ObjectPermissionChecker`` read through it, so they answer
    exactly as the portal's selectors do, at once when a covenant lapses or a member leaves."""

    def get_queryset(self):
        return _valid_only(self, super().get_queryset(), user_grant=True)


class FootedGroupGrantManager(GroupObjectPermissionManager):
    """As ``FootedUserGrantManager``, for grants to an organisation's group."""

    def get_queryset(self):
        return _valid_only(self, super().get_queryset(), user_grant=False)


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
    # The default manager (guardian reads it) holds only valid grants; the sharing service,
    # its clean-up and the access history read every row through ``all_grants``.
    objects = FootedUserGrantManager()
    all_grants = models.Manager()  # noqa: DJ012 (a manager, not a field)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = True


class GroupGrant(GroupObjectPermissionBase, GrantFooting):
    objects = FootedGroupGrantManager()
    all_grants = models.Manager()  # noqa: DJ012 (a manager, not a field)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = True
