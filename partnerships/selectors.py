"""Reads about parties and people, shared by the dashboard, the API, the admin and tasks."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from partnerships.models import Membership, Organisation
from partnerships.roles import Capability, role_allows


@dataclass(frozen=True)
class Actor:
    """Who is asking: the user, their organisation and role, and whether they are NCTV staff."""

    user: AbstractBaseUser | AnonymousUser
    membership: Membership | None

    @property
    def organisation(self) -> Organisation | None:
        return self.membership.organisation if self.membership else None

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None

    @property
    def is_nctv_staff(self) -> bool:
        return bool(
            self.user.is_authenticated
            and self.user.is_active
            and self.user.is_staff
            and self.membership is not None
            and self.membership.organisation.is_nctv
        )

    def can(self, capability: Capability) -> bool:
        if not self.user.is_authenticated or not self.user.is_active:
            return False
        return role_allows(self.role, capability)


def membership_for_user(user) -> Membership | None:
    if not user.is_authenticated:
        return None
    try:
        return Membership.objects.select_related("organisation").get(user_id=user.pk)
    except Membership.DoesNotExist:
        return None


def actor_for(user) -> Actor:
    """The actor for a user, cached on the user object for the length of a request."""
    cached = getattr(user, "_pps_actor", None)
    if cached is not None:
        return cached
    actor = Actor(user=user, membership=membership_for_user(user))
    if user.is_authenticated:
        user._pps_actor = actor
    return actor


def organisation_list():
    return Organisation.objects.order_by("name")


def organisation_get_nctv() -> Organisation | None:
    return Organisation.objects.filter(is_nctv=True).first()
