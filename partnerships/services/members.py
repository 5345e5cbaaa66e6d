"""An organisation's administrator manages its own people: invite, change a role, deactivate.

One rule, ``may_manage_members``: the actor is an administrator (``MANAGE_ORGANISATION``) of
that very organisation. Nobody manages another organisation's people (NCTV staff use the admin);
the roles that can be given are the organisation roles, never staff status; an administrator
does not change or deactivate themselves, so an organisation never locks itself out. Every
step is written to the audit log, which NCTV staff search.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerships.models import MemberInvitation, Membership, Organisation, Role
from partnerships.roles import Capability
from partnerships.selectors import Actor, actor_for
from partnerships.services.organisations import membership_change_role, user_create
from ppsportal.audit import audit_record

INVITATION_DAYS = 7


def may_manage_members(actor: Actor, organisation: Organisation | None) -> bool:
    return (
        organisation is not None
        and actor.user.is_active
        and actor.can(Capability.MANAGE_ORGANISATION)
        and actor.organisation is not None
        and actor.organisation.pk == organisation.pk
    )


def members_managed_by(actor: Actor) -> QuerySet:
    """The memberships this actor manages: their own organisation's, if they administer it."""
    if not may_manage_members(actor, actor.organisation):
        return Membership.objects.none()
    return (
        Membership.objects.filter(organisation=actor.organisation)
        .select_related("user", "organisation")
        .order_by("user__username")
    )


def invitations_of(actor: Actor) -> QuerySet:
    if not may_manage_members(actor, actor.organisation):
        return MemberInvitation.objects.none()
    return MemberInvitation.objects.filter(organisation=actor.organisation).select_related(
        "invited_by"
    )


def _require_manager(actor: Actor, organisation: Organisation) -> None:
    from django.core.exceptions import PermissionDenied

    if not may_manage_members(actor, organisation):
        raise PermissionDenied(_("Only your organisation's administrators manage its members."))


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of the organisation's roles.")}, code="role")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _audit(action: str, *, by, organisation, membership=None, request=None, **detail) -> None:
    audit_record(
        action=action,
        actor=by,
        organisation=organisation,
        object_type="partnerships.membership" if membership else "partnerships.memberinvitation",
        object_ids=[membership.public_id] if membership else [],
        owner_organisation_ids=[organisation.pk],
        request=request,
        detail=detail,
    )


@transaction.atomic
def member_invite(*, by, email: str, role: str, request=None) -> tuple[MemberInvitation, str]:
    """Invite ``email`` into the administrator's own organisation; the link goes by e-mail on
    commit and works once, for ``INVITATION_DAYS`` days. Returns the invitation and its link."""
    actor = actor_for(by)
    organisation = actor.organisation
    _require_manager(actor, organisation)
    _check_role(role)
    token = secrets.token_urlsafe(32)
    invitation = MemberInvitation(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=_hash(token),
        invited_by=by,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    link = f"{settings.SITE_URL}{reverse('invitation-accept', args=[token])}"
    _audit(
        "members.invited", by=by, organisation=organisation, request=request, email=email, role=role
    )
    transaction.on_commit(lambda: _send_invitation(invitation, link))
    return invitation, link


def _send_invitation(invitation: MemberInvitation, link: str) -> None:
    subject = _("Invitation to the PPS Portal for %(organisation)s") % {
        "organisation": invitation.organisation.name
    }
    body = _(
        "You are invited to join %(organisation)s on the PPS Portal. Choose a username and "
        "password here (the link works once, until %(until)s):\n\n%(link)s"
    ) % {
        "organisation": invitation.organisation.name,
        "until": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M"),
        "link": link,
    }
    EmailMessage(subject, body, None, [invitation.email]).send()


def invitation_for_token(token: str) -> MemberInvitation | None:
    """The open invitation for a link: unused and not expired; otherwise None."""
    return (
        MemberInvitation.objects.select_related("organisation")
        .filter(token_hash=_hash(token), accepted_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


@transaction.atomic
def invitation_accept(*, token: str, username: str, password: str, request=None):
    """Create the invited user in the inviting organisation with the invited role; the link is
    used up. An expired, used or unknown link is refused alike."""
    invitation = (
        MemberInvitation.objects.select_for_update()
        .filter(pk=getattr(invitation_for_token(token), "pk", None))
        .first()
    )
    if invitation is None or invitation.accepted_at is not None:
        raise ValidationError(
            {"token": _("This invitation link has expired or was already used.")},
            code="invitation_invalid",
        )
    user = user_create(
        username=username,
        password=password,
        organisation=invitation.organisation,
        role=invitation.role,
        email=invitation.email,
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    _audit(
        "members.joined",
        by=user,
        organisation=invitation.organisation,
        membership=user.membership,
        request=request,
        invitation=str(invitation.public_id),
    )
    return user


def _require_not_self(by, membership: Membership) -> None:
    if membership.user_id == by.pk:
        raise ValidationError(
            {"detail": _("You cannot change or deactivate your own account here.")},
            code="self",
        )


@transaction.atomic
def member_change_role(*, by, membership: Membership, role: str, request=None) -> Membership:
    _require_manager(actor_for(by), membership.organisation)
    _check_role(role)
    _require_not_self(by, membership)
    before = membership.role
    if before == role:
        return membership
    membership_change_role(membership=membership, role=role)
    _audit(
        "members.role_changed",
        by=by,
        organisation=membership.organisation,
        membership=membership,
        request=request,
        username=membership.user.get_username(),
        before=before,
        after=role,
    )
    return membership


@transaction.atomic
def member_deactivate(*, by, membership: Membership, request=None) -> None:
    """The member can no longer sign in; their sessions and API tokens end at once."""
    from partnerships.services.organisations import user_deactivate

    _require_manager(actor_for(by), membership.organisation)
    _require_not_self(by, membership)
    user = membership.user
    if not user.is_active:
        return
    user_deactivate(user=user)
    _audit(
        "members.deactivated",
        by=by,
        organisation=membership.organisation,
        membership=membership,
        request=request,
        username=user.get_username(),
    )
