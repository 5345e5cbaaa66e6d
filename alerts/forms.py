"""Dashboard forms for alerts: they parse input for the services and carry no rules of their own
(the phone number, the measures and who may acknowledge are checked by the services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.models import USER_CHANNELS, Channel, ReaderLanguage, StatusReport
from threats.models import Measure


class AcknowledgeForm(forms.Form):
    measures_taken = forms.MultipleChoiceField(
        label=_("Measures taken"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The measures of your scale-up checklist come first."),
    )
    note = forms.CharField(
        label=_("Note for the NCTV"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, checklist: list[str] = (), **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        first = [code for code in Measure.values if code in checklist]
        rest = [code for code in Measure.values if code not in checklist]
        self.fields["measures_taken"].choices = [
            (code, Measure(code).label) for code in first + rest
        ]


class StatusReportForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Your situation"),
        choices=StatusReport.Status.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note for the NCTV"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("prefix", "status")
        super().__init__(*args, **kwargs)


def _channel_label(channel: str) -> str:
    return Channel(channel).label


class PreferencesForm(forms.Form):
    """One checkbox per channel a user chooses, and the phone number for SMS."""

    address = forms.CharField(
        label=_("Mobile phone number for SMS"),
        required=False,
        max_length=40,
        help_text=_("In international form, for example +31612345678."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    language = forms.ChoiceField(
        label=_("Language of alerts"),
        choices=ReaderLanguage.Language.choices,
        required=False,
        help_text=_("Alerts written in both languages reach you in this one."),
    )

    def __init__(self, *args, rows: list[dict], language: str = "nl", **kwargs):
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault(
            "initial",
            {row["channel"]: row["enabled"] for row in rows}
            | {"address": next((r["address"] for r in rows if r["channel"] == "sms"), "")}
            | {"language": language},
        )
        super().__init__(*args, **kwargs)
        channels = {}
        for channel in USER_CHANNELS:
            channels[str(channel)] = forms.BooleanField(
                label=_channel_label(channel), required=False
            )
        # the checkboxes first, the phone number last
        self.fields = channels | {
            "address": self.fields["address"],
            "language": self.fields["language"],
        }
        self.rows = {row["channel"]: row for row in rows}

    def channel_fields(self):
        return [(self[str(c)], self.rows.get(str(c), {})) for c in USER_CHANNELS]

    def changes(self) -> list[dict]:
        """The channels whose effective value or phone number the user changed: saving only
        these keeps the organisation's defaults in force for the others."""
        result = []
        for channel in USER_CHANNELS:
            channel = str(channel)
            row = self.rows.get(channel, {})
            enabled = self.cleaned_data[channel]
            address = self.cleaned_data["address"].strip() if channel == Channel.SMS else ""
            changed = enabled != row.get("enabled") or (
                channel == Channel.SMS and address != row.get("address", "")
            )
            if changed:
                result.append({"channel": channel, "enabled": enabled, "address": address})
        return result


class OrganisationDefaultsForm(forms.Form):
    """The organisation's default per channel, for members without a choice of their own."""

    def __init__(self, *args, rows: list[dict], **kwargs):
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("prefix", "org")
        kwargs.setdefault("initial", {row["channel"]: row["enabled"] for row in rows})
        super().__init__(*args, **kwargs)
        for channel in USER_CHANNELS:
            self.fields[str(channel)] = forms.BooleanField(
                label=_channel_label(channel), required=False
            )
        self.rows = {row["channel"]: row for row in rows}

    def channel_fields(self):
        return [(self[str(c)], self.rows.get(str(c), {})) for c in USER_CHANNELS]

    def changes(self) -> list[dict]:
        return [
            {"channel": str(c), "enabled": self.cleaned_data[str(c)]}
            for c in USER_CHANNELS
            if self.cleaned_data[str(c)] != self.rows.get(str(c), {}).get("enabled")
        ]
