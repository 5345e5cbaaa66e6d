"""Writes on covenants, protocols and data-sharing agreements."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerships.models import Covenant, CovenantSignatory, CovenantTask, Organisation, Partnership
from partnerships.services.documents import check_pdf
from partnerships.services.partnerships import not_dated_ahead


def _current_member_ids(partnership: Partnership) -> set[int]:
    return set(
        partnership.members.filter(left_on__isnull=True).values_list("organisation_id", flat=True)
    )


def _check_dates(effective_from: date, effective_until: date | None) -> None:
    if effective_until is not None and effective_until < effective_from:
        raise ValidationError(
            {"effective_until": _("'Effective until' cannot be before 'effective from'.")},
            code="ends_before_start",
        )


def _check_members(
    partnership: Partnership, organisations, field: str, *, nctv_may_sign: bool = False
) -> None:
    """Parties and task owners are current members; the NCTV may sign a covenant without being
    a member (it shares under it with the partners)."""
    members = _current_member_ids(partnership)
    outsiders = [
        o.name for o in organisations if o.pk not in members and not (nctv_may_sign and o.is_nctv)
    ]
    if outsiders:
        raise ValidationError(
            {
                field: _("Not a member of the partnership: %(names)s.")
                % {"names": ", ".join(outsiders)}
            },
            code="not_a_member",
        )


@transaction.atomic
def covenant_create(
    *,
    partnership: Partnership,
    title: str,
    effective_from: date,
    kind: str = Covenant.Kind.COVENANT,
    effective_until: date | None = None,
    information_clause: str | None = None,
    purpose: str = "",
    retention_days: int | None = None,
    signatories: list[tuple[Organisation, date | None]] = (),
    tasks: list[tuple[Organisation, str]] = (),
) -> Covenant:
    """Create a covenant with its signatories (organisation, signing date or None) and tasks.
    Without an information clause it gets the partnership's variant's default
    (``partnerships.variants``: GREEN for continuation and broadening, AMBER for deepening)."""
    from partnerships.variants import defaults_for

    information_clause = information_clause or defaults_for(partnership).default_clause
    _check_dates(effective_from, effective_until)
    _check_members(
        partnership, [org for org, _signed in signatories], "signatories", nctv_may_sign=True
    )
    _check_members(partnership, [org for org, _task in tasks], "tasks")
    covenant = Covenant(
        partnership=partnership,
        kind=kind,
        title=title,
        effective_from=effective_from,
        effective_until=effective_until,
        information_clause=information_clause,
        purpose=purpose,
        retention_days=retention_days,
    )
    covenant.full_clean()
    covenant.save()
    for organisation, signed_on in signatories:
        CovenantSignatory.objects.create(
            covenant=covenant, organisation=organisation, signed_on=signed_on
        )
    covenant_set_tasks(covenant=covenant, tasks=tasks)
    return covenant


def hold_signatures(covenant: Covenant) -> None:
    """Before a covenant row is written: lock its signatures (``FOR NO KEY UPDATE``, by id), in
    the writer's transaction. The entitlement gate share-locks the signatures, then the
    covenants (``alerts.gate``); a transaction that wrote the covenant and then a signature (the
    covenant admin: the covenant saved, then its signatory inline) would hold the covenant the
    gate waits for while waiting for a signature the gate holds. Every service that writes a
    covenant row a revocation may follow calls this first, so the writers lock in the gate's
    order."""
    _lock_signatures([covenant.pk])


def _lock_signatures(covenant_ids: list[int]) -> None:
    list(
        CovenantSignatory.objects.filter(covenant_id__in=covenant_ids)
        .order_by("pk")
        .select_for_update(no_key=True)
        .values_list("pk", flat=True)
    )


def hold_covenants(covenant_ids) -> list[int]:
    """Before several covenant rows are written in one transaction: lock all of their
    signatures by id, then the covenants themselves by id (both ``FOR NO KEY UPDATE``), as the
    gate locks them (every signature of the round, then every covenant). Locking the covenants
    one after another, each with its own signatures, or in the order a scan finds them, would
    hold a covenant while waiting for a signature or a covenant the gate holds. The ids of the
    covenants locked (a covenant gone meanwhile is left out)."""
    ids = sorted(set(covenant_ids))
    if not ids:
        return []
    _lock_signatures(ids)
    return list(
        Covenant.objects.filter(pk__in=ids)
        .order_by("pk")
        .select_for_update(no_key=True)
        .values_list("pk", flat=True)
    )


@transaction.atomic
def covenant_update(*, covenant: Covenant, **changes) -> Covenant:
    allowed = {
        "title",
        "kind",
        "effective_from",
        "effective_until",
        "information_clause",
        "purpose",
        "retention_days",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"covenant_update got unknown fields: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(covenant, field, value)
    _check_dates(covenant.effective_from, covenant.effective_until)
    covenant.full_clean()
    hold_signatures(covenant)
    covenant.save()
    return covenant


@transaction.atomic
def covenant_add_signatory(
    *, covenant: Covenant, organisation: Organisation, signed_on: date | None = None
) -> CovenantSignatory:
    _check_members(covenant.partnership, [organisation], "organisation", nctv_may_sign=True)
    hold_signatures(covenant)  # all of them, by id, as the entitlement gate locks them
    signatory, created = CovenantSignatory.objects.get_or_create(
        covenant=covenant, organisation=organisation, defaults={"signed_on": signed_on}
    )
    if not created and signatory.withdrawn_on is not None:
        signatory.withdrawn_on = None
        signatory.signed_on = signed_on
        signatory.save(update_fields=["withdrawn_on", "signed_on"])
    return signatory


@transaction.atomic
def covenant_record_signature(
    *, covenant: Covenant, organisation: Organisation, signed_on: date | None = None
) -> CovenantSignatory:
    """Record a signing date as data (demo and migration seeding). The faces never call this: a
    party signs for itself through ``partnerships.services.signing.covenant_sign``."""
    signatory = CovenantSignatory.objects.filter(
        covenant=covenant, organisation=organisation
    ).first()
    if signatory is None or signatory.withdrawn_on is not None:
        raise ValidationError(
            {"organisation": _("This organisation is not a signatory of the covenant.")},
            code="not_a_signatory",
        )
    signatory.signed_on = signed_on or timezone.localdate()
    signatory.save(update_fields=["signed_on"])
    return signatory


@transaction.atomic
def covenant_withdraw_signatory(
    *, covenant: Covenant, organisation: Organisation, withdrawn_on: date | None = None
) -> CovenantSignatory:
    """A party withdraws: what was shared with it under this covenant is no longer visible. When
    it was the last party that had not signed a new version, that version takes effect (it
    replaces the earlier ones, as if the last party had signed)."""
    # all of the covenant's signatures, by id, as the entitlement gate locks them: withdrawing
    # several parties in one transaction (the covenant admin's inline, in name order) would
    # otherwise lock them in another order than a gate in progress, and deadlock with it
    hold_signatures(covenant)
    signatory = CovenantSignatory.objects.filter(
        covenant=covenant, organisation=organisation
    ).first()
    if signatory is None:
        raise ValidationError(
            {"organisation": _("This organisation is not a signatory of the covenant.")},
            code="not_a_signatory",
        )
    withdrawn_on = withdrawn_on or timezone.localdate()
    not_dated_ahead(
        withdrawn_on,
        "withdrawn_on",
        _(
            "A withdrawal cannot be dated in the future: record it on the day the party "
            "withdraws (or on a date already past)."
        ),
    )
    signatory.withdrawn_on = withdrawn_on
    signatory.save(update_fields=["withdrawn_on"])
    today = timezone.localdate()
    if covenant.status_on(today) not in {Covenant.Status.TERMINATED, Covenant.Status.EXPIRED}:
        take_effect_if_signed(covenant, today)
    return signatory


def take_effect_if_signed(covenant: Covenant, today: date) -> bool:
    """A new version that every current party has signed replaces every earlier version. Called
    when a party signs, and when the last party that had not signed withdraws."""
    if not covenant.supersedes_id:
        return False
    parties = covenant.signatories.filter(withdrawn_on__isnull=True)
    if not parties.exists() or parties.filter(signed_on__isnull=True).exists():
        return False
    _replace(covenant.supersedes, covenant, today)
    return True


def _replace(old: Covenant, new: Covenant, today: date) -> None:
    """``new`` replaces every earlier version, not only the one it supersedes: a version proposed
    on top of an unsigned draft must not leave the last signed version in force beside it."""
    from partnerships.sharing.services import grants_move_to_version

    while old is not None:
        if old.terminated_on is None or old.terminated_on > today:
            old.terminated_on = max(today, old.effective_from)
            old.save(update_fields=["terminated_on"])
        grants_move_to_version(old=old, new=new)
        old = old.supersedes


@transaction.atomic
def covenant_terminate(*, covenant: Covenant, terminated_on: date | None = None) -> Covenant:
    terminated_on = terminated_on or timezone.localdate()
    if terminated_on < covenant.effective_from:
        raise ValidationError(
            {"terminated_on": _("A covenant cannot be terminated before it takes effect.")}
        )
    hold_signatures(covenant)
    covenant.terminated_on = terminated_on
    covenant.save(update_fields=["terminated_on"])
    return covenant


@transaction.atomic
def covenant_set_tasks(*, covenant: Covenant, tasks: list[tuple[Organisation, str]]) -> None:
    _check_members(covenant.partnership, [org for org, _task in tasks], "tasks")
    empty = [org.name for org, text in tasks if not (text or "").strip()]
    if empty:
        raise ValidationError({"tasks": _("Describe the task of each party.")})
    covenant.tasks.all().delete()
    CovenantTask.objects.bulk_create(
        CovenantTask(covenant=covenant, organisation=org, description=text.strip(), position=i)
        for i, (org, text) in enumerate(tasks)
    )


@transaction.atomic
def covenant_upload_document(*, covenant: Covenant, upload, by=None) -> Covenant:
    """Store the signed document: PDF checked by content, size limited; the old one is replaced.
    The uploader's organisation becomes the document's owner (it always sees it)."""
    check_pdf(upload)
    if by is not None:
        from partnerships.selectors import membership_for_user

        membership = membership_for_user(by)
        covenant.document_owner = membership.organisation if membership else None
    hold_signatures(covenant)
    old = covenant.document.name if covenant.document else None
    covenant.document.save("signed.pdf", upload, save=False)
    covenant.document_uploaded_at = timezone.now()
    covenant.save(update_fields=["document", "document_uploaded_at", "document_owner"])
    if old:
        storage = covenant.document.storage
        transaction.on_commit(lambda: storage.delete(old))
    return covenant
