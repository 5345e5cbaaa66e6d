"""The sharing service: the only code that writes grants (the guardian permission rows).

Every refusal says why in words a person understands ("the covenant 'X' allows at most
TLP:AMBER"). Sharing and revoking twice changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from partnerships.models import Covenant, Membership, Organisation
from partnerships.roles import Capability
from partnerships.selectors import Actor, actor_for
from partnerships.sharing.footing import has_footing, retention_end
from partnerships.sharing.registry import Shareable, grant_specs, spec_for
from partnerships.sharing.selectors import (
    SHARED_LEVELS_FOR_USERS,
    valid_grant_ids,
    valid_grant_q,
)
from ppsportal.audit import audit_record
from ppsportal.sensitivity import TLP


@dataclass(frozen=True)
class Share:
    kind: str  # "organisation" or "user"
    organisation: Organisation
    user: object | None
    covenant: Covenant
    granted_by: object | None
    granted_at: datetime
    reason: str
    valid: bool


def _level_label(level: str) -> str:
    return str(TLP(level).label)


def _view_permission(spec: Shareable) -> Permission:
    content_type = ContentType.objects.get_for_model(spec.model)
    permission, _created = Permission.objects.get_or_create(
        content_type=content_type,
        codename=spec.view_codename,
        defaults={"name": f"Can view {spec.model._meta.verbose_name}"},
    )
    return permission


def may_share(actor: Actor, spec: Shareable, obj) -> bool:
    """NCTV staff, or a writing member of the object's owning organisation."""
    if actor.is_nctv_staff:
        return True
    owner_id = getattr(obj, f"{spec.owner_field}_id")
    return (
        actor.organisation is not None
        and actor.organisation.pk == owner_id
        and actor.can(Capability.WRITE)
    )


def footing_problem(
    *, spec: Shareable, obj, organisation: Organisation, covenant: Covenant, today: date
) -> tuple[str, str, str] | None:
    """``None`` while ``footing.has_footing`` holds for sharing ``obj`` with ``organisation``
    under ``covenant``; otherwise (field, code, message) naming what is missing."""
    level = getattr(obj, spec.tlp_field)
    sharer = getattr(obj, spec.owner_field)
    if has_footing(
        covenant=covenant, sharer=sharer, receiver=organisation, level=level, today=today
    ):
        return None
    params = {
        "covenant": covenant.title,
        "organisation": organisation.name,
        "sharer": sharer.name if sharer is not None else "?",
        "level": _level_label(level),
        "clause": _level_label(covenant.information_clause),
    }

    def signed(org) -> bool:
        return (
            org is not None
            and covenant.signatories.filter(
                organisation=org, withdrawn_on__isnull=True, signed_on__lte=today
            ).exists()
        )

    if not Covenant.objects.in_force(today).filter(pk=covenant.pk).exists():
        return (
            "covenant",
            "covenant_not_in_force",
            _("The covenant '%(covenant)s' is not in force.") % params,
        )
    if not signed(organisation):
        return (
            "organisation",
            "not_a_signatory",
            _("%(organisation)s has not signed the covenant '%(covenant)s'.") % params,
        )
    if not signed(sharer):
        return (
            "covenant",
            "sharer_not_a_signatory",
            _(
                "%(sharer)s, which shares this, has not signed the covenant '%(covenant)s'; "
                "sharing needs the signatures of both sides."
            )
            % params,
        )
    return (
        "covenant",
        "clause_too_low",
        _("The covenant '%(covenant)s' allows at most %(clause)s; this is %(level)s.") % params,
    )


def _check_footing(
    *, spec: Shareable, obj, organisation: Organisation, covenant: Covenant, today: date
) -> None:
    problem = footing_problem(
        spec=spec, obj=obj, organisation=organisation, covenant=covenant, today=today
    )
    if problem is not None:
        field, code, message = problem
        raise ValidationError({field: message}, code=code)


def require_may_share(actor: Actor, spec: Shareable, obj) -> None:
    """``PermissionDenied`` saying why, unless ``may_share``: a reading role of the owner, or
    someone else's object."""
    if may_share(actor, spec, obj):
        return
    own = actor.organisation is not None and actor.organisation.pk == getattr(
        obj, f"{spec.owner_field}_id"
    )
    if own:  # a member of the owner whose role only reads
        raise PermissionDenied(_("Your role does not allow sharing; ask a colleague who edits."))
    raise PermissionDenied(_("Only the owning organisation or NCTV staff may share this."))


