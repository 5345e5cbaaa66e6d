"""The audit log in the admin: NCTV staff search, filter and export it; nobody changes it."""

from __future__ import annotations

import csv

from django.contrib import admin
from django.http import StreamingHttpResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from ppsportal.admin.base import ReadOnlyMixin
from ppsportal.audit import audit_record
from ppsportal.audit_text import entry_sentence, entry_sentences
from ppsportal.models import AuditEvent

CSV_COLUMNS = [
    "at",
    "action",
    "actor_username",
    "organisation_name",
    "object_type",
    "object_ids",
    "ip_address",
    "purpose",
    "detail",
]


class ObjectTypeFilter(admin.SimpleListFilter):
    """By kind of object; entries about no object get a name of their own ("none"), where the
    stock filter drew an empty link."""

    title = _("object type")
    parameter_name = "object_type"

    def lookups(self, request, model_admin):
        kinds = AuditEvent.objects.order_by("object_type").values_list("object_type", flat=True)
        return [(kind, kind or _("(none)")) for kind in kinds.distinct()]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset if value is None else queryset.filter(object_type=value)


class _Echo:
    def write(self, value):
        return value


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "in_plain_words",
        "action",
        "actor_username",
        "ip_address",
        "purpose",
    ]
    list_filter = ["action", ObjectTypeFilter, ("at", admin.DateFieldListFilter)]
    search_fields = [
        "actor_username",
        "organisation_name",
        "object_ids",
        "purpose",
        "action",
        "ip_address",
    ]
    date_hierarchy = "at"
    show_full_result_count = False  # the log only grows: no second count over all of it
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    actions = ["export_selected_csv"]
    change_list_template = "admin/ppsportal/auditevent/change_list.html"

    def get_changelist_instance(self, request):
        """The page's entries in plain words, their objects' names looked up once per kind."""
        changelist = super().get_changelist_instance(request)
        rows = changelist.result_list
        for event, sentence in zip(rows, entry_sentences(rows), strict=True):
            event.plain_words = sentence
        return changelist

    @admin.display(description=_("entry"), ordering="at")
    def in_plain_words(self, event) -> str:
        return getattr(event, "plain_words", None) or entry_sentence(event)

    def _staff(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return self._staff(request)

    def has_view_permission(self, request, obj=None):
        return self._staff(request)

    def get_urls(self):
        extra = [
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="ppsportal_auditevent_export",
            ),
        ]
        return extra + super().get_urls()

    def _csv_response(self, request, queryset, *, scope: str):
        audit_record(
            action="audit.exported",
            actor=request.user,
            request=request,
            purpose=scope,
            detail={"query": request.GET.urlencode()},
        )
        writer = csv.writer(_Echo())

        def rows():
            yield writer.writerow(CSV_COLUMNS)
            for event in queryset.order_by("at", "id").iterator(chunk_size=2000):
                yield writer.writerow(
                    [
                        event.at.isoformat(),
                        event.action,
                        event.actor_username,
                        event.organisation_name,
                        event.object_type,
                        " ".join(event.object_ids),
                        event.ip_address or "",
                        event.purpose,
                        event.detail,
                    ]
                )

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
        return response

    def export_view(self, request):
        """The changelist's current search and filters, as CSV."""
        if not self._staff(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        return self._csv_response(request, changelist.get_queryset(request), scope="filtered")

    @admin.action(description=_("Export the selected events as CSV"))
    def export_selected_csv(self, request, queryset):
        return self._csv_response(request, queryset, scope="selected")


from ppsportal import privacy_admin  # noqa: E402, F401 - the user admin with export and anonymise


def _rows_with_their_user(model) -> None:
    """The tokens and second-factor devices grow with the users and their sign-ins: their
    third-party admins load each row's user with it and skip the count over the whole table."""
    if not admin.site.is_registered(model):
        return
    stock = type(admin.site._registry[model])
    admin.site.unregister(model)
    admin.site.register(
        model,
        type(
            stock.__name__,
            (stock,),
            {"list_select_related": ["user"], "show_full_result_count": False},
        ),
    )


def _third_party_admins() -> None:
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from knox.models import AuthToken

    for model in (AuthToken, TOTPDevice, StaticDevice):
        _rows_with_their_user(model)


_third_party_admins()
