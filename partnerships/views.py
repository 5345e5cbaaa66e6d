"""The partner dashboard: pages for users of partner organisations and NCTV staff.

Views parse, call selectors, policy and services, and render. A partnership (or covenant, or
action) the user may not see answers 404, exactly like a missing one; one they may see but not
change answers 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from partnerships import policy, selectors
from partnerships.forms import (
    ActionFormSet,
    ContactForm,
    CovenantDocumentForm,
    add_service_errors,
    filled_actions,
)
from partnerships.health import UNDATED_FACTS, HealthStatus, assess
from partnerships.models import PartnerRole
from partnerships.services import contacts as contact_services
from partnerships.services import covenants as covenant_services
from partnerships.sharing.partner import partner_share_counts
from partnerships.sharing.reads import read_many
from ppsportal import charts
from ppsportal.downloads import private_download
from ppsportal.pagination import paginate

HOME_PANEL_SIZE = 5


def _actor(request):
    return selectors.actor_for(request.user)


def _visible_partnership(request, public_id):
    visible = selectors.partnerships_visible_to(_actor(request))
    partnership = visible.filter(public_id=public_id).first()
    if partnership is None:
        raise Http404
    return partnership


def _detail_url(partnership, anchor: str = "") -> str:
    url = reverse("partnership-detail", args=[partnership.public_id])
    return f"{url}#{anchor}" if anchor else url


@login_required
@require_safe
def home(request):
    """What is urgent first (``ppsportal.home``: the apps' panels; for NCTV staff also the
    partnerships at risk), then the reader's partnerships."""
    from ppsportal.home import urgent_panels

    actor = _actor(request)
    today = timezone.localdate()
    # worst first: the partnerships at risk are the first rows; the counts from the database
    by_health = selectors.partnerships_by_health(actor, today=today)
    rows = selectors.health_rows(by_health[:HOME_PANEL_SIZE], today=today)
    counts = selectors.health_status_counts(actor, today=today, by_health=by_health)
    at_risk = [row for row in rows if row[1].status == HealthStatus.AT_RISK]
    return render(
        request,
        "partnerships/home.html",
        {
            "urgent_panels": urgent_panels(request, actor),
            "at_risk_rows": at_risk if actor.is_nctv_staff else None,
            "at_risk_count": sum(
                n for (status, _ended), n in counts.items() if status == HealthStatus.AT_RISK
            ),
            "health_rows": rows,
            "more_partnerships": sum(counts.values()) > HOME_PANEL_SIZE,
        },
    )


@login_required
@require_safe
def partnership_list(request):
    today = timezone.localdate()
    page = paginate(
        request, selectors.partnerships_by_name_with_health_data(_actor(request), today=today)
    )
    rows = selectors.health_rows(page.object_list, today=today)
    return render(
        request, "partnerships/partnership_list.html", {"health_rows": rows, "page": page}
    )


@login_required
@require_safe
def partnership_detail(request, public_id):
    actor = _actor(request)
    partnership = selectors.partnership_get(actor, public_id)
    if partnership is None:
        raise Http404
    today = timezone.localdate()
    report = assess(partnership, today)
    contacts = list(selectors.partnership_contacts(actor, partnership))
    read_many(actor=actor, objects=contacts, request=request)
    context = {
        "partnership": partnership,
        "report": report,
        "members": partnership.members.all(),
        "missing_roles": [PartnerRole(role).label for role in report.missing_roles],
        "covenants": selectors.partnership_covenants(actor, partnership, today),
        "contacts": contacts,
        "actions": selectors.partnership_actions(actor, partnership, today),
        "costs": selectors.cost_summary(partnership),
        "cost_items": partnership.cost_items.all(),
        "can_write_contacts": policy.can_write_contacts(actor, partnership),
        "can_manage": policy.can_manage(actor, partnership),
        **_health_history_chart(partnership, today, report),
    }
    return render(request, "partnerships/partnership_detail.html", context)


HEALTH_LEVELS = (HealthStatus.HEALTHY, HealthStatus.ATTENTION, HealthStatus.AT_RISK)


def _health_history_chart(partnership, today, report) -> dict:
    """The partnership's health per day as a step line between the three statuses."""
    history = selectors.health_history(partnership, today=today, today_status=report.status)
    days = [day for day, _status in history]
    statuses = [status for _day, status in history]
    longs, shorts = charts.day_texts(days)
    names = [str(level.label) for level in HEALTH_LEVELS]
    chart = charts.level_steps(
        longs,
        [HEALTH_LEVELS.index(s) if s else None for s in statuses],
        names,
        x_labels=shorts,
    )
    periods = [
        (first, last, str(HealthStatus(status).label))
        for first, last, status in charts.runs(days, statuses)
    ]
    return {"health_chart": chart, "health_periods": periods, **_health_undated()}


def _health_undated() -> dict:
    """What a day recorded later reads as it is now (``health.UNDATED_FACTS``): the charts'
    note says so."""
    return {"health_undated": [label for _code, label in UNDATED_FACTS]}


