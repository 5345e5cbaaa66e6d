"""Escalation of silence: each step once per alert and organisation, recorded.

Step 1, at the acknowledgement deadline: an SMS to the organisation's administrators and to the
liaisons of its partnerships who belong to a recipient organisation. Step 2, at twice the
deadline: an SMS to the NCTV duty officers (active NCTV staff in the group named by
``ALERTS_DUTY_OFFICER_GROUP``), naming the organisations still silent.

An organisation in the audience that nobody can be told of (no active user, or no channel, and
no webhook) does not wait: at publication it reaches step 2 with the reason, and the duty
officers get an SMS naming it and why (``escalate_unreachable``). The later step 2 passes it by.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from alerts import policy
from alerts.dispatch import enqueue_batches
from alerts.models import Acknowledgement, Alert, AlertRecipient, Delivery, EscalationStep
from alerts.models.deliveries import Channel
from partnerships.models import Partnership, Role


def _silent_organisation_ids(alert: Alert, step: int) -> list[int]:
    acknowledged = Acknowledgement.objects.filter(alert=alert).values("organisation_id")
    done = EscalationStep.objects.filter(alert=alert, step=step).values("organisation_id")
    return list(
        AlertRecipient.objects.filter(alert=alert)
        .exclude(organisation_id__in=acknowledged)
        .exclude(organisation_id__in=done)
        .values_list("organisation_id", flat=True)
    )


def _reminder_targets(alert: Alert, organisation_id: int) -> list[tuple[int, int]]:
    """(user id, organisation id) of the administrators and the eligible liaisons."""
    users = get_user_model().objects.filter(is_active=True)
    recipients = AlertRecipient.objects.filter(alert=alert).values("organisation_id")
    liaisons = Partnership.objects.filter(
        members__organisation_id=organisation_id, members__left_on__isnull=True
    ).values("liaison_id")
    return list(
        users.filter(
            Q(membership__organisation_id=organisation_id, membership__role=Role.ADMIN)
            | Q(pk__in=liaisons, membership__organisation_id__in=recipients)
        )
        .distinct()
        .values_list("pk", "membership__organisation_id")
    )


def _sms_rows(alert, targets, purpose, organisation_id, now) -> list[Delivery]:
    return [
        Delivery(
            alert=alert,
            recipient_id=user_id,
            organisation_id=organisation_id if purpose == Delivery.Purpose.REMINDER else org_id,
            channel=Channel.SMS,
            purpose=purpose,
            next_attempt_at=now,
        )
        for user_id, org_id in targets
    ]


def _duty_officers():
    """(user id, organisation id) of the active NCTV duty officers."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            is_staff=True,
            membership__organisation__is_nctv=True,
            groups__name=settings.ALERTS_DUTY_OFFICER_GROUP,
        )
        .values_list("pk", "membership__organisation_id")
    )


def escalate_unreachable(alert: Alert, reasons: dict[int, str]) -> int:
    """At publication, in its transaction: each recipient organisation nobody can be told of
    reaches step 2 with its reason, and the duty officers get one SMS naming them. Once: the
    step rows and the SMS rows are unique, a second call inserts nothing."""
    if not reasons:
        return 0
    now = timezone.now()
    EscalationStep.objects.bulk_create(
        [
            EscalationStep(
                alert=alert,
                organisation_id=org_id,
                step=EscalationStep.Step.DUTY_OFFICER,
                reason=reason,
            )
            for org_id, reason in reasons.items()
        ],
        ignore_conflicts=True,
    )
    rows = _sms_rows(alert, _duty_officers(), Delivery.Purpose.UNREACHABLE, None, now)
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    transaction.on_commit(lambda: _enqueue_purpose(alert, Delivery.Purpose.UNREACHABLE))
    return len(reasons)


def _take_step(alert: Alert, step: int) -> int:
    """Record the step for each silent organisation and queue its messages, in one
    transaction; a second run finds the steps recorded and does nothing."""
    now = timezone.now()  # the messages are due now, whatever clock decided the step
    with transaction.atomic():
        silent = _silent_organisation_ids(alert, step)
        if not silent:
            return 0
        EscalationStep.objects.bulk_create(
            [EscalationStep(alert=alert, organisation_id=o, step=step) for o in silent],
            ignore_conflicts=True,
        )
        rows: list[Delivery] = []
        if step == EscalationStep.Step.REMINDER:
            for org_id in silent:
                rows += _sms_rows(
                    alert, _reminder_targets(alert, org_id), Delivery.Purpose.REMINDER, org_id, now
                )
        else:
            rows = _sms_rows(alert, _duty_officers(), Delivery.Purpose.DUTY_OFFICER, None, now)
        Delivery.objects.bulk_create(rows, ignore_conflicts=True)
        transaction.on_commit(lambda: _enqueue(alert, step))
    return len(silent)


def _enqueue(alert: Alert, step: int) -> None:
    purpose = (
        Delivery.Purpose.REMINDER
        if step == EscalationStep.Step.REMINDER
        else Delivery.Purpose.DUTY_OFFICER
    )
    _enqueue_purpose(alert, purpose)


def _enqueue_purpose(alert: Alert, purpose: str) -> None:
    enqueue_batches(
        list(
            Delivery.objects.filter(
                alert=alert, purpose=purpose, status=Delivery.Status.QUEUED
            ).values_list("pk", flat=True)
        )
    )


def alerts_escalate(*, now: datetime | None = None) -> int:
    """Take the escalation steps that are due; returns how many organisations were escalated."""
    now = now or timezone.now()
    count = 0
    published = Alert.objects.filter(status=Alert.Status.PUBLISHED, published_at__isnull=False)
    for alert in published.only("pk", "published_at", "ack_deadline_minutes", "status"):
        reminder_at, duty_officer_at = policy.escalation_due(alert)
        if now >= reminder_at:
            count += _take_step(alert, EscalationStep.Step.REMINDER)
        if now >= duty_officer_at:
            count += _take_step(alert, EscalationStep.Step.DUTY_OFFICER)
    return count
