"""The forms of the alert admin: a new draft, and an update of a published alert. They parse;
``alerts.services`` decides (``alert_create``, ``alert_update``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.models import Alert, Certainty, Severity, Urgency
from alerts.regions import region_choices
from ppsportal.admin.common import ListOfTextField
from threats.models import Sector

# The fields an author sets: what ``alert_create`` takes, in the order of the page.
ALERT_FIELDS = (
    "headline",
    "description",
    "instruction",
    "headline_en",
    "description_en",
    "instruction_en",
    "kind",
    "atb_level",
    "tlp",
    "sectors",
    "regions",
    "partnerships",
    "organisations",
    "area_description",
    "area_polygon",
    "area_circle",
    "area_regions",
    "area_targets",
    "target_categories",
    "target_min_capacity",
    "raises_sectors",
    "assessment",
    "urgency",
    "severity",
    "certainty",
    "expires_at",
    "ack_deadline_minutes",
)
AUDIENCE = ("sectors", "regions", "partnerships", "organisations")
MANY = ("sectors", "partnerships", "organisations", "raises_sectors", "target_categories")
DERIVED = ("urgency", "severity", "certainty", "ack_deadline_minutes")


def _from_the_level(choices):
    return [("", _("— from the alert level —")), *choices]


def service_arguments(data: dict, names) -> dict:
    """The form's cleaned values as the services take them: lists for the many-to-many fields,
    and nothing for a CAP field left to follow from the level."""
    arguments = {}
    for name in names:
        value = data.get(name)
        if name in MANY:
            value = list(value or [])
        elif name in DERIVED and value in (None, ""):
            continue
        arguments[name] = value
    return arguments


class AlertForm(forms.ModelForm):
    sectors = forms.ModelMultipleChoiceField(
        queryset=Sector.objects.all(),
        label=_("sectors"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    target_categories = forms.ModelMultipleChoiceField(
        queryset=Sector.objects.all(),
        label=_("soft-target categories in the area"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only targets of these categories; none chosen: every category."),
    )
    raises_sectors = forms.ModelMultipleChoiceField(
        queryset=Sector.objects.all(),
        label=_("raises the level of sectors"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Publishing sets these sectors' ATb level to the alert's level. Not for exercises "
            "and tests."
        ),
    )
    area_regions = forms.MultipleChoiceField(
        label=_("municipalities and safety regions"),
        choices=region_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Their outlines join the polygon and the circle to make the area."),
    )
    regions = ListOfTextField(
        label=_("regions"),
        required=False,
        help_text=_("Separate regions with commas. With sectors as well, both must match."),
    )
    urgency = forms.ChoiceField(
        label=_("urgency"), choices=_from_the_level(Urgency.choices), required=False
    )
    severity = forms.ChoiceField(
        label=_("severity"), choices=_from_the_level(Severity.choices), required=False
    )
    certainty = forms.ChoiceField(
        label=_("certainty"), choices=_from_the_level(Certainty.choices), required=False
    )
    ack_deadline_minutes = forms.IntegerField(
        label=_("acknowledgement deadline (minutes)"),
        required=False,
        min_value=1,
        help_text=_("Leave empty for the alert level's default: high 15, moderate 60, low 240."),
    )

    class Meta:
        model = Alert
        fields = list(ALERT_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "organisations" in self.fields:  # not on the read-only page of a saved alert
            self.fields["organisations"].help_text = _(
                "Named organisations, besides the sectors, regions and partnerships."
            )


class AlertUpdateForm(AlertForm):
    """A new version starts from the published one: every field shows its current value and
    only the changed ones are passed on; the CAP fields are then set, not derived."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("urgency", "severity", "certainty"):
            self.fields[name].choices = self.fields[name].choices[1:]
            self.fields[name].required = True
        self.fields["ack_deadline_minutes"].required = True
        self.fields["ack_deadline_minutes"].help_text = _(
            "Changing the alert level without changing this sets the level's default."
        )

    def clean(self):
        cleaned = super().clean()
        if not self.changed_data:
            raise forms.ValidationError(
                _("Nothing was changed: change at least one field for the new version.")
            )
        return cleaned

    def changes(self) -> dict:
        """The changed fields as ``alert_update`` takes them."""
        changed = [name for name in self.changed_data if name in ALERT_FIELDS]
        arguments = service_arguments(self.cleaned_data, changed)
        # ``alert_update`` takes the raised sectors apart; None keeps them as they were.
        arguments["raises_sectors"] = arguments.pop("raises_sectors", None)
        return arguments
