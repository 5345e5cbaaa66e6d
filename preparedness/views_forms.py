"""The dashboard's write forms for preparedness: procedures, training records, exercises (plan,
held) and after-action items (add, new due date). Each calls the same service as the API, which
checks the authority again; another organisation's soft target or item answers 404, a reader of
the operator's own organisation 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partnerships.forms import add_service_errors
from partnerships.policy import require
from partnerships.selectors import actor_for
from preparedness import selectors, services
from preparedness.forms import (
    ActionItemDueForm,
    ActionItemForm,
    ExerciseHeldForm,
    ExercisePlanForm,
    ProcedureForm,
    TrainingRecordForm,
)


def _to_change(request, visible_to, public_id, *, target_of=lambda obj: obj.soft_target):
    """The object ``public_id`` among ``visible_to(actor)`` (else 404) and its soft target,
    whose preparedness the user may change (else 403)."""
    actor = actor_for(request.user)
    obj = visible_to(actor).filter(public_id=public_id).first()
    if obj is None:
        raise Http404
    target = target_of(obj)
    require(services.may_change_preparedness(actor, target))
    return obj, target


def _target_to_change(request, public_id):
    """The soft target, if the user sees its preparedness and may change it."""
    target, _target = _to_change(
        request, selectors.preparedness_targets_visible_to, public_id, target_of=lambda t: t
    )
    return target


def _form_page(request, *, form, target, title, save, done, anchor):
    """Run ``save(cleaned_data)`` on a valid POST; show the service's refusals on the fields."""
    if form.is_bound and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            url = reverse("preparedness-detail", kwargs={"public_id": target.public_id})
            return redirect(f"{url}#{anchor}")
    return render(
        request,
        "preparedness/form.html",
        {"form": form, "target": target, "title": title, "anchor": anchor},
    )


def _data(request):
    return request.POST if request.method == "POST" else None


@login_required
@require_http_methods(["GET", "POST"])
def procedure_create(request, public_id):
    target = _target_to_change(request, public_id)
    initial = {"kind": request.GET.get("kind")}
    return _procedure_page(request, target, initial, title=_("Write a procedure"))


@login_required
@require_http_methods(["GET", "POST"])
def procedure_edit(request, public_id):
    procedure, target = _to_change(request, selectors.procedures_visible_to, public_id)
    initial = ProcedureForm.initial_for(procedure)
    return _procedure_page(request, target, initial, title=_("Change the procedure"))


def _procedure_page(request, target, initial, *, title):
    """Writing and changing a procedure are one service call (``procedure_save``)."""
    return _form_page(
        request,
        form=ProcedureForm(_data(request), initial=initial),
        target=target,
        title=title,
        save=lambda data: services.procedure_save(soft_target=target, by=request.user, **data),
        done=_("The procedure has been saved."),
        anchor="procedures",
    )


@login_required
@require_http_methods(["GET", "POST"])
def training_record_create(request, public_id):
    target = _target_to_change(request, public_id)
    return _form_page(
        request,
        form=TrainingRecordForm(_data(request)),
        target=target,
        title=_("Record a training"),
        save=lambda data: services.training_record_create(
            soft_target=target, by=request.user, **data
        ),
        done=_("The training has been recorded."),
        anchor="training",
    )


@login_required
@require_http_methods(["GET", "POST"])
def exercise_plan(request, public_id):
    target = _target_to_change(request, public_id)
    return _form_page(
        request,
        form=ExercisePlanForm(_data(request), user=request.user),
        target=target,
        title=_("Plan an exercise"),
        save=lambda data: services.exercise_plan(soft_target=target, by=request.user, **data),
        done=_("The exercise has been planned."),
        anchor="exercises",
    )


def _exercise_to_change(request, public_id):
    exercise, _target = _to_change(request, selectors.exercises_visible_to, public_id)
    return exercise


@login_required
@require_http_methods(["GET", "POST"])
def exercise_held(request, public_id):
    exercise = _exercise_to_change(request, public_id)
    initial = {"held_on": exercise.held_on or exercise.planned_for, "outcome": exercise.outcome}
    return _form_page(
        request,
        form=ExerciseHeldForm(_data(request), initial=initial),
        target=exercise.soft_target,
        title=_("Record what happened: %(scenario)s") % {"scenario": exercise.scenario},
        save=lambda data: services.exercise_record_held(exercise=exercise, by=request.user, **data),
        done=_("The exercise has been recorded as held."),
        anchor="exercises",
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_item_create(request, public_id):
    exercise = _exercise_to_change(request, public_id)
    return _form_page(
        request,
        form=ActionItemForm(_data(request)),
        target=exercise.soft_target,
        title=_("Add an action item: %(scenario)s") % {"scenario": exercise.scenario},
        save=lambda data: services.action_item_add(exercise=exercise, by=request.user, **data),
        done=_("The action item has been added."),
        anchor="exercises",
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_item_edit(request, public_id):
    item, target = _to_change(
        request,
        selectors.action_items_visible_to,
        public_id,
        target_of=lambda item: item.exercise.soft_target,
    )
    return _form_page(
        request,
        form=ActionItemDueForm(_data(request), initial={"due_on": item.due_on}),
        target=target,
        title=_("New due date: %(item)s") % {"item": item.description},
        save=lambda data: services.action_item_reschedule(item=item, by=request.user, **data),
        done=_("The due date has been changed."),
        anchor="exercises",
    )
