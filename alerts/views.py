"""The partner dashboard for alerts: the inbox (live), the alert page with the scale-up checklist
and the acknowledgement, and each user's channel preferences. The NCTV board is in
``alerts.views_board``.

Views parse, call selectors and services, and render. An alert the user may not see — not a
recipient, a draft, a covenant that ended — answers 404, exactly like a missing one; one they
may see but not acknowledge (a viewer) answers 403.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q, Value
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from alerts import charts as alert_charts
from alerts import policy, services
from alerts.forms import (
    AcknowledgeForm,
    OrganisationDefaultsForm,
    PreferencesForm,
    StatusReportForm,
)
from alerts.inbox import delivery_mark_read, inbox_of, inbox_unread_count
from alerts.models import Acknowledgement, Alert, StatusReport
from alerts.preferences import (
    organisation_defaults_of,
    organisation_defaults_save,
    preferences_of,
    preferences_save,
    reader_language_of,
)
from alerts.selectors import acknowledgement_times_of, alerts_visible_to, recipient_alert_get
from partnerships.forms import add_service_errors
from partnerships.selectors import actor_for
from partnerships.sharing.reads import read_many, read_one
from ppsportal.pagination import paginate
from threats.models import Measure, ScaleUpStep
from threats.selectors import level_context_for, scale_up_checklist, soft_targets_own

POLL_OVERLAP = timedelta(seconds=60)  # a cursor this far back catches rows committed late
JSON_LIMIT = 50


def _actor(request):
    return actor_for(request.user)


def _poll_seconds() -> int:
    """How often the inbox asks for new alerts (``data-poll-seconds``); tests set it short."""
    return settings.ALERTS_INBOX_POLL_SECONDS


# --- the inbox ----------------------------------------------------------------------------------


def _inbox(request, actor):
    """The user's inbox entries, each with ``org_acknowledged`` for their organisation."""
    entries = inbox_of(request.user)
    if actor.organisation is None:
        return entries.annotate(org_acknowledged=Value(False))
    return entries.annotate(
        org_acknowledged=Exists(
            Acknowledgement.objects.filter(
                alert_id=OuterRef("alert_id"), organisation=actor.organisation
            )
        )
    )


def _item_html(request, entry, level_context) -> str:
    return render_to_string(
        "alerts/includes/inbox_item.html",
        {"entry": entry, "level_context": level_context},
        request=request,
    )


@login_required
@require_safe
def inbox(request):
    actor = _actor(request)
    page = paginate(request, _inbox(request, actor))
    own_times = [] if actor.is_nctv_staff else acknowledgement_times_of(actor)
    shown = [e.alert for e in page.object_list] + own_times
    # one trace; each alert shown carries ``shared_under`` (its covenant and purpose)
    read_many(actor, shown, request=request, purpose="inbox")
    return render(
        request,
        "alerts/inbox.html",
        {
            "page": page,
            "ack_chart": alert_charts.own_organisation(own_times) if own_times else None,
            "alerts_unread": inbox_unread_count(request.user),
            "cursor": (timezone.now() - POLL_OVERLAP).isoformat(),
            "poll_seconds": _poll_seconds(),
            "level_context": level_context_for(actor.organisation),
        },
    )


def _since(request):
    raw = request.GET.get("since", "").strip()
    if not raw:
        return None
    try:
        since = parse_datetime(raw.replace(" ", "+"))  # a "+" in a query string arrives as " "
    except ValueError:
        since = None
    if since is None:
        raise ValidationError(_("“since” must be a date and time in ISO 8601."))
    try:
        if timezone.is_naive(since):
            since = timezone.make_aware(since, timezone.get_current_timezone())
        return since.astimezone(UTC)  # the database compares in UTC
    except (OverflowError, ValueError):
        raise ValidationError(_("“since” must be a date and time in ISO 8601.")) from None


