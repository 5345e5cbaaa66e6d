"""The NCTV alert board: every alert with its delivery and acknowledgement counts, one alert's
state per recipient organisation (both updating live), the lifecycle buttons, and each
organisation's acknowledgement record.

For NCTV staff only; the pages answer 404 to everyone else, exactly like a missing page. The
lifecycle buttons call ``alerts.services``, which enforce the four eyes and every other rule;
a refusal is shown with the service's own message.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from alerts import charts as alert_charts
from alerts import policy, services
from alerts.board import (
    RECENT_DAYS,
    acknowledgement_records,
    board_alert_get,
    board_alert_state,
    board_alerts,
    delivery_progress,
    totals_of,
)
from alerts.models import Alert
from alerts.preview import audience_preview
from partnerships.selectors import actor_for
from partnerships.sharing.reads import read_many


def _poll_seconds() -> int:
    """How often the board asks for fresh counts (``data-poll-seconds``); tests set it short."""
    return settings.ALERTS_BOARD_POLL_SECONDS


ACTIONS = {
    "approve": services.alert_approve,
    "publish": services.alert_publish,
    "cancel": services.alert_cancel,
    "all-clear": services.alert_all_clear,
}


def _require_staff(request):
    actor = actor_for(request.user)
    if not actor.is_nctv_staff:
        raise Http404
    return actor


def _alert_or_404(public_id) -> Alert:
    alert = board_alert_get(public_id)
    if alert is None:
        raise Http404
    return alert


def _updated_text() -> str:
    now = timezone.localtime()
    return _("Updated at %(time)s") % {"time": now.strftime("%H:%M:%S")}


# --- all alerts -------------------------------------------------------------------------------


def _board_rows(request, alerts) -> str:
    return render_to_string("alerts/includes/board_rows.html", {"alerts": alerts}, request=request)


@login_required
@require_safe
def board(request):
    actor = _require_staff(request)
    alerts = read_many(actor, board_alerts(), request=request, purpose="board")
    records = acknowledgement_records()
    return render(
        request,
        "alerts/board.html",
        {
            "rows_html": _board_rows(request, alerts),
            "records": records,
            "ack_chart": alert_charts.medians(records),
            "poll_seconds": _poll_seconds(),
            "updated": _updated_text(),
            "recent_days": RECENT_DAYS,
        },
    )


@login_required
@require_safe
@never_cache
def board_json(request):
    _require_staff(request)
    return JsonResponse(
        {
            "regions": {
                "board-rows": _board_rows(request, board_alerts()),
                "board-updated": _updated_text(),
            }
        }
    )


# --- one alert --------------------------------------------------------------------------------


def _state(alert) -> dict:
    rows = board_alert_state(alert)
    records = {
        r.organisation_id: r
        for r in acknowledgement_records(organisation_ids=[row.organisation.pk for row in rows])
    }
    for row in rows:
        row.record = records.get(row.organisation.pk)
    progress = delivery_progress(alert)
    return {
        "alert": alert,
        "rows": rows,
        "totals": totals_of(rows),
        "progress": progress,
        "progress_done": all(channel.pending == 0 for channel in progress),
    }


def _state_regions(request, state) -> dict:
    return {
        "state-rows": render_to_string(
            "alerts/includes/board_state_rows.html", state, request=request
        ),
        "state-totals": render_to_string(
            "alerts/includes/board_totals.html", state, request=request
        ),
        "state-progress": render_to_string(
            "alerts/includes/board_progress.html", state, request=request
        ),
        "board-updated": _updated_text(),
    }


@login_required
@require_safe
def board_detail(request, public_id):
    actor = _require_staff(request)
    alert = _alert_or_404(public_id)
    read_many(actor, [alert], request=request, purpose="board")
    state = _state(alert)
    regions = _state_regions(request, state)
    chart = alert_charts.per_organisation(alert, state["rows"]) if alert.published_at else None
    # before publication: who publishing would tell, per organisation and channel, and who not
    waiting = alert.status in (Alert.Status.DRAFT, Alert.Status.APPROVED)
    return render(
        request,
        "alerts/board_detail.html",
        {
            "alert": alert,
            "deadline": policy.ack_deadline(alert),
            "preview": audience_preview(alert) if waiting else None,
            "rows_html": regions["state-rows"],
            "totals_html": regions["state-totals"],
            "progress_html": regions["state-progress"],
            "updated_html": regions["board-updated"],
            "poll_seconds": _poll_seconds(),
            "is_author": alert.author_id == request.user.pk,
            "steps": policy.allowed_steps(actor, alert),
            "ack_chart": chart,
        },
    )


@login_required
@require_safe
@never_cache
def board_detail_json(request, public_id):
    _require_staff(request)
    alert = _alert_or_404(public_id)
    return JsonResponse({"regions": _state_regions(request, _state(alert))})


def _done_message(action: str, alert: Alert) -> str:
    if action == "publish":
        count = alert.recipients.count()
        return ngettext(
            "Published: the alert is on its way to %(count)s organisation.",
            "Published: the alert is on its way to %(count)s organisations.",
            count,
        ) % {"count": count}
    return {
        "approve": _("Approved: the alert can now be published."),
        "cancel": _("The alert is cancelled; messages not yet sent will not be sent."),
        "all-clear": _("All clear given; messages not yet sent will not be sent."),
    }[action]


@login_required
@require_POST
def board_action(request, public_id, action):
    """Approve, publish, cancel or give the all clear, through the services."""
    _require_staff(request)
    alert = _alert_or_404(public_id)
    service = ACTIONS.get(action)
    if service is None:
        raise Http404
    try:
        alert = service(alert=alert, by=request.user)
    except (ValidationError, PermissionDenied) as refusal:
        text = " ".join(refusal.messages) if isinstance(refusal, ValidationError) else refusal
        messages.error(request, text)
    else:
        messages.success(request, _done_message(action, alert))
    return redirect("alert-board-detail", public_id=alert.public_id)
