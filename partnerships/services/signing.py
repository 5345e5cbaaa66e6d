"""Covenant authority: who may draft, sign, change and end a covenant. The API, dashboard and admin
call these; they are the only writes on covenants that take an actor.

- Drafting (or proposing a new version) is for the partnership's coordinators and NCTV staff; a
  draft grants nothing.
- Each party signs for itself: only a member of that organisation with a signing role
  (``policy.can_sign_for``), recorded with who and when. Nobody records another party's signature.
- The terms that carry sharing (``TERMS``) never change on a version anyone has signed: a change
  is a new version that every party signs again. Until then the old version's terms stand, or,
  where they have ended, nothing does. When the last party signs the new version, it replaces
  every earlier version (also one proposed on top of a draft nobody signed) and the grants resting
  on them move to it.
- Any party (or NCTV staff) terminates at once.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerships.models import Covenant, CovenantSignatory, Organisation, Partnership
from partnerships.policy import (
    can_manage,
    can_sign_for,
    changed_fields,
    no_change_refusal,
    require,
)
from partnerships.selectors import actor_for
from partnerships.services import covenants as low

# The terms that carry sharing: changing any of them on a signed version makes a new version.
TERMS = (
    "kind",
    "effective_from",
    "effective_until",
    "information_clause",
    "purpose",
    "retention_days",
)


def is_signed(covenant: Covenant) -> bool:
    """Has any party signed this version?"""
    return covenant.signatories.filter(signed_on__isnull=False).exists()


def is_current_version(covenant: Covenant) -> bool:
    return not Covenant.objects.filter(supersedes=covenant).exists()


def _not_a_coordinator() -> str:
    return _("Only the partnership's coordinators and NCTV staff can do this.")


def _require_current(covenant: Covenant) -> None:
    if not is_current_version(covenant):
        raise ValidationError(
            {
                "covenant": _(
                    "This is not the current version of the covenant '%(title)s'; "
                    "work on the newest version."
                )
                % {"title": covenant.title}
            },
            code="not_current_version",
        )


@transaction.atomic
def covenant_draft(
    *,
    by,
    partnership: Partnership,
    title: str,
    effective_from: date,
    signatories: list[Organisation] = (),
    tasks=(),
    **terms,
) -> Covenant:
    """A new covenant as an unsigned draft: the parties are named, none has signed yet."""
    require(can_manage(actor_for(by), partnership), _not_a_coordinator())
    return low.covenant_create(
        partnership=partnership,
        title=title,
        effective_from=effective_from,
        signatories=[(org, None) for org in signatories],
        tasks=tasks,
        **terms,
    )


@transaction.atomic
def covenant_change(*, covenant: Covenant, by, tasks=None, **changes) -> Covenant:
    """Change a covenant in place: anything on an unsigned draft; on a signed version only what
    carries no sharing (the title and the tasks). Terms on a signed version: ``covenant_amend``."""
    require(can_manage(actor_for(by), covenant.partnership), _not_a_coordinator())
    _require_current(covenant)
    changed_terms = [f for f in TERMS if f in changes and changes[f] != getattr(covenant, f)]
    if changed_terms and is_signed(covenant):
        raise ValidationError(
            {
                field: _(
                    "A signed covenant is not changed in place. Propose a new version; every "
                    "party signs it again, and until then the signed terms stand."
                )
                for field in changed_terms
            },
            code="signed_in_place",
        )
    changes = {f: v for f, v in changes.items() if v != getattr(covenant, f)}
    if changes:
        low.covenant_update(covenant=covenant, **changes)
    if tasks is not None:
        low.covenant_set_tasks(covenant=covenant, tasks=tasks)
    return covenant


@transaction.atomic
def covenant_amend(
    *, covenant: Covenant, by, signatories: list[Organisation] | None = None, **changes
) -> Covenant:
    """Propose a new version of a covenant with changed terms (or parties). It is an unsigned
    draft: it grants nothing until every party has signed it."""
    require(can_manage(actor_for(by), covenant.partnership), _not_a_coordinator())
    _require_current(covenant)
    unknown = set(changes) - set(TERMS) - {"title"}
    if unknown:
        raise TypeError(f"covenant_amend got unknown fields: {sorted(unknown)}")
    current = [
        s.organisation
        for s in covenant.signatories.filter(withdrawn_on__isnull=True).select_related(
            "organisation"
        )
    ]
    if signatories is None:
        signatories = current
    same_parties = {o.pk for o in signatories} == {o.pk for o in current}
    if same_parties and not changed_fields(covenant, changes):
        raise no_change_refusal()  # an empty amendment makes no version to sign
    terms = {f: changes.get(f, getattr(covenant, f)) for f in TERMS}
    tasks = covenant.tasks.select_related("organisation")
    successor = low.covenant_create(
        partnership=covenant.partnership,
        title=changes.get("title", covenant.title),
        signatories=[(org, None) for org in signatories],
        tasks=[(t.organisation, t.description) for t in tasks],
        **terms,
    )
    successor.supersedes = covenant
    successor.version = covenant.version + 1
    successor.save(update_fields=["supersedes", "version"])
    return successor


@transaction.atomic
def covenant_sign(*, covenant: Covenant, by, document=None) -> CovenantSignatory:
    """The signer's own organisation signs the current version, today. When the last party has
    signed a new version, it replaces the version it supersedes."""
    actor = actor_for(by)
    organisation = actor.organisation
    low.hold_signatures(covenant)  # the signatures before the covenant, as the gate locks them
    covenant = Covenant.objects.select_for_update().get(pk=covenant.pk)
    signatory = (
        CovenantSignatory.objects.filter(covenant=covenant, organisation=organisation).first()
        if organisation is not None
        else None
    )
    if signatory is None or signatory.withdrawn_on is not None:
        raise ValidationError(
            {"organisation": _("Your organisation is not a party to this covenant.")},
            code="not_a_signatory",
        )
    if not can_sign_for(actor, organisation):
        raise PermissionDenied(_("Only a member with a signing role signs for the organisation."))
    _require_current(covenant)
    today = timezone.localdate()
    if covenant.status_on(today) in {Covenant.Status.TERMINATED, Covenant.Status.EXPIRED}:
        raise ValidationError(
            {"covenant": _("This covenant has ended; it cannot be signed any more.")},
            code="ended",
        )
    if signatory.signed_on is not None:
        return signatory  # signing twice changes nothing
    signatory.signed_on = today
    signatory.signed_by = by
    signatory.signed_at = timezone.now()
    signatory.save(update_fields=["signed_on", "signed_by", "signed_at"])
    if document is not None:
        low.covenant_upload_document(covenant=covenant, upload=document, by=by)
    low.take_effect_if_signed(covenant, today)
    return signatory


@transaction.atomic
def covenant_end(*, covenant: Covenant, by) -> Covenant:
    """Termination by any party (a signing member of a signatory organisation) or NCTV staff;
    it takes effect at once."""
    actor = actor_for(by)
    party = (
        actor.organisation is not None
        and covenant.signatories.filter(
            organisation=actor.organisation, withdrawn_on__isnull=True
        ).exists()
        and can_sign_for(actor, actor.organisation)
    )
    require(actor.is_nctv_staff or party, _("Only a party to the covenant can terminate it."))
    return low.covenant_terminate(
        covenant=covenant, terminated_on=max(timezone.localdate(), covenant.effective_from)
    )
