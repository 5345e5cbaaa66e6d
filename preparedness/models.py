"""Preparedness per soft target: written procedures, training records against a course
catalogue the NCTV manages, and exercises with the after-action items they taught."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from threats.models import SoftTarget


class ProcedureKind(models.TextChoices):
    EVACUATION = "evacuation", _("Evacuation")
    INVACUATION = "invacuation", _("Invacuation")
    LOCKDOWN = "lockdown", _("Lockdown")
    COMMUNICATION = "communication", _("Communication")
    SECURITY_PLAN = "security_plan", _("Security plan")


class ProcedureState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class Procedure(models.Model):
    """A written procedure of one kind for one soft target: an owner, a review date, a state."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    soft_target = models.ForeignKey(
        SoftTarget,
        on_delete=models.CASCADE,
        related_name="procedures",
        verbose_name=_("soft target"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ProcedureKind.choices)
    title = models.CharField(_("title"), max_length=200)
    steps = models.TextField(_("steps"), blank=True)
    owner = models.CharField(_("owner"), max_length=200)
    state = models.CharField(
        _("state"), max_length=20, choices=ProcedureState.choices, default=ProcedureState.DRAFT
    )
    review_due = models.DateField(_("review due"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["soft_target", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["soft_target", "kind"], name="one_procedure_per_kind_per_target"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.soft_target}: {self.get_kind_display()}"


class Course(models.Model):
    """A training course in the NCTV's catalogue (awareness, first response, ACT ...)."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"), validators=[MinValueValidator(1)], default=12
    )
    counts_for_coverage = models.BooleanField(
        _("counts for the share of staff trained"), default=True
    )

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("course catalogue")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class TrainingRecord(models.Model):
    """Staff of a soft target who completed a course: by role and count, when, valid until."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    soft_target = models.ForeignKey(
        SoftTarget,
        on_delete=models.CASCADE,
        related_name="training_records",
        verbose_name=_("soft target"),
    )
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="records", verbose_name=_("course")
    )
    role = models.CharField(_("staff role"), max_length=100)
    trained_count = models.PositiveIntegerField(_("number trained"))
    staff_total = models.PositiveIntegerField(
        _("staff at the target"), validators=[MinValueValidator(1)]
    )
    held_on = models.DateField(_("held on"))
    valid_until = models.DateField(_("valid until"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The validity end the expiry reminder was sent for: one reminder per validity period, and
    # a renewed record (a new valid_until) is reminded again.
    reminder_sent_for = models.DateField(
        _("reminder sent for validity until"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["soft_target", "-held_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gt=models.F("held_on")),
                name="training_valid_after_held",
            ),
            models.CheckConstraint(
                condition=models.Q(trained_count__lte=models.F("staff_total")),
                name="training_not_more_than_staff",
            ),
        ]
        indexes = [
            # the expiry reminder: records whose validity ends soon
            models.Index(fields=["valid_until"], name="training_by_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.soft_target}: {self.course} ({self.trained_count})"


class ExerciseStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")


class Exercise(models.Model):
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    soft_target = models.ForeignKey(
        SoftTarget,
        on_delete=models.CASCADE,
        related_name="exercises",
        verbose_name=_("soft target"),
    )
    scenario = models.CharField(_("scenario"), max_length=300)
    planned_for = models.DateField(_("planned for"))
    participants = models.TextField(_("participants"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ExerciseStatus.choices, default=ExerciseStatus.PLANNED
    )
    held_on = models.DateField(_("held on"), null=True, blank=True)
    outcome = models.TextField(_("what happened"), blank=True)
    alert = models.ForeignKey(
        "alerts.Alert",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("exercise alert"),
        help_text=_("The alert of kind exercise that started it, if any."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("exercise")
        verbose_name_plural = _("exercises")
        ordering = ["soft_target", "-planned_for", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="planned", held_on__isnull=True)
                | models.Q(status="held", held_on__isnull=False),
                name="exercise_held_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.soft_target}: {self.scenario}"


class ActionItem(models.Model):
    """What an exercise taught: an owner, a due date, and done or not."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    exercise = models.ForeignKey(
        Exercise,
        on_delete=models.CASCADE,
        related_name="action_items",
        verbose_name=_("exercise"),
    )
    description = models.CharField(_("description"), max_length=500)
    owner = models.CharField(_("owner"), max_length=200)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("after-action item")
        verbose_name_plural = _("after-action items")
        ordering = ["exercise", "due_on", "id"]
        indexes = [
            # open items per exercise (health, the preparedness page)
            models.Index(
                fields=["exercise", "due_on"],
                name="action_item_open",
                condition=models.Q(done_on__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.description


from preparedness.models_library import (  # noqa: E402  (the library's models, in their own room)
    Guidance,
    GuidanceKind,
    GuidanceReceipt,
    GuidanceVersion,
    PartnershipDocument,
)

__all__ = [
    "ActionItem",
    "Course",
    "Exercise",
    "ExerciseStatus",
    "Guidance",
    "GuidanceKind",
    "GuidanceReceipt",
    "GuidanceVersion",
    "PartnershipDocument",
    "Procedure",
    "ProcedureKind",
    "ProcedureState",
    "TrainingRecord",
]
