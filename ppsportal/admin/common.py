"""What the apps' admins share beyond ``base``: record-keeping admins, the form fields for
choices kept as lists, a filter over distinct values. The trace of sensitive reads in the admin
is the sharing engine's (``partnerships.sharing.admin.AuditedReadsMixin``); measures by their
labels are ``threats.labels.measures_text``."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from ppsportal.admin.base import NoChangeMixin, NoDeleteMixin, ServiceAdmin


class HistoryAdmin(NoChangeMixin, NoDeleteMixin, ServiceAdmin):
    """Each row is a decision on record: added through a service, then only read."""


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