@login_required
@require_safe
@never_cache
def inbox_json(request):
    """The user's own inbox entries sent after ``since`` (ISO 8601), newest first, each with its
    HTML; the unread count; and the ``cursor`` to pass next time (a little in the past, so that
    a row committed late is not missed; the page skips entries it already shows)."""
    actor = _actor(request)
    try:
        since = _since(request)
    except ValidationError as error:
        return JsonResponse({"error": error.messages[0]}, status=400)
    now = timezone.now()
    entries = _inbox(request, actor)
    if since is not None:
        entries = entries.filter(sent_at__gt=since)
    entries = list(entries[:JSON_LIMIT])
    read_many(actor, [entry.alert for entry in entries], request=request, purpose="inbox")
    level_context = level_context_for(actor.organisation)
    items = [
        {"id": str(entry.public_id), "html": _item_html(request, entry, level_context)}
        for entry in entries
    ]
    unread = inbox_unread_count(request.user)
    return JsonResponse(
        {
            "unread": unread,
            "cursor": (now - POLL_OVERLAP).isoformat(),
            "items": items,
            "announcement": ngettext("%(count)s new alert", "%(count)s new alerts", len(items))
            % {"count": len(items)}
            if items
            else "",
        }
    )


@login_required
@require_safe
@never_cache
def unread_json(request):
    """The unread counter of the navigation."""
    return JsonResponse({"unread": inbox_unread_count(request.user)})


# --- the alert page -----------------------------------------------------------------------------


def _readable_alerts(actor):
    """NCTV staff: any alert. Others: the alerts sent to their organisation that they may still
    see."""
    if actor.is_nctv_staff:
        return alerts_visible_to(actor)
    if actor.organisation is None:
        return Alert.objects.none()
    return alerts_visible_to(actor).filter(recipients__organisation=actor.organisation)


def _alert_for(actor, public_id) -> Alert:
    """The alert a write (acknowledgement, status) is about: as ``_readable_alerts``; everything
    else answers 404. Reading the page goes through the read door (``alert_detail``)."""
    if actor.is_nctv_staff:
        alert = alerts_visible_to(actor).filter(public_id=public_id).first()
        if alert is None:
            raise Http404
        return alert
    if actor.organisation is None:
        raise Http404
    try:
        return recipient_alert_get(actor, public_id)
    except Alert.DoesNotExist:
        raise Http404 from None


def _mark_read(request, alert) -> None:
    entry = inbox_of(request.user).filter(alert=alert, read_at__isnull=True).first()
    if entry is not None:
        delivery_mark_read(delivery_public_id=entry.public_id, by=request.user)


def _versions(actor, alert) -> dict:
    """The version this one replaces and the one that replaced it, when the user may see them."""
    related = alerts_visible_to(actor).filter(Q(pk=alert.previous_id) | Q(previous=alert))
    found = {"previous": None, "next": None}
    for other in related.only("public_id", "version", "status", "previous_id"):
        if other.pk == alert.previous_id:
            found["previous"] = other
        elif other.previous_id == alert.pk:
            found["next"] = other
    return found


def _checklists(actor, level: str) -> list[dict]:
    """Each of the organisation's soft targets with what its scale-up scenario asks at ``level``."""
    targets = soft_targets_own(actor).prefetch_related(
        Prefetch("scale_up", queryset=ScaleUpStep.objects.filter(level=level))
    )
    labels = dict(Measure.choices)  # once a page: ``Measure.values`` builds a list each time
    result = []
    for target in targets:
        steps = list(target.scale_up.all())
        result.append(
            {
                "target": target,
                "measures": [
                    (code, labels[code])
                    for code in scale_up_checklist(target, level)
                    if code in labels
                ],
                "notes": steps[0].notes if steps else "",
            }
        )
    return result


def _alert_page(request, actor, alert, *, form=None, status=200, status_form=None):
    is_recipient = not actor.is_nctv_staff  # the NCTV sends alerts; it never receives them
    ack = None
    report = None
    checklists = []
    if actor.organisation is not None and is_recipient:
        ack = (
            Acknowledgement.objects.filter(alert=alert, organisation=actor.organisation)
            .select_related("user")
            .first()
        )
        report = (
            StatusReport.objects.filter(alert=alert, organisation=actor.organisation)
            .select_related("user")
            .first()
        )
        checklists = _checklists(actor, alert.atb_level)
    is_open = policy.acknowledge_refusal(alert) is None
    may_acknowledge = is_recipient and ack is None and is_open and policy.may_acknowledge(actor)
    may_report = is_recipient and is_open and policy.may_report_status(actor)
    if may_report and status_form is None:
        initial = {"status": report.status, "note": report.note} if report else None
        status_form = StatusReportForm(initial=initial)
    checklist_codes = [code for c in checklists for code, _label in c["measures"]]
    if may_acknowledge and form is None:
        form = AcknowledgeForm(checklist=checklist_codes)
    return render(
        request,
        "alerts/alert_detail.html",
        {
            "alert": alert,
            "deadline": policy.ack_deadline(alert),
            "versions": _versions(actor, alert),
            "is_recipient": is_recipient,
            "ack": ack,
            "ack_measures": [Measure(c).label for c in ack.measures_taken if c in Measure.values]
            if ack
            else [],
            "checklists": checklists,
            "form": form if may_acknowledge else None,
            "is_viewer": is_recipient and not policy.may_acknowledge(actor),
            "status_report": report,
            "status_form": status_form if may_report else None,
            "level_context": level_context_for(actor.organisation),
        },
        status=status,
    )


