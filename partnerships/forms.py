"""Dashboard forms: they parse input for the services and carry no rules of their own.

Choices of organisations are limited to the partnership's current members and travel as public
ids, never as primary keys. The services check again and own every rule.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from partnerships.models import ContactEntry
from ppsportal.sensitivity import TLP

MAX_ACTIONS_PER_CONTACT = 5


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ContactForm(forms.Form):
    occurred_on = forms.DateField(label=_("Date"), widget=DateInput())
    kind = forms.ChoiceField(label=_("Kind"), choices=ContactEntry.Kind.choices)
    participants = forms.ModelMultipleChoiceField(
        label=_("Participating organisations"),
        queryset=None,
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
    )
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 5}))
    tlp = forms.ChoiceField(
        label=_("TLP level of the summary"), choices=TLP.choices, initial=TLP.GREEN
    )

    def __init__(self, *args, organisations, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = organisations


class ActionForm(forms.Form):
    description = forms.CharField(label=_("Follow-up action"), max_length=300)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, to_field_name="public_id")
    due_on = forms.DateField(label=_("Due on"), widget=DateInput())

    def __init__(self, *args, organisations, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = organisations


ActionFormSet = forms.formset_factory(
    ActionForm,
    extra=3,
    max_num=MAX_ACTIONS_PER_CONTACT,
    validate_max=True,
    absolute_max=MAX_ACTIONS_PER_CONTACT,
)


def filled_actions(formset) -> list[dict]:
    """The actions typed into a valid formset; blank extra rows are skipped."""
    return [form.cleaned_data for form in formset.forms if form.has_changed()]


class CovenantDocumentForm(forms.Form):
    document = forms.FileField(
        label=_("Signed document (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's refusal on the form: each message on its field, or above the form when
    the form has no such field."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class RecipientField(forms.ModelChoiceField):
    """The organisation to share with, among those the footing allows (``share_choices``); one
    outside them is refused saying why, not with Django's bare "select a valid choice"."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code != "invalid_choice":
                raise
            raise ValidationError(self.why_not(value), code="no_footing") from None

    @staticmethod
    def why_not(value) -> str:
        """The same answer for any organisation not offered, known or not: naming the one
        posted would tell a name to whoever guesses its id."""
        return _(
            "This organisation cannot receive this: only one that signed a covenant in force "
            "together with the owner, whose information clause allows the level, may receive "
            "it. Choose one from the list."
        )


class ShareCovenantField(forms.ModelChoiceField):
    """The covenant to share under, among those ``share_choices`` offers; one outside them is
    refused saying which are offered, not with Django's bare "select a valid choice"."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code != "invalid_choice":
                raise
            raise ValidationError(self.why_not(), code="no_footing") from None

    @staticmethod
    def why_not() -> str:
        """The same answer for any covenant not offered: the list holds every one that can."""
        return _(
            "This cannot be shared under this covenant: only a covenant in force of your "
            "partnerships, signed by the owner and by an organisation that may receive it, whose "
            "information clause allows the level, can. Choose one from the list."
        )


class ShareForm(forms.Form):
    """Share an object of our own with another organisation under a covenant (the sharing
    service decides whether the covenant gives the footing). The organisations and covenants
    offered are those ``share_choices`` allows (``share_offers``: one rule for both lists)."""

    organisation = RecipientField(label=_("Share with"), queryset=None, to_field_name="public_id")
    covenant = ShareCovenantField(
        label=_("Under the covenant"), queryset=None, to_field_name="public_id"
    )
    reason = forms.CharField(label=_("Why you share this"), max_length=300)

    def __init__(self, *args, organisations, covenants, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["covenant"].queryset = covenants
