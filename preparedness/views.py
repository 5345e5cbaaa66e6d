"""The partner dashboard's preparedness pages: per soft target its procedures (with the gaps its
tier implies), the share of staff trained, and exercises with their after-action items. Another
organisation's soft target answers 404, exactly like a missing one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from partnerships.policy import require
from partnerships.selectors import actor_for
from ppsportal.pagination import paginate
from preparedness import selectors, services


@login_required
@require_safe
def preparedness_overview(request):
    """Every own soft target (all for NCTV staff) with its preparedness gaps."""
    actor = actor_for(request.user)
    page = paginate(
        request,
        selectors.with_preparedness(
            selectors.preparedness_targets_visible_to(actor).order_by("name", "id")
        ),
    )
    rows = [(target, selectors.preparedness_summary(target)) for target in page.object_list]
    return render(request, "preparedness/overview.html", {"rows": rows, "page": page})


@login_required
@require_safe
def preparedness_detail(request, public_id):
    actor = actor_for(request.user)
    target = (
        selectors.with_preparedness(selectors.preparedness_targets_visible_to(actor))
        .filter(public_id=public_id)
        .first()
    )
    if target is None:
        raise Http404
    selectors.load_acknowledgement_times(target.exercises.all(), actor)
    return render(
        request,
        "preparedness/detail.html",
        {
            "target": target,
            "summary": selectors.preparedness_summary(target),
            "can_change": services.may_change_preparedness(actor, target),
        },
    )


@login_required
@require_POST
def action_item_complete(request, public_id):
    actor = actor_for(request.user)
    item = selectors.action_items_visible_to(actor).filter(public_id=public_id).first()
    if item is None:
        raise Http404
    target = item.exercise.soft_target
    require(services.may_change_preparedness(actor, target))
    services.action_item_complete(item=item, by=request.user)
    messages.success(request, _("The action item is done."))
    return redirect("preparedness-detail", public_id=target.public_id)