@login_required
@require_safe
def alert_detail(request, public_id):
    actor = _actor(request)
    alert = read_one(actor, _readable_alerts(actor), request=request, public_id=public_id)
    _mark_read(request, alert)
    return _alert_page(request, actor, alert)


@login_required
@require_POST
def alert_acknowledge(request, public_id):
    """Acknowledge for the organisation through ``alerts.services.alert_acknowledge``, which
    decides who may (``alerts.policy.may_acknowledge``: a viewer is refused, 403); a second
    acknowledgement returns the first and changes nothing."""
    actor = _actor(request)
    alert = _alert_for(actor, public_id)
    checklist = [code for c in _checklists(actor, alert.atb_level) for code, _l in c["measures"]]
    form = AcknowledgeForm(request.POST, checklist=checklist)
    if form.is_valid():
        try:
            ack, created = services.alert_acknowledge(
                alert=alert,
                by=request.user,
                note=form.cleaned_data["note"],
                measures_taken=form.cleaned_data["measures_taken"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not created:
                messages.info(
                    request,
                    _("Your organisation had already acknowledged this alert; nothing changed."),
                )
            else:
                messages.success(
                    request,
                    _("Acknowledged for %(organisation)s.") % {"organisation": ack.organisation},
                )
            return redirect("alert-detail", public_id=alert.public_id)
    return _alert_page(request, actor, alert, form=form)


@login_required
@require_POST
def alert_report_status(request, public_id):
    """Report the organisation's situation through ``alerts.services.alert_report_status``."""
    actor = _actor(request)
    alert = _alert_for(actor, public_id)
    form = StatusReportForm(request.POST)
    if form.is_valid():
        try:
            services.alert_report_status(
                alert=alert,
                by=request.user,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your status has been sent to the NCTV."))
            return redirect("alert-detail", public_id=alert.public_id)
    return _alert_page(request, actor, alert, status_form=form, status=400)


# --- channel preferences ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    """Each user's channels (in the portal, email, SMS with the phone number), with the effective
    value and where it comes from; an organisation administrator also sets the defaults."""
    actor = _actor(request)
    posted = request.method == "POST"
    which = request.POST.get("form") if posted else None
    is_admin = actor.organisation is not None and actor.is_organisation_admin
    if which == "organisation" and not is_admin:
        raise PermissionDenied(_("Only your organisation's administrators set its defaults."))
    form = PreferencesForm(
        request.POST if which == "own" else None,
        rows=preferences_of(request.user),
        language=reader_language_of(request.user),
    )
    org_form = None
    if is_admin:
        org_form = OrganisationDefaultsForm(
            request.POST if which == "organisation" else None,
            rows=organisation_defaults_of(actor.organisation),
        )
    if which == "own" and form.is_valid():
        try:
            language = form.cleaned_data.get("language")
            preferences_save(
                user=request.user,
                changes=form.changes(),
                language=language if "language" in form.changed_data else None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your alert channels have been saved."))
            return redirect("alert-preferences")
    elif which == "organisation" and org_form is not None and org_form.is_valid():
        try:
            organisation_defaults_save(
                organisation=actor.organisation, by=request.user, changes=org_form.changes()
            )
        except ValidationError as error:
            add_service_errors(org_form, error)
        else:
            messages.success(request, _("Your organisation's default channels have been saved."))
            return redirect("alert-preferences")
    return render(
        request,
        "alerts/preferences.html",
        {"form": form, "org_form": org_form, "organisation": actor.organisation},
    )
