"""Reads of preparedness, already permission-filtered: an operator sees the items of its own
soft targets only (partnership peers do not), NCTV staff see all."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

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
        Exercise.objects.select_related("soft_target").prefetch_related(
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