@transaction.atomic
def share_with_organisation(
    *, obj, organisation: Organisation, covenant: Covenant, by, reason: str, request=None
):
    spec = spec_for(obj, grants=True)
    actor = actor_for(by)
    require_may_share(actor, spec, obj)
    level = getattr(obj, spec.tlp_field)
    params = {"level": _level_label(level), "organisation": organisation.name}
    if TLP.is_open(level):
        raise ValidationError(
            {"tlp": _("%(level)s reaches its audience without sharing.") % params},
            code="open_level",
        )
    if level == TLP.RED:
        raise ValidationError(
            {"organisation": _("TLP:RED is shared with named users only, not organisations.")},
            code="red_needs_users",
        )
    if organisation.pk == getattr(obj, f"{spec.owner_field}_id"):
        raise ValidationError(
            {"organisation": _("%(organisation)s owns this and sees it already.") % params},
            code="owner",
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why you share this.")}, code="no_reason")
    today = timezone.localdate()
    _check_footing(spec=spec, obj=obj, organisation=organisation, covenant=covenant, today=today)
    existing = spec.group_grant.all_grants.filter(
        content_object=obj, organisation=organisation
    ).first()
    if existing is not None and existing.covenant_id == covenant.pk and _kept(existing, today):
        return existing  # sharing twice changes nothing
    if level == TLP.AMBER_STRICT:
        other = (
            spec.group_grant.all_grants.filter(content_object=obj)
            .exclude(organisation=organisation)
            .select_related("organisation")
            .first()
        )
        if other is not None:
            raise ValidationError(
                {
                    "organisation": _(
                        "TLP:AMBER+STRICT is shared with one organisation only; "
                        "revoke the share with %(other)s first."
                    )
                    % {"other": other.organisation.name}
                },
                code="strict_single",
            )
    if existing is not None:
        # re-shared under another covenant, or after the retention period ended: the new share
        # replaces the old (and starts its own retention period)
        existing.delete()
    grant = spec.group_grant.all_grants.create(
        content_object=obj,
        group=organisation.group,
        permission=_view_permission(spec),
        organisation=organisation,
        covenant=covenant,
        granted_by=by,
        reason=reason.strip(),
    )
    _audit_grant(
        "sharing.granted",
        spec,
        obj,
        by=by,
        organisation=organisation,
        covenant=covenant,
        reason=reason,
        request=request,
    )
    return grant


@transaction.atomic
def share_with_user(*, obj, user, covenant: Covenant, by, reason: str, request=None):
    spec = spec_for(obj, grants=True)
    actor = actor_for(by)
    require_may_share(actor, spec, obj)
    level = getattr(obj, spec.tlp_field)
    if level not in SHARED_LEVELS_FOR_USERS:
        raise ValidationError(
            {
                "tlp": _("%(level)s reaches its audience without sharing.")
                % {"level": _level_label(level)}
            },
            code="open_level",
        )
    membership = Membership.objects.select_related("organisation").filter(user=user).first()
    if membership is None or not user.is_active:
        raise ValidationError(
            {"user": _("This user is not an active member of an organisation.")},
            code="no_member",
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why you share this.")}, code="no_reason")
    organisation = membership.organisation
    today = timezone.localdate()
    _check_footing(spec=spec, obj=obj, organisation=organisation, covenant=covenant, today=today)
    existing = spec.user_grant.all_grants.filter(content_object=obj, user=user).first()
    if (
        existing is not None
        and existing.covenant_id == covenant.pk
        and (existing.organisation_id == organisation.pk)
        and _kept(existing, today)
    ):
        return existing
    if existing is not None:
        existing.delete()
    grant = spec.user_grant.all_grants.create(
        content_object=obj,
        user=user,
        permission=_view_permission(spec),
        organisation=organisation,
        covenant=covenant,
        granted_by=by,
        reason=reason.strip(),
    )
    _audit_grant(
        "sharing.granted",
        spec,
        obj,
        by=by,
        organisation=organisation,
        covenant=covenant,
        reason=reason,
        request=request,
        user=user,
    )
    return grant


@transaction.atomic
def revoke(
    *, obj, by, organisation: Organisation | None = None, user=None, reason: str = "", request=None
) -> bool:
    """Revoke a share with an organisation or a user. Revoking twice changes nothing."""
    if (organisation is None) == (user is None):
        raise ValidationError(_("Name either an organisation or a user to revoke."))
    spec = spec_for(obj, grants=True)
    require_may_share(actor_for(by), spec, obj)
    if organisation is not None:
        grants = spec.group_grant.all_grants.filter(content_object=obj, organisation=organisation)
    else:
        grants = spec.user_grant.all_grants.filter(content_object=obj, user=user)
    grant = grants.select_related("organisation", "covenant").first()
    if grant is None:
        return False
    grants.delete()
    _audit_grant(
        "sharing.revoked",
        spec,
        obj,
        by=by,
        organisation=grant.organisation,
        covenant=grant.covenant,
        reason=reason,
        request=request,
        user=user,
    )
    return True


def shares_of(obj, *, today: date | None = None) -> list[Share]:
    """The shares of an object, each with whether it counts today."""
    spec = spec_for(obj, grants=True)
    today = today or timezone.localdate()
    shares: list[Share] = []
    for kind, model, user_grant in (
        ("organisation", spec.group_grant, False),
        ("user", spec.user_grant, True),
    ):
        valid_ids = set(
            model.all_grants.filter(content_object=obj)
            .filter(valid_grant_q(spec, today=today, user_grant=user_grant))
            .values_list("pk", flat=True)
        )
        rows = model.all_grants.filter(content_object=obj).select_related(
            "organisation", "covenant", "granted_by", *(["user"] if user_grant else [])
        )
        shares += [
            Share(
                kind=kind,
                organisation=g.organisation,
                user=getattr(g, "user", None),
                covenant=g.covenant,
                granted_by=g.granted_by,
                granted_at=g.granted_at,
                reason=g.reason,
                valid=g.pk in valid_ids,
            )
            for g in rows
        ]
    return shares


def remove_lapsed_grants(*, today: date | None = None) -> int:
    """Delete the grants that no longer count, each with a ``sharing.lapsed`` audit entry.

    Access already ended at the first request after the change (the selectors check validity
    in the query); this tidies the index and leaves the trace."""
    today = today or timezone.localdate()
    removed = 0
    for spec in grant_specs():
        for model, user_grant in ((spec.group_grant, False), (spec.user_grant, True)):
            lapsed = model.all_grants.exclude(
                valid_grant_ids(spec, today=today, user_grant=user_grant)
            ).select_related(
                "organisation", "covenant", "content_object", *(["user"] if user_grant else [])
            )
            for grant in lapsed:
                with transaction.atomic():
                    deleted, _rows = model.all_grants.filter(pk=grant.pk).delete()
                    if not deleted:
                        continue  # another run removed it
                    expired = _expiry_reason(grant, today)
                    _audit_grant(
                        "sharing.expired" if expired else "sharing.lapsed",
                        spec,
                        grant.content_object,
                        by=None,
                        organisation=grant.organisation,
                        covenant=grant.covenant,
                        reason=expired or _lapse_reason(spec, grant, today),
                        user=getattr(grant, "user", None),
                    )
                removed += 1
    return removed


def _kept(grant, today: date) -> bool:
    """Is the grant still within its covenant's retention period?"""
    end = retention_end(grant.granted_at, grant.covenant.retention_days)
    return end is None or end > today


def _expiry_reason(grant, today: date) -> str:
    """Why a grant ended by its covenant's retention period, or "" when it did not."""
    if _kept(grant, today):
        return ""
    end = retention_end(grant.granted_at, grant.covenant.retention_days)
    return (
        f"the covenant's retention period of {grant.covenant.retention_days} days ended on "
        f"{end.isoformat()}; the object is its owner's only again"
    )


def _lapse_reason(spec: Shareable, grant, today: date) -> str:
    user = getattr(grant, "user", None)
    if user is not None and (
        not user.is_active
        or getattr(getattr(user, "membership", None), "organisation_id", None)
        != grant.organisation_id
    ):
        return f"{user.get_username()} is no longer an active member of {grant.organisation.name}"
    with translation.override("en"):  # the audit log is written in one language
        problem = footing_problem(
            spec=spec,
            obj=grant.content_object,
            organisation=grant.organisation,
            covenant=grant.covenant,
            today=today,
        )
    return problem[2] if problem else "the object's level is no longer shared by grants"


@transaction.atomic
def grants_move_to_version(*, old: Covenant, new: Covenant) -> int:
    """A new version of a covenant took effect: the grants resting on the old version now rest
    on the new one (they count only where the new terms give the footing). Called by
    ``partnerships.services.signing`` when the last party has signed."""
    moved = 0
    for spec in grant_specs():
        for model in (spec.group_grant, spec.user_grant):
            grants = model.all_grants.filter(covenant=old)
            # locked by id first, as the entitlement gate locks them (``alerts.gate``): the
            # ``UPDATE`` alone locks them in the order it finds them, and with the old version
            # already terminated nothing earlier makes a gate in progress wait for this
            if not list(grants.order_by("pk").select_for_update(no_key=True).values_list("pk")):
                continue
            moved += grants.update(covenant=new)
    if moved:
        audit_record(
            action="sharing.rebased",
            actor=None,
            organisation=None,
            object_type=Covenant._meta.label_lower,
            object_ids=[new.public_id],
            owner_organisation_ids=[],
            purpose="",
            detail={
                "from_version": str(old.public_id),
                "to_version": str(new.public_id),
                "grants": moved,
            },
        )
    return moved


def _audit_grant(
    action: str,
    spec: Shareable,
    obj,
    *,
    by,
    organisation,
    covenant,
    reason,
    request=None,
    user=None,
) -> None:
    by_actor = actor_for(by) if by is not None else None
    audit_record(
        action=action,
        actor=by,
        organisation=by_actor.organisation if by_actor else None,
        object_type=spec.label,
        object_ids=[obj.public_id],
        owner_organisation_ids=[getattr(obj, f"{spec.owner_field}_id")],
        request=request,
        purpose=reason or "",
        detail={
            "shared_with_organisation": str(organisation.public_id),
            "shared_with_organisation_name": organisation.name,
            "shared_with_user": user.get_username() if user is not None else None,
            "covenant": str(covenant.public_id),
            "covenant_title": covenant.title,
            "level": getattr(obj, spec.tlp_field),
        },
    )
