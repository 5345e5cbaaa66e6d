"""Reads for the NCTV alert board, in a fixed number of queries however many alerts,
organisations and deliveries there are (pinned in tests/alerts/test_board.py).

- ``board_alerts``: drafts and approved alerts waiting for a second pair of eyes, published
  alerts, and those that ended recently, each with its counts;
- ``board_alert_state``: one alert, per recipient organisation: its deliveries, its
  acknowledgement, the escalation step reached and whether it is overdue;
- ``delivery_progress``: one alert's messages per channel, sent out of all (publishing's
  progress, shown until every message has been handled);
- ``acknowledgement_records``: per organisation, how many actual alerts it received and
  acknowledged and its median time to acknowledge. Exercise and test alerts are left out.

Counts are of the alert's own messages (purpose ``notice``); escalation SMS are shown as the
step reached, not counted as deliveries.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alerts import policy
from alerts.models import (
    Acknowledgement,
    Alert,
    AlertRecipient,
    Delivery,
    EscalationStep,
    StatusReport,
    Unreachable,
)
from alerts.models.deliveries import Channel

RECENT_DAYS = 14  # ended alerts stay on the board this long
BOARD_LIMIT = 100

OPEN = (Alert.Status.DRAFT, Alert.Status.APPROVED, Alert.Status.PUBLISHED)
PENDING = (Delivery.Status.QUEUED, Delivery.Status.IN_FLIGHT, Delivery.Status.AWAITING_RETRY)


@dataclass
class Counts:
    sent: int = 0
    failed: int = 0
    pending: int = 0
    cancelled: int = 0
    recipients: int = 0
    acknowledged: int = 0
    overdue: int = 0
    received_nothing: int = 0  # recipient organisations none of whose messages went out

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.pending + self.cancelled


def _delivery_counts(alert_filter: Q, group_by: str) -> dict[int, dict[str, int]]:
    rows = (
        Delivery.objects.filter(alert_filter, purpose=Delivery.Purpose.NOTICE)
        .values(group_by)
        .annotate(
            sent=Count("pk", filter=Q(status=Delivery.Status.SENT)),
            failed=Count("pk", filter=Q(status=Delivery.Status.FAILED)),
            pending=Count("pk", filter=Q(status__in=PENDING)),
            cancelled=Count("pk", filter=Q(status=Delivery.Status.CANCELLED)),
        )
        .order_by()  # the model's ordering would join the GROUP BY
    )
    return {row.pop(group_by): row for row in rows}


def _count_by_alert(model, ids: list[int]) -> dict[int, int]:
    return dict(
        model.objects.filter(alert_id__in=ids)
        .values("alert_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("alert_id", "n")
    )


def board_alerts(*, now: datetime | None = None, limit: int = BOARD_LIMIT) -> list[Alert]:
    """The board's alerts, those waiting for approval or publication first, then the newest;
    each with ``counts`` (``Counts``) and ``deadline``. Four queries."""
    now = now or timezone.now()
    alerts = list(
        Alert.objects.filter(
            Q(status__in=OPEN) | Q(ended_at__gte=now - timedelta(days=RECENT_DAYS))
        )
        .select_related("author", "approver")
        .order_by(F("published_at").desc(nulls_first=True), "-created_at", "-id")[:limit]
    )
    ids = [alert.pk for alert in alerts]
    deliveries = _delivery_counts(Q(alert_id__in=ids), "alert_id")
    recipients = _count_by_alert(AlertRecipient, ids)
    acknowledged = _count_by_alert(Acknowledgement, ids)
    for alert in alerts:
        counts = Counts(
            **deliveries.get(alert.pk, {}),
            recipients=recipients.get(alert.pk, 0),
            acknowledged=acknowledged.get(alert.pk, 0),
        )
        if policy.is_overdue(alert, now):
            counts.overdue = counts.recipients - counts.acknowledged
        alert.counts = counts
        alert.deadline = policy.ack_deadline(alert)
    return alerts


def board_alert_get(public_id) -> Alert | None:
    return (
        Alert.objects.select_related("author", "approver", "previous", "next_version")
        .filter(public_id=public_id)
        .first()
    )


@dataclass
class OrganisationState:
    """One recipient organisation of an alert, as the board shows it."""

    organisation: object
    sent: int = 0
    failed: int = 0
    pending: int = 0
    cancelled: int = 0
    acknowledgement: Acknowledgement | None = None
    escalation_step: int | None = None
    status_report: StatusReport | None = None
    overdue: bool = False
    measures: list[str] = field(default_factory=list)
    unreachable: str = ""  # the reason nobody there could be told (``Unreachable``)

    @property
    def unreachable_label(self) -> str:
        return str(Unreachable(self.unreachable).label) if self.unreachable else ""

    @property
    def received_nothing(self) -> bool:
        """No message of the alert reached it, and none is still on its way."""
        return self.sent == 0 and self.pending == 0

    @property
    def nothing_reason(self) -> str:
        """Why it received nothing: nobody to tell, its messages failed or were cancelled."""
        if not self.received_nothing:
            return ""
        if self.unreachable:
            return self.unreachable_label
        if self.failed:
            return ngettext(
                "its %(count)s message failed", "all its %(count)s messages failed", self.failed
            ) % {"count": self.failed}
        if self.cancelled:
            return _("its messages were cancelled before they went out")
        return _("no message was addressed to it")

    @property
    def escalation_label(self) -> str:
        if self.escalation_step is None:
            return ""
        return str(EscalationStep.Step(self.escalation_step).label)


def board_alert_state(alert: Alert, *, now: datetime | None = None) -> list[OrganisationState]:
    """Per recipient organisation, by name: deliveries sent, failed and pending, the
    acknowledgement (at, by, measures), the latest status reported back, the escalation step
    reached (and why, when nobody there could be told), overdue. Five queries."""
    from threats.models import Measure

    now = now or timezone.now()
    past_deadline = policy.is_overdue(alert, now)
    deliveries = _delivery_counts(Q(alert=alert), "organisation_id")
    acks = {
        ack.organisation_id: ack
        for ack in Acknowledgement.objects.filter(alert=alert).select_related("user")
    }
    reports = {
        r.organisation_id: r
        for r in StatusReport.objects.filter(alert=alert).select_related("user")
    }
    steps: dict[int, int] = {}
    unreachable: dict[int, str] = {}
    for org_id, step, reason in EscalationStep.objects.filter(alert=alert).values_list(
        "organisation_id", "step", "reason"
    ):
        steps[org_id] = max(step, steps.get(org_id, 0))
        if reason:
            unreachable[org_id] = reason
    rows = []
    recipients = (
        AlertRecipient.objects.filter(alert=alert)
        .select_related("organisation")
        .order_by("organisation__name", "organisation_id")
    )
    labels = dict(Measure.choices)
    for recipient in recipients:
        org_id = recipient.organisation_id
        ack = acks.get(org_id)
        rows.append(
            OrganisationState(
                organisation=recipient.organisation,
                **deliveries.get(org_id, {}),
                acknowledgement=ack,
                escalation_step=steps.get(org_id),
                unreachable=unreachable.get(org_id, ""),
                status_report=reports.get(org_id),
                overdue=past_deadline and ack is None,
                measures=[str(labels.get(code, code)) for code in ack.measures_taken]
                if ack
                else [],
            )
        )
    return rows


def totals_of(rows: list[OrganisationState]) -> Counts:
    return Counts(
        sent=sum(r.sent for r in rows),
        failed=sum(r.failed for r in rows),
        pending=sum(r.pending for r in rows),
        cancelled=sum(r.cancelled for r in rows),
        recipients=len(rows),
        acknowledged=sum(1 for r in rows if r.acknowledgement),
        overdue=sum(1 for r in rows if r.overdue),
        received_nothing=sum(1 for r in rows if r.received_nothing),
    )


@dataclass
class ChannelProgress:
    """One channel of a published alert: how many of its messages went out so far."""

    channel: str
    sent: int = 0
    failed: int = 0
    pending: int = 0
    cancelled: int = 0

    @property
    def label(self) -> str:
        return str(Channel(self.channel).label)

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.pending + self.cancelled

    @property
    def handled(self) -> int:
        return self.total - self.pending


def delivery_progress(alert: Alert) -> list[ChannelProgress]:
    """The alert's own messages per channel (in the channels' order), sent out of all; a
    channel without messages is left out. One query."""
    counts = _delivery_counts(Q(alert=alert), "channel")
    return [ChannelProgress(channel=str(c), **counts[c]) for c in Channel if c in counts]


# --- acknowledgement record ----------------------------------------------------------------


@dataclass
class AckRecord:
    organisation_id: int
    name: str
    received: int = 0
    acknowledged: int = 0
    median: timedelta | None = None


def acknowledgement_records(*, organisation_ids=None) -> list[AckRecord]:
    """Per organisation that received actual alerts: how many, how many it acknowledged, and
    the median time from publication to acknowledgement. Exercise and test alerts are left out
    of statistics. Two queries; the median is computed here (SQLite has no percentile)."""
    actual = Q(alert__kind=Alert.Kind.ACTUAL, alert__published_at__isnull=False)
    if organisation_ids is not None:
        actual &= Q(organisation_id__in=list(organisation_ids))
    records = {
        row["organisation_id"]: AckRecord(
            organisation_id=row["organisation_id"],
            name=row["organisation__name"],
            received=row["n"],
        )
        for row in AlertRecipient.objects.filter(actual)
        .values("organisation_id", "organisation__name")
        .annotate(n=Count("pk"))
        .order_by()
    }
    waits: dict[int, list[float]] = {}
    for org_id, published_at, at in Acknowledgement.objects.filter(actual).values_list(
        "organisation_id", "alert__published_at", "at"
    ):
        waits.setdefault(org_id, []).append(max((at - published_at).total_seconds(), 0.0))
    for org_id, seconds in waits.items():
        record = records.get(org_id)
        if record is None:  # acknowledged without being a recipient: cannot happen, skip
            continue
        record.acknowledged = len(seconds)
        record.median = timedelta(seconds=statistics.median(seconds))
    return sorted(records.values(), key=lambda r: (r.name.casefold(), r.organisation_id))
