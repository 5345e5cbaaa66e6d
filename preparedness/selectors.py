"""Reads of preparedness, already permission-filtered: an operator sees the items of its own
soft targets only (partnership peers do not), NCTV staff see all."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from alerts.models import Acknowledgement, AlertRecipient
from partnerships.selectors import Actor
from preparedness.models import ActionItem, Course, Exercise, Procedure, TrainingRecord
from preparedness.rules import TRAINING_REMINDER_DAYS, procedure_gaps, training_coverage
from threats.models import SoftTarget


def preparedness_targets_visible_to(actor: Actor):
    """The soft targets whose preparedness the actor sees."""
    qs = SoftTarget.objects.all()
    if actor.is_nctv_staff:
        return qs
    if actor.organisation is None or not actor.user.is_active:
        return qs.none()
    return qs.filter(operator=actor.organisation)


def _of_visible_targets(actor: Actor, qs):
    if actor.is_nctv_staff:
        return qs
    return qs.filter(soft_target__in=preparedness_targets_visible_to(actor))


def procedures_visible_to(actor: Actor):
    return _of_visible_targets(actor, Procedure.objects.select_related("soft_target"))


def training_records_visible_to(actor: Actor):
    return _of_visible_targets(
        actor, TrainingRecord.objects.select_related("soft_target", "course")
    )


def exercises_visible_to(actor: Actor):
    return _of_visible_targets(
        actor,
        Exercise.objects.select_related("soft_target", "alert").prefetch_related(
            Prefetch("action_items", queryset=ActionItem.objects.order_by("due_on", "id"))
        ),
    )


def action_items_visible_to(actor: Actor):
    qs = ActionItem.objects.select_related("exercise__soft_target")
    if actor.is_nctv_staff:
        return qs
    return qs.filter(exercise__soft_target__in=preparedness_targets_visible_to(actor))


def course_catalogue():
    return Course.objects.order_by("name", "id")


def with_preparedness(qs):
    """Soft targets with what the preparedness summary reads, in a fixed number of queries."""
    return qs.select_related("category", "operator").prefetch_related(
        Prefetch("procedures", queryset=Procedure.objects.order_by("kind")),
        Prefetch(
            "training_records",
            queryset=TrainingRecord.objects.select_related("course").order_by("-held_on"),
        ),
        Prefetch(
            "exercises",
            queryset=Exercise.objects.order_by("-planned_for").prefetch_related("action_items"),
        ),
    )


def preparedness_summary(target, *, today=None) -> dict:
    """Gaps, coverage and open action items of a target loaded ``with_preparedness``."""
    today = today or timezone.localdate()
    open_items = [
        item
        for exercise in target.exercises.all()
        for item in exercise.action_items.all()
        if item.done_on is None
    ]
    return {
        "procedure_gaps": procedure_gaps(target, target.procedures.all(), today=today),
        "coverage": training_coverage(target, target.training_records.all(), today=today),
        "open_action_items": open_items,
        "overdue_action_items": [i for i in open_items if i.due_on < today],
    }


def training_expiring(*, today=None):
    """Records whose validity ends within the reminder window (for the reminder task)."""
    today = today or timezone.localdate()
    return TrainingRecord.objects.filter(
        valid_until__gte=today,
        valid_until__lte=today + timedelta(days=TRAINING_REMINDER_DAYS),
    ).select_related("soft_target__operator", "course")


def open_action_items_by_partnership(partnership_ids) -> dict[int, dict]:
    """{partnership id: {"open": n, "overdue": m}} of after-action items not done, over the
    soft targets of each partnership (one query)."""
    today = timezone.localdate()
    rows = (
        ActionItem.objects.filter(
            done_on__isnull=True, exercise__soft_target__partnership_id__in=partnership_ids
        )
        .values("exercise__soft_target__partnership_id")
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(due_on__lt=today)))
    )
    return {
        row["exercise__soft_target__partnership_id"]: {
            "open": row["open"],
            "overdue": row["overdue"],
        }
        for row in rows
    }


# --- the exercise alert: how fast each organisation acknowledged ---------------------------------


def load_acknowledgement_times(exercises, actor: Actor) -> None:
    """For each exercise linked to an alert: per organisation in the alert's audience (its
    recipients, fixed at publication) the seconds from publication to that organisation's first
    acknowledgement, or None. NCTV staff see every audience organisation; a partner, as on the
    alert itself, only its own organisation's acknowledgement. One query for all the exercises
    given; the rows are kept on each exercise for :func:`acknowledgement_times`."""
    exercises = list(exercises)
    alert_ids = {exercise.alert_id for exercise in exercises if exercise.alert_id}
    per_alert: dict[int, list[dict]] = {alert_id: [] for alert_id in alert_ids}
    if alert_ids:
        first_ack = (
            Acknowledgement.objects.filter(
                alert_id=OuterRef("alert_id"), organisation_id=OuterRef("organisation_id")
            )
            .order_by("at")
            .values("at")[:1]
        )
        recipients = AlertRecipient.objects.filter(alert_id__in=alert_ids)
        if not actor.is_nctv_staff:
            own = actor.membership.organisation_id if actor.membership else None
            recipients = recipients.filter(organisation_id=own)
        rows = (
            recipients.annotate(first_ack=Subquery(first_ack))
            .order_by("organisation__name", "organisation_id")
            .values("alert_id", "organisation__name", "alert__published_at", "first_ack")
        )
        for row in rows:
            published, acked = row["alert__published_at"], row["first_ack"]
            delay = None
            if published is not None and acked is not None:
                delay = max(acked - published, timedelta(0))
            per_alert[row["alert_id"]].append(
                {
                    "organisation": row["organisation__name"],
                    "seconds": None if delay is None else round(delay.total_seconds()),
                    "delay": delay,
                }
            )
    for exercise in exercises:
        exercise.acknowledgement_rows = per_alert.get(exercise.alert_id, [])


def acknowledgement_times(exercise, actor: Actor) -> list[dict]:
    """``[{"organisation": name, "seconds": int | None, "delay": timedelta | None}]`` for the
    exercise's alert (empty without one), by organisation name; one query unless already loaded
    for a list (:func:`load_acknowledgement_times` says who sees which organisations)."""
    if not hasattr(exercise, "acknowledgement_rows"):
        load_acknowledgement_times([exercise], actor)
    return exercise.acknowledgement_rows
