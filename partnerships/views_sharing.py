"""Partners share too: share an object of our own, see and revoke what we shared, see what was
shared with us and under which covenant. Every rule is the sharing service's; these views parse,
call and render. An object the user may not see answers 404; one they see but may not share, 403.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from partnerships.forms import ShareForm, add_service_errors
from partnerships.models import Organisation
from partnerships.selectors import actor_for
from partnerships.sharing import services as sharing
from partnerships.sharing.partner import (
    partner_object,
    share_choices,
    shares_made_by,
    shares_received_by,
)
from partnerships.sharing.reads import read_one, record_reads
from partnerships.sharing.registry import spec_for
from ppsportal.pagination import paginate

# Where each kind of shared object is shown on the dashboard.
OBJECT_PAGES = {
    "contact_entry": "contact-detail",
    "soft_target": "soft-target-detail",
    "report": "report-detail",
}


def object_url(kind: str, obj) -> str:
    return reverse(OBJECT_PAGES[kind], args=[obj.public_id])


def _read_rows(actor, request, rows) -> list:
    """Record the read of the objects the rows name; each row with its object's page."""
    record_reads(actor, rows, request=request)
    return [(row, object_url(row.kind, row.obj)) for row in rows]


@login_required
@require_safe
def shares_made(request):
    """Gedeeld door ons: what our organisation shared of its own, with revoke."""
    actor = actor_for(request.user)
    if actor.organisation is None:
        raise Http404
    page = paginate(request, shares_made_by(actor.organisation))
    return render(
        request,
        "partnerships/shares_made.html",
        {
            "rows": [
                (row, url, sharing.may_share(actor, row.spec, row.obj))
                for row, url in _read_rows(actor, request, page.object_list)
            ],
            "page": page,
            "organisation": actor.organisation,
        },
    )


@login_required
@require_safe
def shares_received(request):
    """Met ons gedeeld: what other organisations shared with us, from whom, under what."""
    actor = actor_for(request.user)
    if actor.organisation is None:
        raise Http404
    page = paginate(request, shares_received_by(actor.organisation))
    return render(
        request,
        "partnerships/shares_received.html",
        {
            "rows": _read_rows(actor, request, page.object_list),
            "page": page,
            "organisation": actor.organisation,
        },
    )


def _share_choices(actor, obj):
    return share_choices(actor, obj)


def _shareable(request, kind, public_id):
    """The object, visible (else 404) and ours to share (else 403)."""
    actor = actor_for(request.user)
    obj = partner_object(actor, kind, public_id)
    sharing.require_may_share(actor, spec_for(obj), obj)
    return actor, obj


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def object_share(request, kind, public_id):
    """Share one of our own objects with another organisation; its current shares."""
    actor, obj = _shareable(request, kind, public_id)
    form = ShareForm(request.POST or None, **_share_choices(actor, obj))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                sharing.share_with_organisation(
                    obj=obj,
                    organisation=form.cleaned_data["organisation"],
                    covenant=form.cleaned_data["covenant"],
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Shared with %(organisation)s.")
                    % {"organisation": form.cleaned_data["organisation"].name},
                )
                return redirect("object-share", kind=kind, public_id=obj.public_id)
        status = 400
    obj = read_one(actor, type(obj), request=request, pk=obj.pk)
    return render(
        request,
        "partnerships/object_share.html",
        {
            "obj": obj,
            "kind": kind,
            "kind_label": type(obj)._meta.verbose_name,
            "object_url": object_url(kind, obj),
            "shares": [s for s in sharing.shares_of(obj) if s.kind == "organisation"],
            "form": form,
        },
        status=status,
    )


@login_required
@require_POST
def object_share_revoke(request, kind, public_id):
    """Withdraw a share at once; revoking what is not shared changes nothing."""
    _actor, obj = _shareable(request, kind, public_id)
    try:
        organisation = Organisation.objects.filter(
            public_id=uuid.UUID(request.POST.get("organisation", ""))
        ).first()
    except ValueError:
        organisation = None
    if organisation is None:
        messages.error(request, _("Choose the organisation whose access you withdraw."))
        return redirect("object-share", kind=kind, public_id=obj.public_id)
    sharing.revoke(obj=obj, by=request.user, organisation=organisation, request=request)
    messages.success(
        request,
        _("%(organisation)s no longer sees this.") % {"organisation": organisation.name},
    )
    target = request.POST.get("next")
    if target == "shares-made":
        return redirect("shares-made")
    return redirect("object-share", kind=kind, public_id=obj.public_id)


@login_required
@require_safe
def contact_detail(request, public_id):
    """One contact-log entry, through the read door (a shared AMBER entry shows its covenant)."""
    from partnerships.models import ContactEntry

    actor = actor_for(request.user)
    entry = read_one(
        actor,
        ContactEntry.objects.select_related("partnership", "owner_organisation"),
        request=request,
        public_id=public_id,
    )
    return render(
        request,
        "partnerships/contact_detail.html",
        {
            "entry": entry,
            "may_share": sharing.may_share(actor, spec_for(entry), entry),
        },
    )
