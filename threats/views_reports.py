"""The partner dashboard for reports back to government, and the NCTV pages: the register
overview and the report queue.

A report the user may not see answers 404; NCTV pages answer 404 to everyone but NCTV staff.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from partnerships.forms import add_service_errors
from partnerships.roles import Capability
from partnerships.selectors import actor_for
from partnerships.sharing.reads import read_many
from partnerships.sharing.registry import spec_for
from partnerships.sharing.services import may_share
from ppsportal.pagination import paginate
from threats import selectors, services
from threats.charts import tier_region_chart
from threats.forms import ReplyForm, ReportForm, TriageForm
from threats.models import Report, ReportReply
from threats.services_reports import attachment_response


def _actor(request):
    return actor_for(request.user)


def _require_staff(actor) -> None:
    if not actor.is_nctv_staff:
        raise Http404


def _visible_report(actor, public_id) -> Report:
    report = (
        selectors.reports_visible_to(actor)
        .prefetch_related(
            Prefetch("replies", queryset=ReportReply.objects.select_related("author"))
        )
        .filter(public_id=public_id)
        .first()
    )
    if report is None:
        raise Http404
    return report


def _may_reply(actor, report) -> bool:
    if actor.is_nctv_staff:
        return True
    own = (
        actor.organisation is not None and actor.organisation.pk == report.reporter_organisation_id
    )
    return own and actor.can(Capability.WRITE) and report.status != Report.Status.CLOSED


# --- reports ------------------------------------------------------------------------------------


@login_required
@require_safe
def report_list(request):
    actor = _actor(request)
    reports = selectors.reports_visible_to(actor).prefetch_related("replies")
    page = paginate(request, reports)
    read_many(actor, page.object_list, request=request)
    return render(
        request,
        "threats/report_list.html",
        {"page": page, "can_report": actor.can(Capability.WRITE) and actor.organisation},
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_create(request):
    actor = _actor(request)
    if actor.organisation is None or not actor.can(Capability.WRITE):
        raise PermissionDenied(_("Your role does not allow this."))
    own = selectors.soft_targets_own(actor).select_related("category")
    initial = {}
    if request.GET.get("soft_target"):
        initial["soft_target"] = request.GET["soft_target"]
    posted = request.method == "POST"
    form = ReportForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        initial=initial,
        soft_targets=own,
    )
    if posted and form.is_valid():
        data = dict(form.cleaned_data)
        attachment = data.pop("attachment", None)
        try:
            report = services.report_create(
                by=request.user, attachments=[attachment] if attachment else [], **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you. Your report has been sent to the NCTV."))
            return redirect("report-detail", public_id=report.public_id)
    return render(request, "threats/report_form.html", {"form": form, "has_targets": own.exists()})


@login_required
@require_safe
def report_attachment(request, public_id, attachment_id):
    """An attachment, for whoever sees the report; 404 for everyone else."""
    actor = _actor(request)
    report = selectors.reports_visible_to(actor).filter(public_id=public_id).first()
    if report is None:
        raise Http404
    row = report.attachments.filter(public_id=attachment_id).first()
    if row is None:
        raise Http404
    read_many(actor=actor, objects=[report], request=request)
    return attachment_response(row)


def _report_page(request, actor, report, *, reply_form=None, status=200):
    return render(
        request,
        "threats/report_detail.html",
        {
            "report": report,
            "replies": report.replies.all(),
            "reply_form": reply_form or ReplyForm(),
            "may_reply": _may_reply(actor, report),
            "may_share": may_share(actor, spec_for(report), report),
            "triage_form": TriageForm(initial={"status": report.status})
            if actor.is_nctv_staff
            else None,
        },
        status=status,
    )


@login_required
@require_safe
def report_detail(request, public_id):
    actor = _actor(request)
    report = _visible_report(actor, public_id)
    read_many(actor=actor, objects=[report], request=request)
    return _report_page(request, actor, report)


@login_required
@require_POST
def report_reply(request, public_id):
    actor = _actor(request)
    report = _visible_report(actor, public_id)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.report_reply(report=report, body=form.cleaned_data["body"], by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your reply has been added."))
            return redirect("report-detail", public_id=report.public_id)
    return _report_page(request, actor, report, reply_form=form)


# --- NCTV ---------------------------------------------------------------------------------------


@login_required
@require_POST
def report_triage(request, public_id):
    actor = _actor(request)
    _require_staff(actor)
    report = _visible_report(actor, public_id)
    form = TriageForm(request.POST)
    if form.is_valid():
        services.report_triage(report=report, status=form.cleaned_data["status"], by=request.user)
        messages.success(
            request,
            _("The report is now “%(status)s”.") % {"status": report.get_status_display()},
        )
    else:
        messages.error(request, _("Choose a known status."))
    if request.POST.get("back") == "queue":
        return redirect("report-queue")
    return redirect("report-detail", public_id=report.public_id)


@login_required
@require_safe
def report_queue(request):
    actor = _actor(request)
    _require_staff(actor)
    queue = selectors.report_queue().prefetch_related("replies")
    page = paginate(request, queue)
    read_many(actor, page.object_list, request=request)
    rows = [(report, TriageForm(initial={"status": report.status})) for report in page]
    return render(request, "threats/report_queue.html", {"page": page, "rows": rows})


def _totals(rows: list[dict], key: str) -> list[dict]:
    totals: dict[str, dict] = {}
    for row in rows:
        total = totals.setdefault(row[key], {"name": row[key], "count": 0, "gaps": 0})
        total["count"] += row["count"]
        total["gaps"] += row["gaps"]
    return sorted(totals.values(), key=lambda total: total["name"])


@login_required
@require_safe
def register_overview(request):
    actor = _actor(request)
    _require_staff(actor)
    targets = selectors.soft_targets_visible_to(actor)
    rows = selectors.register_overview(targets)
    # one row per operator: a page at a time, the most gaps first
    per_operator = paginate(request, selectors.operators_by_gaps(targets))
    return render(
        request,
        "threats/register_overview.html",
        {
            "rows": rows,
            "by_category": _totals(rows, "category"),
            "by_region": _totals(rows, "region"),
            "by_tier": _totals(rows, "tier"),
            "tier_region_chart": tier_region_chart(selectors.totals_by_tier_and_region(rows)),
            "per_operator": per_operator,
            "total": {
                "count": sum(row["count"] for row in rows),
                "gaps": sum(row["gaps"] for row in rows),
            },
        },
    )
