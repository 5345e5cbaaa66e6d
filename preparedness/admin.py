"""Admin for preparedness (NCTV staff): the course catalogue, and every soft target's procedures,
training records and exercises with their after-action items; the guidance of the document
library with its versions and who read the current one. Writes go through
``preparedness.services``; the admin holds no rule of its own."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Count, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from ppsportal.admin.base import NoDeleteMixin, ReadOnlyInlineMixin, ServiceAdmin
from preparedness import services, services_library
from preparedness.models import (
    ActionItem,
    Course,
    Exercise,
    Guidance,
    GuidanceReceipt,
    GuidanceVersion,
    Procedure,
    TrainingRecord,
)


@admin.register(Course)
class CourseAdmin(NoDeleteMixin, ServiceAdmin):
    list_display = ["name", "code", "validity_months", "counts_for_coverage"]
    search_fields = ["name", "code"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def write(self, request, obj, data, changed):
        return services.course_create(by=request.user, **data)


@admin.register(Procedure)
class ProcedureAdmin(NoDeleteMixin, ServiceAdmin):
    list_display = ["soft_target", "kind", "title", "owner", "state", "review_due"]
    list_select_related = ["soft_target"]
    list_filter = ["kind", "state"]
    search_fields = ["title", "soft_target__name"]
    autocomplete_fields = ["soft_target"]
    fields = ["soft_target", "kind", "title", "steps", "owner", "state", "review_due"]

    def write(self, request, obj, data, changed):
        return services.procedure_save(by=request.user, **data)


@admin.register(TrainingRecord)
class TrainingRecordAdmin(NoDeleteMixin, ServiceAdmin):
    list_display = ["soft_target", "course", "role", "trained_count", "held_on", "valid_until"]
    list_select_related = ["soft_target", "course"]
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

    def write(self, request, obj, data, changed):
        return services.training_record_create(by=request.user, **data)


class ActionItemInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = ActionItem
    fields = ["description", "owner", "due_on", "done_on"]
    readonly_fields = fields
    show_change_link = False


@admin.register(Exercise)
class ExerciseAdmin(NoDeleteMixin, ServiceAdmin):
    list_display = ["soft_target", "scenario", "planned_for", "status", "held_on"]
    list_select_related = ["soft_target"]
    list_filter = ["status"]
    search_fields = ["scenario", "soft_target__name"]
    autocomplete_fields = ["soft_target"]
    fields = ["soft_target", "scenario", "planned_for", "participants", "held_on", "outcome"]
    inlines = [ActionItemInline]

    def get_readonly_fields(self, request, obj=None):
        return ["soft_target", "scenario", "planned_for", "participants"] if obj else []

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


# --- the document library -----------------------------------------------------------------------


class GuidanceAdminForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("File of the new version"),
        required=False,
        help_text=_("PDF, JPEG or PNG. On an existing document it becomes the current version."),
    )
    notes = forms.CharField(label=_("What changed"), required=False, widget=forms.Textarea)

    class Meta:
        model = Guidance
        fields = ["title", "kind", "sector", "summary", "tlp"]


class GuidanceVersionInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = GuidanceVersion
    fields = ["number", "file_kind", "size", "notes", "published_by", "published_at", "readers"]
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(reader_count=Count("receipts"))

    @admin.display(description=_("read by"))
    def readers(self, obj):
        return obj.reader_count


@admin.register(Guidance)
class GuidanceAdmin(NoDeleteMixin, ServiceAdmin):
    form = GuidanceAdminForm
    list_display = ["title", "kind", "sector", "tlp", "current", "readers_of_current"]
    list_select_related = ["sector"]
    list_filter = ["kind", "tlp"]
    search_fields = ["title"]
    inlines = [GuidanceVersionInline]

    def get_queryset(self, request):
        current = GuidanceVersion.objects.filter(guidance=OuterRef("pk")).order_by("-number")
        readers = (
            GuidanceReceipt.objects.filter(version=Subquery(current.values("pk")[:1]))
            .values("version")
            .annotate(n=Count("id"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .select_related("sector")
            .annotate(
                current_number=Subquery(current.values("number")[:1]),
                current_readers=Subquery(readers[:1]),
            )
        )

    @admin.display(description=_("current version"))
    def current(self, obj):
        return obj.current_number

    @admin.display(description=_("read the current version"))
    def readers_of_current(self, obj):
        return obj.current_readers or 0

    def get_readonly_fields(self, request, obj=None):
        return ["title", "kind", "sector", "summary", "tlp"] if obj else []

    def write(self, request, obj, data, changed):
        upload = data.get("upload")
        if obj is None:
            return services_library.guidance_publish(
                by=request.user,
                title=data["title"],
                kind=data["kind"],
                sector=data.get("sector"),
                summary=data.get("summary", ""),
                tlp=data["tlp"],
                upload=upload,
                notes=data.get("notes", ""),
            )
        if upload is not None:
            services_library.guidance_version_add(
                guidance=obj, by=request.user, upload=upload, notes=data.get("notes", "")
            )
        return obj
