"""The partner dashboard for the threat picture: soft targets with their measures and gaps,
and the threat assessments visible to the user. Reports and the NCTV pages are in
``threats.views_reports``, the maps in ``threats.views_map``.

Views parse, call selectors and services, and render. A soft target or assessment the user may not
see answers 404, exactly like a missing one; one they may see but not change answers 403.
Partnership peers see a target's name, category and location only: the templates receive the
details (notes, measures, evidence, contact, scale-up) only when ``sees_details`` says so.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from partnerships.roles import Capability
from partnerships.selectors import actor_for
from partnerships.sharing.reads import read_many
from partnerships.sharing.registry import spec_for
from partnerships.sharing.services import may_share
from ppsportal.downloads import private_download
from ppsportal.pagination import paginate
from threats import selectors
from threats.charts import tier_region_chart
from threats.forms import (
    ScaleUpForm,
    SoftTargetForm,
    add_register_errors,
    measure_forms,
    measure_rows,
)
from threats.jurisdictions import scale_up_levels
from threats.markdown import render_markdown
from threats.models import Measure, ModusOperandi, Motive
from threats.rules import gaps_for
from threats.services_checks import may_change_soft_target
from threats.services_register import soft_target_register, soft_target_register_update


def _actor(request):
    return actor_for(request.user)


def _may_register(actor) -> bool:
    """Registering is for writers of an organisation (and NCTV staff); the service checks again."""
    return actor.organisation is not None and (actor.can(Capability.WRITE) or actor.is_nctv_staff)


def _visible_target(actor, public_id):
    target = (
        selectors.with_register_data(selectors.soft_targets_visible_to(actor))
        .filter(public_id=public_id)
        .first()
    )
    if target is None:
        raise Http404
    return target


def _all_valid(*forms) -> bool:
    """Validate every form (not stopping at the first invalid one), so each shows its errors."""
    return False not in [form.is_valid() for form in forms]


def _gap_labels(target) -> list[str]:
    return [Measure(code).label for code in gaps_for(target, target.measures.all())]


# --- soft targets -------------------------------------------------------------------------------


@login_required
@require_safe
def soft_target_list(request):
    """My organisation's targets with their gaps; below, the partnership peers' targets (name,
    category and municipality only; NCTV staff see every target there)."""
    actor = _actor(request)
    own = read_many(
        actor, selectors.with_register_data(selectors.soft_targets_own(actor)), request=request
    )
    rows = [(target, _gap_labels(target)) for target in own]
    others = selectors.soft_targets_visible_to(actor).select_related("category", "operator")
    if actor.organisation is not None:
        others = others.exclude(operator=actor.organisation)
    page = paginate(request, others.order_by("name", "id"))
    return render(
        request,
        "threats/soft_target_list.html",
        {
            "rows": rows,
            "total_gaps": sum(len(gaps) for _target, gaps in rows),
            "tier_region_chart": tier_region_chart(
                selectors.totals_by_tier_and_region(selectors.register_rows(rows))
            ),
            "others": page,
            "can_register": _may_register(actor),
        },
    )


@login_required
@require_safe
def soft_target_detail(request, public_id):
    actor = _actor(request)
    target = _visible_target(actor, public_id)
    full = selectors.sees_details(actor, target)
    context = {"target": target, "full": full}
    if full:
        read_many(actor=actor, objects=[target], request=request)
        steps = {step.level: step for step in target.scale_up.all()}
        context |= {
            "gaps": _gap_labels(target),
            "measures": target.measures.all(),
            "scale_up": [
                (label, [Measure(code).label for code in steps[level].measures], steps[level])
                for level, label in scale_up_levels(target.jurisdiction)
                if level in steps
            ],
            "can_change": may_change_soft_target(actor, target),
            "may_share": may_share(actor, spec_for(target), target),
            "can_report": actor.organisation is not None
            and actor.organisation.pk == target.operator_id
            and actor.can(Capability.WRITE),
        }
    return render(request, "threats/soft_target_detail.html", context)


@login_required
@require_safe
def soft_target_evidence(request, public_id, measure):
    """A measure's evidence file, only for those who see the target's details."""
    actor = _actor(request)
    target = _visible_target(actor, public_id)
    if not selectors.sees_details(actor, target):
        raise Http404
    row = next((m for m in target.measures.all() if m.measure == measure), None)
    if row is None or not row.evidence:
        raise Http404
    filename = f"{slugify(target.name) or 'soft-target'}-{slugify(measure)}.pdf"
    response = private_download(row.evidence, filename=filename, content_type="application/pdf")
    read_many(actor=actor, objects=[target], request=request)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def soft_target_create(request):
    actor = _actor(request)
    if not _may_register(actor):
        raise PermissionDenied(_("Your role does not allow this."))
    posted = request.method == "POST"
    data, files = (request.POST, request.FILES) if posted else (None, None)
    form = SoftTargetForm(data, partnerships=selectors.operator_partnerships(actor.organisation))
    measures = measure_forms(data, files)
    if posted and _all_valid(form, *measures):
        try:
            target = soft_target_register(
                by=request.user, measures=measure_rows(measures), **form.cleaned_data
            )
        except ValidationError as error:
            add_register_errors(error, target_form=form, measures=measures)
        else:
            messages.success(
                request,
                _(
                    "The soft target is registered. Its scale-up scenario starts from the "
                    "measure packages of its sector; tailor it with “Edit”."
                ),
            )
            return redirect("soft-target-detail", public_id=target.public_id)
    return _form_page(request, form=form, measures=measures)


@login_required
@require_http_methods(["GET", "POST"])
def soft_target_edit(request, public_id):
    actor = _actor(request)
    target = _visible_target(actor, public_id)
    if not may_change_soft_target(actor, target):
        raise PermissionDenied(_("Only the operator of this soft target may change it."))
    posted = request.method == "POST"
    data, files = (request.POST, request.FILES) if posted else (None, None)
    form = SoftTargetForm(
        data,
        initial=SoftTargetForm.initial_for(target),
        partnerships=selectors.operator_partnerships(target.operator),
    )
    measures = measure_forms(data, files, rows={m.measure: m for m in target.measures.all()})
    scale_up = ScaleUpForm(
        data,
        steps={step.level: step for step in target.scale_up.all()},
        levels=scale_up_levels(target.jurisdiction),
    )
    if posted and _all_valid(form, scale_up, *measures):
        try:
            soft_target_register_update(
                soft_target=target,
                by=request.user,
                changes=form.cleaned_data,
                measures=measure_rows(measures),
                scale_up=scale_up.as_service_steps(),
            )
        except ValidationError as error:
            target.refresh_from_db()  # the page shows what is stored, the form what was typed
            add_register_errors(error, target_form=form, measures=measures, scale_up=scale_up)
        else:
            messages.success(request, _("The soft target has been saved."))
            return redirect("soft-target-detail", public_id=target.public_id)
    read_many(actor, [target], request=request)  # the form shows the stored details
    return _form_page(request, form=form, measures=measures, scale_up=scale_up, target=target)


def _form_page(request, *, form, measures, scale_up=None, target=None):
    has_errors = form.is_bound and bool(
        form.errors or (scale_up is not None and scale_up.errors) or any(m.errors for m in measures)
    )
    return render(
        request,
        "threats/soft_target_form.html",
        {
            "form": form,
            "measures": measures,
            "scale_up": scale_up,
            "target": target,
            "has_errors": has_errors,
        },
    )


# --- threat assessments -------------------------------------------------------------------------


def _facet_labels(assessment) -> dict[str, list[str]]:
    labels = {"motive": dict(Motive.choices), "modus_operandi": dict(ModusOperandi.choices)}
    result: dict[str, list[str]] = {"motive": [], "modus_operandi": []}
    for facet in assessment.facets.all():
        result[facet.kind].append(labels[facet.kind].get(facet.code, facet.code))
    return result


@login_required
@require_safe
def assessment_list(request):
    actor = _actor(request)
    valid_now = request.GET.get("valid") == "now"
    visible = selectors.assessments_visible_to(actor, valid_now=valid_now)
    page = paginate(request, visible)
    read_many(actor=actor, objects=page.object_list, request=request)
    rows = [(assessment, _facet_labels(assessment)) for assessment in page.object_list]
    return render(
        request,
        "threats/assessment_list.html",
        {"page": page, "rows": rows, "valid_now": valid_now},
    )


@login_required
@require_safe
def assessment_detail(request, public_id):
    actor = _actor(request)
    assessment = selectors.assessments_visible_to(actor).filter(public_id=public_id).first()
    if assessment is None:
        raise Http404
    read_many(actor=actor, objects=[assessment], request=request)
    return render(
        request,
        "threats/assessment_detail.html",
        {
            "assessment": assessment,
            "facets": _facet_labels(assessment),
            "body_html": render_markdown(assessment.body),
            "recommended": [
                Measure(code).label
                for code in assessment.recommended_measures
                if code in Measure.values
            ],
        },
    )