def _health_counts_chart(actor, today) -> dict:
    """Per day, how many partnerships were healthy, needed attention or were at risk."""
    counts = selectors.health_status_counts(actor, today=today)
    history = selectors.health_history_counts(actor, today=today, today_counts=counts)
    days = [day for day, _counts in history]
    longs, shorts = charts.day_texts(days)
    series = [charts.Series(level.value, str(level.label)) for level in HEALTH_LEVELS]
    chart = charts.stacked_columns(
        longs,
        [[counts.get(level.value, 0) for level in HEALTH_LEVELS] for _day, counts in history],
        series,
        x_labels=shorts,
    )
    return {"health_counts_chart": chart, **_health_undated()}


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request, public_id):
    actor = _actor(request)
    partnership = _visible_partnership(request, public_id)
    policy.require(policy.can_write_contacts(actor, partnership))
    organisations = selectors.partnership_member_organisations(partnership)
    data = request.POST if request.method == "POST" else None
    form = ContactForm(data, organisations=organisations)
    formset = ActionFormSet(data, prefix="actions", form_kwargs={"organisations": organisations})
    if data is not None and form.is_valid() and formset.is_valid():
        try:
            contact_services.contact_create(
                partnership=partnership,
                by=request.user,
                occurred_on=form.cleaned_data["occurred_on"],
                kind=form.cleaned_data["kind"],
                summary=form.cleaned_data["summary"],
                participants=list(form.cleaned_data["participants"]),
                tlp=form.cleaned_data["tlp"],
                actions=filled_actions(formset),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The contact has been added to the log."))
            return redirect(_detail_url(partnership, "contact-log"))
    return render(
        request,
        "partnerships/contact_form.html",
        {"partnership": partnership, "form": form, "formset": formset},
    )


@login_required
@require_POST
def action_done(request, public_id):
    actor = _actor(request)
    action = selectors.action_get(actor, public_id)
    if action is None:
        raise Http404
    policy.require(policy.can_write_contacts(actor, action.partnership))
    done = request.POST.get("done", "1") != "0"
    contact_services.action_set_done(action=action, done=done)
    if done:
        messages.success(request, _("The action is marked as done."))
    else:
        messages.success(request, _("The action is open again."))
    return redirect(_detail_url(action.partnership, "actions"))


@login_required
@require_http_methods(["GET", "POST"])
def covenant_upload(request, public_id):
    actor = _actor(request)
    covenant = selectors.covenant_get(actor, public_id)
    if covenant is None:
        raise Http404
    policy.require(policy.can_manage(actor, covenant.partnership))
    form = CovenantDocumentForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            covenant_services.covenant_upload_document(
                covenant=covenant, upload=form.cleaned_data["document"], by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The signed document has been stored."))
            return redirect(_detail_url(covenant.partnership, "covenants"))
    return render(
        request,
        "partnerships/covenant_upload.html",
        {"covenant": covenant, "partnership": covenant.partnership, "form": form},
    )


@login_required
@require_safe
def covenant_document(request, public_id):
    actor = _actor(request)
    covenant = selectors.covenant_get(actor, public_id)
    if covenant is None or not selectors.covenant_document_visible_to(actor, covenant):
        raise Http404
    filename = f"{slugify(covenant.title) or 'covenant'}.pdf"
    response = private_download(
        covenant.document, filename=filename, content_type="application/pdf"
    )
    read_many(actor=actor, objects=[covenant], request=request)
    return response


@login_required
@require_safe
def partnership_overview(request):
    actor = _actor(request)
    if not actor.is_nctv_staff:
        raise Http404
    order = request.GET.get("order", "health")
    if order not in selectors.OVERVIEW_ORDERS:
        order = "health"
    today = timezone.localdate()
    page = paginate(request, selectors.partnership_overview_rows(actor, order=order, today=today))
    rows = selectors.health_rows(page.object_list, today=today)
    counts = partner_share_counts()
    for partnership, _report in rows:
        # how many shares between partners count under its covenants: a number, no content
        partnership.partner_shares = counts.get(partnership.pk, 0)
    return render(
        request,
        "partnerships/partnership_overview.html",
        {
            "health_rows": rows,
            "page": page,
            "order": order,
            **_health_counts_chart(actor, today),
        },
    )


@login_required
@require_safe
def access_log(request):
    """Who outside my organisation read our organisation's sensitive data, and when."""
    from django.core.exceptions import PermissionDenied

    from partnerships.policy import may_read_organisation_logs
    from ppsportal.audit_text import entry_sentences

    actor = _actor(request)
    if actor.organisation is None:
        raise Http404
    if not may_read_organisation_logs(actor, actor.organisation):
        raise PermissionDenied(_("Only your organisation's administrators see this."))
    events = selectors.access_log_for_organisation(actor.organisation)
    page = paginate(request, events)
    scope = selectors.access_log_name_scope(actor.organisation)
    rows = list(page.object_list)
    from partnerships.sharing.partner import access_log_shared_under

    entries = [
        (event, sentence, access_log_shared_under(event, actor.organisation))
        for event, sentence in zip(rows, entry_sentences(rows, scope=scope), strict=True)
    ]
    return render(
        request,
        "partnerships/access_log.html",
        {"page": page, "entries": entries, "organisation": actor.organisation},
    )
