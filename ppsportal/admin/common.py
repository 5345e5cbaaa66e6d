"""What the apps' admins share beyond ``base``: record-keeping admins, the trace of sensitive
reads, the form fields for choices kept as lists, and measures shown by their labels."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from partnerships.selectors import actor_for
from partnerships.sharing.reads import read_many
from ppsportal.admin.base import ServiceAdmin
from threats.models import Measure


class HistoryAdmin(ServiceAdmin):
    """Each row is a decision on record: added through a service, then only read."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedReadsMixin:
    """Every read of AMBER and above leaves a trace, in the admin as everywhere: one
    ``sensitive.viewed`` entry for a list page, one for a change page."""

    def audit_reads(self, request, objects) -> None:
        read_many(actor=actor_for(request.user), objects=objects, request=request)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            self.audit_reads(request, changelist.result_list)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        original = getattr(response, "context_data", {}).get("original")
        if original is not None:
            self.audit_reads(request, [original])
        return response


def checkboxes(choices, label, **kwargs) -> forms.MultipleChoiceField:
    """A multiple choice of codes (a catalogue, motives, modi), stored as a list."""
    return forms.MultipleChoiceField(
        choices=choices,
        label=label,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        **kwargs,
    )


class ListOfTextField(forms.CharField):
    """A list of short texts (regions), typed as one line separated by commas."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value):
        if isinstance(value, list | tuple):
            return list(value)
        text = super().to_python(value)
        items = [item.strip() for item in text.replace("\n", ",").split(",")]
        return list(dict.fromkeys(item for item in items if item))


def distinct_values_filter(field: str, title):
    """A list filter over the distinct non-empty values of a text field (regions)."""

    class DistinctValuesFilter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request, model_admin):
            values = (
                model_admin.model._default_manager.exclude(**{field: ""})
                .order_by(field)
                .values_list(field, flat=True)
                .distinct()
            )
            return [(value, value) for value in values]

        def queryset(self, request, queryset):
            return queryset.filter(**{field: self.value()}) if self.value() else queryset

    DistinctValuesFilter.title = title
    return DistinctValuesFilter


def measures_text(codes) -> str:
    labels = dict(Measure.choices)
    return ", ".join(str(labels.get(code, code)) for code in codes) or "—"
