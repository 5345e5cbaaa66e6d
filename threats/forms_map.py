"""The national map's filter: category, capacity tier and region, each optional. An unknown value
is refused with a message (the page answers 400), never silently dropped."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from threats.selectors_map import MapFilters


class MapFilterForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), required=False)
    tier = forms.ChoiceField(label=_("Capacity tier"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, data=None, *, choices: dict):
        super().__init__(data)
        everything = [("", _("All"))]
        self.fields["category"].choices = everything + list(choices["categories"])
        self.fields["tier"].choices = everything + list(choices["tiers"])
        self.fields["region"].choices = everything + [(r, r) for r in choices["regions"]]

    def filters(self) -> MapFilters:
        """The chosen filters (call after ``is_valid``); none when the form is not valid."""
        if not self.is_bound or not self.is_valid():
            return MapFilters()
        return MapFilters(**{name: self.cleaned_data[name] or "" for name in self.fields})
