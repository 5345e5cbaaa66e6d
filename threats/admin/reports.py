"""Admin for reports back to government: the report queue. Staff triage (new, in review, closed)
and reply through ``report_triage`` and ``report_reply``; reports are made by operators, so they
are not added or deleted here. Reading a report at AMBER or above is audited."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partnerships.sharing.admin import AuditedReadsMixin
from ppsportal.admin.base import NoAddMixin, NoDeleteMixin, ReadOnlyInlineMixin, ServiceAdmin
from threats import services
from threats.models import Report, ReportReply
from threats.services_reports import report_link_assessment

REPORT_RECORD = [
    "soft_target",
    "kind",
    "what",
    "occurred_at",
    "location",
    "tlp",
    "reporter",
    "reporter_organisation",
    "created_at",
    "public_id",
]


class ReportForm(forms.ModelForm):
    reply = forms.CharField(
        label=_("reply to the reporter"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The reporting organisation sees the reply with the report."),
    )

    class Meta:
        model = Report
        fields = ["status", "assessment"]


class ReplyInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = ReportReply
    fields = ["created_at", "author", "body"]
    readonly_fields = fields
    show_change_link = False
    verbose_name_plural = _("replies")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class QueueFilter(admin.SimpleListFilter):
    """The report queue: open (new and in review) reports, or one status."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("open", _("Open (new or in review)")), *Report.Status.choices]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.exclude(status=Report.Status.CLOSED)
        if self.value() in Report.Status.values:
            return queryset.filter(status=self.value())
        return queryset


def _triage_action(status: str, description):
    def action(modeladmin, request, queryset):
        count = 0
        for report in queryset.exclude(status=status):
            services.report_triage(report=report, status=status, by=request.user)
            count += 1
        modeladmin.message_user(
            request,
            gettext("Reports set to %(status)s: %(count)d.")
            % {"status": Report.Status(status).label, "count": count},
        )

    action.__name__ = f"mark_{status}"
    return admin.action(description=description)(action)


@admin.register(Report)
class ReportAdmin(AuditedReadsMixin, NoAddMixin, NoDeleteMixin, ServiceAdmin):
    """Reports come from the dashboard and the API; staff triage them and never delete one."""

    form = ReportForm
    list_display = [
        "created_at",
        "kind",
        "soft_target",
        "reporter_organisation",
        "occurred_at",
        "tlp",
        "status",
        "reply_count",
    ]
    list_select_related = ["soft_target", "reporter_organisation"]
    list_filter = [QueueFilter, "kind", "tlp"]
    search_fields = ["what", "location", "soft_target__name", "reporter_organisation__name"]
    date_hierarchy = "created_at"
    ordering = ["created_at", "id"]  # a queue: oldest first
    readonly_fields = REPORT_RECORD
    inlines = [ReplyInline]
    actions = [
        _triage_action(Report.Status.IN_REVIEW, _("Mark the selected reports in review")),
        _triage_action(Report.Status.CLOSED, _("Close the selected reports")),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("soft_target", "reporter", "reporter_organisation")
            .annotate(reply_total=Count("replies"))
        )

    def get_fieldsets(self, request, obj=None):
        return [
            (None, {"fields": REPORT_RECORD}),
            (_("Triage"), {"fields": ["status", "assessment", "reply"]}),
        ]

    @admin.display(description=_("replies"), ordering="reply_total")
    def reply_count(self, obj):
        return obj.reply_total

    def write(self, request, obj, data, changed):
        if "status" in changed:
            obj = services.report_triage(report=obj, status=data["status"], by=request.user)
        if "assessment" in changed:
            obj = report_link_assessment(report=obj, assessment=data["assessment"], by=request.user)
        if (data.get("reply") or "").strip():
            services.report_reply(report=obj, body=data["reply"], by=request.user)
        return obj
