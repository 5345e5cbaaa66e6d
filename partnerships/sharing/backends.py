"""guardian's object-permission backend, answering for shareable models from the grants that
count right now (``valid_grant_q``, the footing rule, which ``sharing.models``' managers apply too).

guardian's stock checker joins the grant tables from ``Permission`` and so would still see a
grant whose covenant lapsed a moment ago; this backend asks the same rule instead
(``selectors.granted_codenames``: the valid grants, in one query compiled once per day), so
``user.has_perm(perm, obj)`` agrees with the portal's selectors at every instant. Models that
are not shareable are answered by guardian as before."""

from __future__ import annotations

from django.utils import timezone
from guardian.backends import ObjectPermissionBackend, check_support

from partnerships.sharing.registry import spec_for
from partnerships.sharing.selectors import granted_codenames


def _spec(obj):
    if obj is None:
        return None
    try:
        return spec_for(obj, grants=True)  # a model without grants: guardian's own answer
    except LookupError:
        return None


def _codenames(spec, user, obj, *, users: bool = True, groups: bool = True) -> set[str]:
    return granted_codenames(
        spec, user, obj, users=users, groups=groups, today=timezone.localdate()
    )


class FootedObjectPermissionBackend(ObjectPermissionBackend):
    def has_perm(self, user_obj, perm, obj=None) -> bool:
        spec = _spec(obj)
        if spec is None:
            return super().has_perm(user_obj, perm, obj)
        support, user_obj = check_support(user_obj, obj)
        if not support or not getattr(user_obj, "is_active", False):
            return False
        app_label, _dot, codename = perm.rpartition(".")
        if app_label and app_label != obj._meta.app_label:
            return False
        return codename in _codenames(spec, user_obj, obj)

    def get_group_permissions(self, user_obj, obj=None):
        spec = _spec(obj)
        if spec is None:
            return super().get_group_permissions(user_obj, obj)
        support, user_obj = check_support(user_obj, obj)
        if not support or not getattr(user_obj, "is_active", False):
            return set()
        return _codenames(spec, user_obj, obj, users=False)

    def get_all_permissions(self, user_obj, obj=None):
        spec = _spec(obj)
        if spec is None:
            return super().get_all_permissions(user_obj, obj)
        support, user_obj = check_support(user_obj, obj)
        if not support or not getattr(user_obj, "is_active", False):
            return set()
        return _codenames(spec, user_obj, obj)
