"""Writes on preparedness. One function per use case, each owning its transaction; who may
write is the soft target's rule (its operator's writers, and NCTV staff); the course catalogue
is the NCTV's."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import Alert
from alerts.selectors import user_may_see
from partnerships.policy import require_nctv_staff
from partnerships.selectors import actor_for
from preparedness.models import (
    ActionItem,
    Course,
    Exercise,
    ExerciseStatus,
    Procedure,
    ProcedureKind,
    ProcedureState,
    TrainingRecord,
)
from threats.services_checks import may_change_soft_target


def may_change_preparedness(actor, soft_target) -> bool:
    """The soft target's own rule: its operator's writers and NCTV staff."""
    return may_change_soft_target(actor, soft_target)


def _require_may_change(by, soft_target) -> None:
    if not may_change_preparedness(actor_for(by), soft_target):
        raise PermissionDenied(_("Only the operator of this soft target may change it."))


def _not_future(value: date, field: str) -> None:
    if value > timezone.localdate():
        raise ValidationError({field: _("This date cannot be in the future.")})


# --- procedures ---------------------------------------------------------------------------------


@transaction.atomic
def procedure_save(
    *,
    soft_target,
    by,
    kind: str,
    title: str,
    owner: str,
    review_due: date,
    steps: str = "",
    state: str = ProcedureState.DRAFT,
) -> Procedure:
    """Write the target's procedure of this kind (one per kind): created, or replaced."""
    _require_may_change(by, soft_target)
    if kind not in ProcedureKind.values:
        raise ValidationError({"kind": _("Unknown procedure kind.")})
    if state not in ProcedureState.values:
        raise ValidationError({"state": _("Unknown state.")})
    procedure = (
        Procedure.objects.select_for_update().filter(soft_target=soft_target, kind=kind).first()
    ) or Procedure(soft_target=soft_target, kind=kind)
    procedure.title = title
    procedure.owner = owner
    procedure.review_due = review_due
    procedure.steps = steps
    procedure.state = state
    procedure.updated_by = by
    procedure.full_clean()
    procedure.save()
    return procedure


# --- training -----------------------------------------------------------------------------------


@transaction.atomic
def course_create(
    *, by, code: str, name: str, validity_months: int = 12, counts_for_coverage: bool = True
) -> Course:
    require_nctv_staff(actor_for(by))
    course = Course(
        code=code,
        name=name,
        validity_months=validity_months,
        counts_for_coverage=counts_for_coverage,
    )
    course.full_clean()
    course.save()
    return course


@transaction.atomic
def training_record_create(
    *,
    soft_target,
    by,
    course: Course,
    role: str,
    trained_count: int,
    staff_total: int,
    held_on: date,
    valid_until: date | None = None,
) -> TrainingRecord:
    """Record a training; valid for the course's validity unless a date is given."""
    _require_may_change(by, soft_target)
    _not_future(held_on, "held_on")
    if trained_count > staff_total:
        raise ValidationError(
            {"trained_count": _("More staff trained than work at the soft target.")}
        )
    if valid_until is None:
        valid_until = held_on + relativedelta(months=course.validity_months)
    if valid_until <= held_on:
        raise ValidationError({"valid_until": _("A training is valid until after it was held.")})
    record = TrainingRecord(
        soft_target=soft_target,
        course=course,
        role=role,
        trained_count=trained_count,
        staff_total=staff_total,
        held_on=held_on,
        valid_until=valid_until,
        recorded_by=by,
    )
    record.full_clean()
    record.save()
    return record


# --- exercises ----------------------------------------------------------------------------------


def _require_exercise_alert(by, alert) -> None:
    """Only an alert of kind exercise that the user may see can be linked; another one is
    unknown to them, like a missing one."""
    if not user_may_see(by, alert):
        raise ValidationError({"alert": _("There is no such alert.")})
    if alert.kind != Alert.Kind.EXERCISE:
        raise ValidationError({"alert": _("Only an alert of kind exercise can be linked.")})


@transaction.atomic
def exercise_plan(
    *, soft_target, by, scenario: str, planned_for: date, participants: str = "", alert=None
) -> Exercise:
    _require_may_change(by, soft_target)
    if alert is not None:
        _require_exercise_alert(by, alert)
    exercise = Exercise(
        soft_target=soft_target,
        scenario=scenario,
        planned_for=planned_for,
        participants=participants,
        alert=alert,
        created_by=by,
    )
    exercise.full_clean()
    exercise.save()
    return exercise


@transaction.atomic
def exercise_record_held(*, exercise: Exercise, by, held_on: date, outcome: str) -> Exercise:
    """Record what happened at an exercise; recording it again replaces the account."""
    _require_may_change(by, exercise.soft_target)
    _not_future(held_on, "held_on")
    if not outcome.strip():
        raise ValidationError({"outcome": _("Say what happened at the exercise.")})
    exercise.status = ExerciseStatus.HELD
    exercise.held_on = held_on
    exercise.outcome = outcome
    exercise.full_clean()
    exercise.save()
    return exercise


@transaction.atomic
def action_item_add(
    *, exercise: Exercise, by, description: str, owner: str, due_on: date
) -> ActionItem:
    """An after-action item: only an exercise that was held has taught something."""
    _require_may_change(by, exercise.soft_target)
    if exercise.status != ExerciseStatus.HELD:
        raise ValidationError(
            {"exercise": _("Record what happened at the exercise before its action items.")}
        )
    item = ActionItem(exercise=exercise, description=description, owner=owner, due_on=due_on)
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def action_item_reschedule(*, item: ActionItem, by, due_on: date) -> ActionItem:
    """Agree a new due date for an open item."""
    _require_may_change(by, item.exercise.soft_target)
    if item.done_on is not None:
        raise ValidationError({"due_on": _("This action item is done already.")})
    item.due_on = due_on
    item.save(update_fields=["due_on"])
    return item


@transaction.atomic
def action_item_complete(*, item: ActionItem, by, done_on: date | None = None) -> ActionItem:
    """Mark an item done; done twice changes nothing the second time."""
    _require_may_change(by, item.exercise.soft_target)
    if item.done_on is not None:
        return item
    done_on = done_on or timezone.localdate()
    _not_future(done_on, "done_on")
    item.done_on = done_on
    item.save(update_fields=["done_on"])
    return item
