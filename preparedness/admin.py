"""Admin for preparedness (NCTV staff): the course catalogue, and every soft target's procedures,
training records and exercises with their after-action items. Writes go through
``preparedness.services``; the admin holds no rule of its own."""

from __future__ import annotations

from django.contrib import admin

from partnerships.admin.base import ReadOnlyInlineMixin, ServiceAdmin
from preparedness import services
from preparedness.models import ActionItem, Course, Exercise, Procedure, TrainingRecord


@admin.register(Course)
class CourseAdmin(ServiceAdmin):
    list_display = ["name", "code", "validity_months", "counts_for_coverage"]
    search_fields = ["name", "code"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def write(self, request, obj, data, changed):
        return services.course_create(by=request.user, **data)


@admin.register(Procedure)
class ProcedureAdmin(ServiceAdmin):
    list_display = ["soft_target", "kind", "title", "owner", "state", "review_due"]
    list_filter = ["kind", "state"]
    search_fields = ["title", "soft_target__name"]
    autocomplete_fields = ["soft_target"]
    fields = ["soft_target", "kind", "title", "steps", "owner", "state", "review_due"]

    def has_delete_permission(self, request, obj=None):
        return False

    def write(self, request, obj, data, changed):
        return services.procedure_save(by=request.user, **data)


@admin.register(TrainingRecord)
class TrainingRecordAdmin(ServiceAdmin):
    list_display = ["soft_target", "course", "role", "trained_count", "held_on", "valid_until"]
    list_filter = ["course"]
    search_fields = ["soft_target__name", "role"]
    autocomplete_fields = ["soft_target"]
    fields = [
        "soft_target",
        "course",
        "role",
        "trained_count",
        "staff_total",
        "held_on",
        "valid_until",
    ]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def write(self, request, obj, data, changed):
        return services.training_record_create(by=request.user, **data)


class ActionItemInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = ActionItem
    fields = ["description", "owner", "due_on", "done_on"]
    readonly_fields = fields
    show_change_link = False


@admin.register(Exercise)
class ExerciseAdmin(ServiceAdmin):
    list_display = ["soft_target", "scenario", "planned_for", "status", "held_on"]
    list_filter = ["status"]
    search_fields = ["scenario", "soft_target__name"]
    autocomplete_fields = ["soft_target"]
    fields = ["soft_target", "scenario", "planned_for", "participants", "held_on", "outcome"]
    inlines = [ActionItemInline]

    def get_readonly_fields(self, request, obj=None):
        return ["soft_target", "scenario", "planned_for", "participants"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False

    def write(self, request, obj, data, changed):
        if obj is None:
            obj = services.exercise_plan(
                by=request.user,
                soft_target=data["soft_target"],
                scenario=data["scenario"],
                planned_for=data["planned_for"],
                participants=data.get("participants", ""),
            )
        if data.get("held_on"):
            services.exercise_record_held(
                exercise=obj,
                by=request.user,
                held_on=data["held_on"],
                outcome=data.get("outcome", ""),
            )
        return obj
