"""Dashboard forms for the threat picture: they parse input for the services and carry no rules of
their own. Choices travel as codes and public ids, never as primary keys; the services check again
and own every rule (capacity, coordinates, event dates, the catalogue of measures).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import DecimalValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from partnerships.forms import DateInput, add_service_errors
from ppsportal.sensitivity import TLP
from threats.models import (
    AlertLevel,
    Measure,
    MeasureStatus,
    Report,
    ReportCategory,
    Sector,
    SoftTarget,
)

COORDINATE_PLACES = Decimal("0.000001")  # what the register stores: about 10 cm


def _bounds_of(field: str) -> list:
    """The model field's own range validators, so a form shows every range error in one go
    (the service checks them again); its digit limits are left out, coordinates are rounded."""
    return [
        validator
        for validator in SoftTarget._meta.get_field(field).validators
        if not isinstance(validator, DecimalValidator)
    ]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class SectorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.display_name


class SoftTargetForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    category = SectorChoiceField(
        label=_("Category"), queryset=Sector.objects.order_by("name"), to_field_name="code"
    )
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    municipality = forms.CharField(label=_("Municipality"), max_length=100)
    region = forms.CharField(
        label=_("Region"),
        max_length=100,
        required=False,
        help_text=_("The safety region, for instance Amsterdam-Amstelland."),
    )
    latitude = forms.DecimalField(
        label=_("Latitude"),
        help_text=_("Decimal degrees, for instance 52.314200."),
        validators=_bounds_of("latitude"),
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        help_text=_("Decimal degrees, for instance 4.941900."),
        validators=_bounds_of("longitude"),
    )
    capacity = forms.IntegerField(
        label=_("Capacity (maximum persons)"),
        validators=_bounds_of("capacity"),
        help_text=_("Shown with its tier: under 200, 200 to 799, 800 and more."),
    )
    is_event = forms.BooleanField(
        label=_("This is an event, not a permanent venue"), required=False
    )
    event_start = forms.DateTimeField(
        label=_("Event start"), required=False, widget=DateTimeInput()
    )
    event_end = forms.DateTimeField(label=_("Event end"), required=False, widget=DateTimeInput())
    route = forms.CharField(
        label=_("Route or perimeter"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            'For an event: "latitude,longitude" pairs separated by spaces, for example '
            "51.8426,5.859 51.87,5.865 51.93,5.83; a closed ring (last point the same as the "
            "first) is a perimeter. Area alerts reach the event when it meets their area."
        ),
    )
    partnership = forms.ModelChoiceField(
        label=_("Partnership"),
        queryset=None,
        required=False,
        to_field_name="public_id",
        help_text=_("Members of this partnership see the name, category and location."),
    )
    security_contact_name = forms.CharField(label=_("24/7 security contact"), max_length=200)
    security_contact_phone = forms.CharField(label=_("24/7 security phone"), max_length=40)
    vulnerability_notes = forms.CharField(
        label=_("Vulnerability notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Seen only by your organisation and NCTV staff, unless shared under a covenant."
        ),
    )
    vulnerability_tlp = forms.ChoiceField(
        label=_("TLP level of the vulnerability notes"),
        choices=TLP.choices,
        initial=TLP.AMBER_STRICT,
    )

    def __init__(self, *args, partnerships, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = partnerships

    def _coordinate(self, name: str):
        value = self.cleaned_data.get(name)
        return None if value is None else value.quantize(COORDINATE_PLACES, ROUND_HALF_UP)

    def clean_latitude(self):
        return self._coordinate("latitude")

    def clean_longitude(self):
        return self._coordinate("longitude")

    @staticmethod
    def initial_for(target) -> dict:
        fields = [name for name in SoftTargetForm.base_fields if name != "category"]
        initial = {name: getattr(target, name) for name in fields}
        initial["category"] = target.category.code
        initial["partnership"] = target.partnership.public_id if target.partnership else None
        return initial


class MeasureForm(forms.Form):
    """One row of the measures checklist. ``row`` is the stored measure, if any."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    last_reviewed = forms.DateField(label=_("Last reviewed"), required=False, widget=DateInput())
    evidence = forms.FileField(
        label=_("Evidence (PDF)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args, code: str, row=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("prefix", f"measure-{code}")
        if row is not None:
            kwargs.setdefault("initial", {"status": row.status, "last_reviewed": row.last_reviewed})
        super().__init__(*args, **kwargs)
        self.code, self.row = code, row
        self.label = Measure(code).label
        choices = list(MeasureStatus.choices)
        if row is None:  # a stored measure keeps a status; a new one may stay unrecorded
            choices.insert(0, ("", _("Not recorded")))
        self.fields["status"].choices = choices
        self.fields["status"].required = row is not None

    def clean(self):
        data = super().clean()
        if not data.get("status") and (data.get("last_reviewed") or data.get("evidence")):
            self.add_error("status", _("Choose a status for this measure."))
        return data

    def as_service_row(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("status"):
            return None
        return {
            "status": data["status"],
            "last_reviewed": data.get("last_reviewed"),
            "evidence": data.get("evidence") or None,
        }


def measure_forms(data=None, files=None, *, rows=None) -> list[MeasureForm]:
    """A form per catalogue measure, in catalogue order; ``rows``: {code: SecurityMeasure}."""
    rows = rows or {}
    return [MeasureForm(data, files, code=code, row=rows.get(code)) for code in Measure.values]


def measure_rows(forms_: list[MeasureForm]) -> dict[str, dict]:
    """{measure: service arguments} for the rows that were filled in."""
    result = {}
    for form in forms_:
        row = form.as_service_row()
        if row is not None:
            result[form.code] = row
    return result


def omissions_text(omissions: dict[str, str]) -> str:
    """Explained omissions as the form shows them: one ``measure: reason`` a line."""
    labels = dict(Measure.choices)
    return "\n".join(f"{labels.get(code, code)}: {reason}" for code, reason in omissions.items())


def parse_omissions(text: str) -> dict[str, str]:
    """``measure: reason`` a line, the measure by its code or its name in either language."""
    names: dict[str, str] = {}
    for code, label in Measure.choices:
        names[code.lower()] = code
        for language in ("nl", "en"):
            with override(language):
                names[str(label).lower()] = code
    result: dict[str, str] = {}
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        name, colon, reason = line.partition(":")
        code = names.get(name.strip().lower())
        if not colon or code is None or not reason.strip():
            raise forms.ValidationError(
                _("Write each explanation as “measure: reason”; not understood: “%(line)s”.")
                % {"line": line.strip()}
            )
        result[code] = reason.strip()
    return result


class ScaleUpForm(forms.Form):
    """Per level of the target's own authority (``threats.jurisdictions.scale_up_levels``: ATb
    for a Dutch target, OCAM/OCAD for a Belgian one): the measures this target takes, why it
    leaves out a measure a lower level takes, and a note."""

    prefix = "scale_up"

    def __init__(self, *args, steps=None, levels=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        self.level_values = [
            value for value, _label in (levels if levels is not None else AlertLevel.choices)
        ]
        steps = steps or {}
        kwargs.setdefault(
            "initial",
            {
                **{level: list(step.measures) for level, step in steps.items()},
                **{f"{level}_notes": step.notes for level, step in steps.items()},
                **{
                    f"{level}_omissions": omissions_text(step.omissions)
                    for level, step in steps.items()
                },
            },
        )
        super().__init__(*args, **kwargs)
        self.levels = []
        for level, label in levels if levels is not None else AlertLevel.choices:
            self.fields[level] = forms.MultipleChoiceField(
                label=label,
                choices=Measure.choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields[f"{level}_omissions"] = forms.CharField(
                label=_("Measures of a lower level left out, and why"),
                help_text=_("One a line: “measure: reason”."),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"{level}_notes"] = forms.CharField(
                label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.levels.append(
                (
                    level,
                    label,
                    self[level],
                    self[f"{level}_notes"],
                    self[f"{level}_omissions"],
                )
            )

    def clean(self):
        cleaned = super().clean()
        for level in self.level_values:
            key = f"{level}_omissions"
            if key in cleaned:
                try:
                    cleaned[key] = parse_omissions(cleaned[key])
                except forms.ValidationError as error:
                    self.add_error(key, error)
        return cleaned

    def as_service_steps(self) -> dict[str, dict]:
        return {
            level: {
                "measures": self.cleaned_data.get(level, []),
                "notes": self.cleaned_data.get(f"{level}_notes", ""),
                "omissions": self.cleaned_data.get(f"{level}_omissions") or {},
            }
            for level in self.level_values
        }


def add_register_errors(
    error: ValidationError, *, target_form, measures: list[MeasureForm], scale_up=None
) -> None:
    """Show the register service's refusals next to the field, measure row or level they name."""
    if not hasattr(error, "error_dict"):
        add_service_errors(target_form, error)
        return
    by_code = {form.code: form for form in measures}
    for key, messages in error.message_dict.items():
        section, _dot, rest = key.partition(".")
        code, _dot, field = rest.partition(".")
        if section == "measures" and code in by_code:
            form = by_code[code]
            form.add_error(field if field in form.fields else None, messages)
        elif section == "scale_up" and scale_up is not None and code in scale_up.level_values:
            scale_up.add_error(code if field in ("", "measures") else None, messages)
        elif section == "scale_up" and scale_up is not None and code == "level":
            scale_up.add_error(None, messages)
        elif key in target_form.fields or key == NON_FIELD_ERRORS:
            target_form.add_error(None if key == NON_FIELD_ERRORS else key, messages)
        else:
            target_form.add_error(None, messages)


class ReportForm(forms.Form):
    soft_target = forms.ModelChoiceField(
        label=_("Soft target"), queryset=None, to_field_name="public_id"
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Report.Kind.choices)
    what = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 5}))
    occurred_at = forms.DateTimeField(label=_("When"), widget=DateTimeInput())
    location = forms.CharField(
        label=_("Where"),
        max_length=300,
        required=False,
        help_text=_("The spot at or near the soft target, for instance an entrance."),
    )
    tlp = forms.ChoiceField(label=_("TLP level"), choices=TLP.choices, initial=TLP.AMBER)
    category = forms.ChoiceField(
        label=_("Category"),
        choices=ReportCategory.choices,
        initial=ReportCategory.OTHER,
        required=False,
    )
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, max_digits=9, decimal_places=6
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, max_digits=9, decimal_places=6
    )
    attachment = forms.FileField(
        label=_("Photo or file"),
        required=False,
        help_text=_("A photo (JPEG, PNG) or a PDF; never published."),
    )

    def __init__(self, *args, soft_targets, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["soft_target"].queryset = soft_targets

    def clean_category(self):
        return self.cleaned_data.get("category") or ReportCategory.OTHER


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class TriageForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Report.Status.choices)
