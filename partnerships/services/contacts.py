"""Writes on the contact log, follow-up actions and cost sharing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerships.models import (
    Action,
    ContactEntry,
    CostItem,
    CostShare,
    Membership,
    Organisation,
    Partnership,
)
from partnerships.services.covenants import _check_members


def _owner_organisation_of(user) -> Organisation:
    membership = Membership.objects.select_related("organisation").filter(user=user).first()
    if membership is None:
        raise ValidationError(_("Your account is not linked to an organisation."))
    return membership.organisation


@transaction.atomic
def contact_create(
    *,
    partnership: Partnership,
    by,
    occurred_on: date,
    kind: str,
    summary: str,
    participants: list[Organisation],
    tlp: str = "green",
    actions: list[dict] = (),
) -> ContactEntry:
    """Log a meeting, call, exercise or debrief, with its follow-up actions."""
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": _("A contact cannot take place in the future.")})
    if not participants:
        raise ValidationError({"participants": _("Name at least one participating organisation.")})
    _check_members(partnership, participants, "participants")
    entry = ContactEntry(
        partnership=partnership,
        occurred_on=occurred_on,
        kind=kind,
        summary=summary,
        tlp=tlp,
        owner_organisation=_owner_organisation_of(by),
        created_by=by,
    )
    entry.full_clean()
    entry.save()
    entry.participants.set(participants)
    for action in actions:
        action_create(partnership=partnership, contact=entry, **action)
    return entry


@transaction.atomic
def action_create(
    *,
    partnership: Partnership,
    description: str,
    owner: Organisation,
    due_on: date,
    contact: ContactEntry | None = None,
) -> Action:
    _check_members(partnership, [owner], "owner")
    if contact is not None and contact.partnership_id != partnership.pk:
        raise ValidationError({"contact": _("The contact belongs to another partnership.")})
    action = Action(
        partnership=partnership,
        contact=contact,
        description=description,
        owner=owner,
        due_on=due_on,
    )
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def action_set_done(*, action: Action, done: bool = True, on: date | None = None) -> Action:
    """Mark an action done (or open again). Marking it done twice keeps the first date."""
    if done and action.done_on is not None:
        return action
    action.done_on = (on or timezone.localdate()) if done else None
    action.save(update_fields=["done_on"])
    return action


@transaction.atomic
def cost_item_create(
    *,
    partnership: Partnership,
    description: str,
    amount: Decimal,
    period_start: date,
    period_end: date,
) -> CostItem:
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period cannot end before it starts.")})
    item = CostItem(
        partnership=partnership,
        description=description,
        amount=amount,
        period_start=period_start,
        period_end=period_end,
    )
    item.full_clean()
    item.save()
    return item


def _refuse_key(message: str, code: str) -> None:
    raise ValidationError({"shares": ValidationError(message, code=code)})


@transaction.atomic
def cost_allocation_set(
    *,
    partnership: Partnership,
    shares: dict[Organisation, Decimal] | Iterable[tuple[Organisation, Decimal]],
    by,
) -> list[CostShare]:
    """Replace the allocation key as a whole: percentages per party that sum to exactly 100.

    Who: the partnership's coordinators (with a writing role) and NCTV staff
    (``policy.can_manage``), through the admin, the dashboard and the API alike. A party
    named twice, a negative percentage or a sum other than 100 is refused and nothing is
    written."""
    from partnerships.policy import can_manage, require
    from partnerships.selectors import actor_for

    require(
        can_manage(actor_for(by), partnership),
        _("Only the partnership's coordinators and NCTV staff set the allocation key."),
    )
    pairs = [
        (org, Decimal(str(p)))
        for org, p in (shares.items() if isinstance(shares, dict) else shares)
    ]
    organisations = [org for org, _p in pairs]
    if len({org.pk for org in organisations}) != len(organisations):
        _refuse_key(_("Name each party once in the allocation key."), "duplicate")
    _check_members(partnership, organisations, "shares")
    if any(p < 0 for _org, p in pairs):
        _refuse_key(_("A percentage cannot be negative."), "negative")
    total = sum((p for _org, p in pairs), Decimal("0"))
    if total != Decimal("100"):
        _refuse_key(
            _("The percentages must add up to exactly 100; they add up to %(total)s.")
            % {"total": total},
            "not_100",
        )
    partnership.cost_shares.all().delete()
    return CostShare.objects.bulk_create(
        CostShare(partnership=partnership, organisation=org, percentage=p) for org, p in pairs
    )
