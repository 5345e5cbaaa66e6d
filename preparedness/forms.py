"""Dashboard forms for preparedness: they parse input for the services and hold no rules of their
own (who may write, dates in the future, more trained than staff: the services decide). Choices
travel as codes and public ids, never as primary keys."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.models import Alert
from alerts.selectors import alerts_visible_to
from partnerships.forms import DateInput
from partnerships.selectors import actor_for
from ppsportal.sensitivity import TLP
from preparedness.models import ProcedureKind, ProcedureState
from preparedness.selectors import course_catalogue


class ProcedureForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ProcedureKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    owner = forms.CharField(label=_("Owner"), max_length=200)
    state = forms.ChoiceField(label=_("State"), choices=ProcedureState.choices)
    review_due = forms.DateField(label=_("Review due"), widget=DateInput())
    steps = forms.CharField(
        label=_("Steps"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )

    @staticmethod
    def initial_for(procedure) -> dict:
        return {
            "kind": procedure.kind,
            "title": procedure.title,
            "owner": procedure.owner,
            "state": procedure.state,
            "review_due": procedure.review_due,
            "steps": procedure.steps,
        }


class CourseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class TrainingRecordForm(forms.Form):
    course = CourseChoiceField(
        label=_("Course"), queryset=course_catalogue(), to_field_name="public_id"
    )
    role = forms.CharField(label=_("Staff role"), max_length=100)
    trained_count = forms.IntegerField(label=_("Number trained"), min_value=0)
    staff_total = forms.IntegerField(label=_("Staff at the target"), min_value=1)
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for the course's own validity."),
    )


class ExercisePlanForm(forms.Form):
    scenario = forms.CharField(label=_("Scenario"), max_length=300)
    planned_for = forms.DateField(label=_("Planned for"), widget=DateInput())
    participants = forms.CharField(
        label=_("Participants"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    alert = forms.ModelChoiceField(
        label=_("Exercise alert"),
        queryset=Alert.objects.none(),
        to_field_name="public_id",
        required=False,
        help_text=_("The alert of kind exercise that starts it, if any."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # only the exercise alerts the user sees are offered; another one is "not a choice"
        self.fields["alert"].queryset = (
            alerts_visible_to(actor_for(user))
            .filter(kind=Alert.Kind.EXERCISE)
            .order_by("-published_at", "-id")
        )


class ExerciseHeldForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    outcome = forms.CharField(
        label=_("What happened"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )


class ActionItemForm(forms.Form):
    description = forms.CharField(label=_("Description"), max_length=500)
    owner = forms.CharField(label=_("Owner"), max_length=200)
    due_on = forms.DateField(label=_("Due on"), widget=DateInput())


class ActionItemDueForm(forms.Form):
    due_on = forms.DateField(label=_("Due on"), widget=DateInput())


class PartnershipChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class PartnershipDocumentForm(forms.Form):
    partnership = PartnershipChoiceField(
        label=_("Partnership"), queryset=None, to_field_name="public_id"
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    tlp = forms.ChoiceField(
        label=_("TLP level"),
        choices=[c for c in TLP.choices if c[0] != TLP.RED],
        initial=TLP.AMBER,
        help_text=_(
            "CLEAR and GREEN: every party of the partnership. AMBER: your organisation and the "
            "parties that signed a covenant in force with it that allows AMBER. AMBER+STRICT: "
            "your organisation only."
        ),
    )
    file = forms.FileField(
        label=_("File"), required=False, help_text=_("PDF, JPEG or PNG, checked on upload.")
    )

    def __init__(self, *args, partnerships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = partnerships
