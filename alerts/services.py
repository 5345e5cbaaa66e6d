"""Every write about alerts with a business rule: one function per use case, owning its
transaction; tasks are enqueued on commit.

Lifecycle: draft → approved (by a second staff member) → published → superseded by an update /
cancelled / all clear / expired. See docs/alerts.md.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import BigIntegerField, F
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts import policy
from alerts.area import format_circle, format_polygon, parse_circle, parse_polygon
from alerts.dispatch import dispatch_lease, enqueue_batches
from alerts.escalation import escalate_unreachable
from alerts.fanout import insert_follow_ups, insert_user_deliveries
from alerts.models import (
    LEVEL_DEFAULTS,
    TEMPLATE_FIELDS,
    Acknowledgement,
    Alert,
    AlertRecipient,
    AlertTemplate,
    Delivery,
    StatusReport,
)
from alerts.models.deliveries import Channel
from alerts.regions import regions
from alerts.selectors import (
    audience_organisations,
    audience_size_before_entitlement,
    recipient_alert_with_ack,
    unreachable_reasons,
    webhooks_of,
)
from partnerships.selectors import actor_for
from partnerships.sharing.services import share_with_organisation
from ppsportal.sensitivity import TLP
from threats.models import AlertLevel, Measure

logger = logging.getLogger(__name__)

AUDIENCE_FIELDS = ("sectors", "partnerships", "organisations", "target_categories")
COPIED_FIELDS = (
    "headline",
    "description",
    "instruction",
    "headline_en",
    "description_en",
    "instruction_en",
    "atb_level",
    "tlp",
    "kind",
    "regions",
    "area_description",
    "area_polygon",
    "area_circle",
    "area_regions",
    "area_targets",
    "target_min_capacity",
    "assessment",
    "urgency",
    "severity",
    "certainty",
    "expires_at",
    "ack_deadline_minutes",
)


class AlertNotFound(Http404):
    """Missing, or not visible to the caller: answered alike (404)."""


def _staff_actor(by):
    actor = actor_for(by)
    policy.require_staff(actor)
    return actor


def _locked(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().get(pk=alert.pk)


# --- draft and approval ------------------------------------------------------------------------


# Characters XML 1.0 cannot carry (CAP, Atom); Word's manual line break (\x0b) is one of them.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
TEXT_FIELDS = (
    "headline",
    "description",
    "instruction",
    "headline_en",
    "description_en",
    "instruction_en",
    "area_description",
)


def _check_text(alert: Alert) -> None:
    bad = [name for name in TEXT_FIELDS if XML_ILLEGAL.search(getattr(alert, name) or "")]
    if bad:
        message = _(
            "This text contains an invisible control character (such as a manual line break "
            "pasted from a word processor); remove it or type the line break again."
        )
        raise ValidationError(
            {name: ValidationError(message, code="control_character") for name in bad}
        )


def _checked_regions(codes) -> list[str]:
    """The chosen municipalities and safety regions, each once, all known."""
    known = regions()
    codes = list(dict.fromkeys(str(c).strip().upper() for c in codes or [] if str(c).strip()))
    unknown = [c for c in codes if c not in known]
    if unknown:
        message = _("Unknown municipality or safety region: %(codes)s.") % {
            "codes": ", ".join(unknown)[:200]
        }
        raise ValidationError({"area_regions": ValidationError(message, code="area_region")})
    return codes


def _check_alert(alert: Alert, raises_sectors) -> None:
    _check_text(alert)
    if alert.tlp == TLP.RED:
        message = _("Alerts go to organisations; TLP:RED is shared with named users only.")
        raise ValidationError({"tlp": ValidationError(message, code="red_alert")})
    if alert.is_drill and raises_sectors:
        message = _("Exercise and test alerts cannot raise sector levels.")
        raise ValidationError(
            {"raises_sectors": ValidationError(message, code="drill_raises_level")}
        )
    try:
        alert.area_polygon = format_polygon(parse_polygon(alert.area_polygon))
    except ValidationError as error:
        raise ValidationError({"area_polygon": error}) from None
    try:
        alert.area_circle = format_circle(parse_circle(alert.area_circle))
    except ValidationError as error:
        raise ValidationError({"area_circle": error}) from None
    alert.area_regions = _checked_regions(alert.area_regions)
    if alert.area_targets and not (alert.area_polygon or alert.area_circle or alert.area_regions):
        message = _(
            "Draw the area (a polygon or a circle) or choose the municipalities and safety "
            "regions whose soft targets the alert is to reach."
        )
        raise ValidationError({"area_polygon": ValidationError(message, code="area_missing")})
    alert.full_clean(exclude=["owner_organisation", "author"])


def _set_audience(alert: Alert, *, raises_sectors=None, **audience) -> None:
    for name in AUDIENCE_FIELDS:
        if audience.get(name) is not None:
            getattr(alert, name).set(audience[name])
    if raises_sectors is not None:
        alert.raises_sectors.set(raises_sectors)


@transaction.atomic
def alert_create(
    *,
    by,
    headline: str,
    description: str,
    atb_level: str,
    tlp: str = TLP.GREEN,
    instruction: str = "",
    headline_en: str = "",
    description_en: str = "",
    instruction_en: str = "",
    kind: str = Alert.Kind.ACTUAL,
    sectors=(),
    regions=(),
    area_description: str = "",
    area_polygon: str = "",
    area_circle: str = "",
    area_regions=(),
    area_targets: bool = False,
    target_categories=(),
    target_min_capacity: int | None = None,
    partnerships=(),
    organisations=(),
    raises_sectors=(),
    assessment=None,
    urgency: str = "",
    severity: str = "",
    certainty: str = "",
    expires_at: datetime | None = None,
    ack_deadline_minutes: int | None = None,
    idempotency_key: str = "",
    template: AlertTemplate | None = None,
) -> Alert:
    """A draft alert by NCTV staff. CAP urgency, severity and certainty and the acknowledgement
    deadline follow from the ATb level unless given. With an ``idempotency_key`` (an API
    client's retry), the author's alert made with that key is returned instead of a second one;
    ``alert.created`` says which happened."""
    _staff_actor(by)
    if idempotency_key:
        earlier = Alert.objects.filter(author=by, idempotency_key=idempotency_key).first()
        if earlier is not None:
            earlier.created = False
            return earlier
    if atb_level not in AlertLevel.values:
        raise ValidationError({"atb_level": _("Unknown alert level.")}, code="level")
    d_urgency, d_severity, d_certainty, d_deadline = LEVEL_DEFAULTS[atb_level]
    alert = Alert(
        headline=headline,
        description=description,
        instruction=instruction,
        headline_en=(headline_en or "").strip(),
        description_en=description_en or "",
        instruction_en=instruction_en or "",
        atb_level=atb_level,
        tlp=tlp,
        kind=kind,
        template=template,
        template_version=template.version if template is not None else None,
        regions=[str(r).strip() for r in regions if str(r).strip()],
        area_description=(area_description or "").strip(),
        area_polygon=area_polygon or "",
        area_circle=area_circle or "",
        area_regions=list(area_regions or []),
        area_targets=bool(area_targets),
        target_min_capacity=target_min_capacity or None,
        assessment=assessment,
        urgency=urgency or d_urgency,
        severity=severity or d_severity,
        certainty=certainty or d_certainty,
        expires_at=expires_at,
        ack_deadline_minutes=ack_deadline_minutes or d_deadline,
        owner_organisation=actor_for(by).organisation,
        author=by,
        idempotency_key=idempotency_key,
    )
    _check_alert(alert, raises_sectors)
    try:
        with transaction.atomic():
            alert.save()
    except IntegrityError:
        if not idempotency_key:
            raise
        # a concurrent retry with the same key committed first: that one is the answer
        earlier = Alert.objects.get(author=by, idempotency_key=idempotency_key)
        earlier.created = False
        return earlier
    alert.created = True
    _set_audience(
        alert,
        sectors=sectors,
        partnerships=partnerships,
        organisations=organisations,
        target_categories=target_categories,
        raises_sectors=raises_sectors,
    )
    return alert


def alert_create_from_template(*, by, template: AlertTemplate, **fields) -> Alert:
    """A draft started from a template: its texts, level, TLP, kind and CAP values, each
    overridden by what is given; the audience is always chosen for the occasion. The alert
    records the template and its version."""
    _staff_actor(by)
    if not template.active:
        raise ValidationError(
            {"template": _("This template is no longer offered; choose another.")},
            code="template_inactive",
        )
    start = {name: getattr(template, name) for name in TEMPLATE_FIELDS}
    start = {name: value for name, value in start.items() if value not in ("", None)}
    given = {name: value for name, value in fields.items() if value not in ("", None)}
    return alert_create(by=by, template=template, **(start | given))


@transaction.atomic
def template_save(*, by, template: AlertTemplate | None = None, **fields) -> AlertTemplate:
    """Create a template or change one (NCTV staff); a change raises its version, so alerts
    keep saying which wording they started from."""
    _staff_actor(by)
    unknown = set(fields) - {*TEMPLATE_FIELDS, "name", "active"}
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if template is None:
        template = AlertTemplate(**fields)
    else:
        template = AlertTemplate.objects.select_for_update().get(pk=template.pk)
        changed = [name for name, value in fields.items() if getattr(template, name) != value]
        if not changed:
            return template
        for name in changed:
            setattr(template, name, fields[name])
        template.version += 1
    if template.tlp == TLP.RED:
        message = _("Alerts go to organisations; TLP:RED is shared with named users only.")
        raise ValidationError({"tlp": ValidationError(message, code="red_alert")})
    bad = [n for n in TEXT_FIELDS if XML_ILLEGAL.search(getattr(template, n, "") or "")]
    if bad:
        raise ValidationError(
            {n: _("This text contains an invisible control character.") for n in bad},
            code="control_character",
        )
    template.full_clean()
    template.save()
    return template


@transaction.atomic
def alert_approve(*, alert: Alert, by) -> Alert:
    """The second pair of eyes: another staff member than the author approves the draft."""
    actor = _staff_actor(by)
    alert = _locked(alert)
    policy.check_step(actor, alert, policy.Step.APPROVE)
    alert.status = Alert.Status.APPROVED
    alert.approver = by
    alert.approved_at = timezone.now()
    alert.save(update_fields=["status", "approver", "approved_at"])
    return alert


@transaction.atomic
def alert_update(*, alert: Alert, by, raises_sectors=None, **changes) -> Alert:
    """A new version of a published alert, as a draft referencing the one before; it goes
    through approval and publication again, and publishing it supersedes the previous one."""
    actor = _staff_actor(by)
    alert = _locked(alert)
    policy.check_step(actor, alert, policy.Step.UPDATE)
    if Alert.objects.filter(previous=alert).exists():
        raise policy.refusal("has_update")
    unknown = set(changes) - set(COPIED_FIELDS) - set(AUDIENCE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    changes_sectors = raises_sectors is not None and set(raises_sectors) != set(
        alert.raises_sectors.all()
    )
    if not policy.changed_fields(alert, changes) and not changes_sectors:
        raise policy.refusal("no_change")
    new = Alert(
        **{name: changes.get(name, getattr(alert, name)) for name in COPIED_FIELDS},
        version=alert.version + 1,
        previous=alert,
        owner_organisation=alert.owner_organisation,
        author=by,
    )
    if "atb_level" in changes and new.atb_level in LEVEL_DEFAULTS:
        # a new level brings its own CAP defaults and deadline, unless given with it
        derived = dict(
            zip(
                ("urgency", "severity", "certainty", "ack_deadline_minutes"),
                LEVEL_DEFAULTS[new.atb_level],
                strict=True,
            )
        )
        for name, value in derived.items():
            if not changes.get(name):
                setattr(new, name, value)
    if raises_sectors is None:
        raises_sectors = list(alert.raises_sectors.all())
    _check_alert(new, raises_sectors)
    new.save()
    _set_audience(
        new,
        raises_sectors=raises_sectors,
        **{name: changes.get(name, list(getattr(alert, name).all())) for name in AUDIENCE_FIELDS},
    )
    return new


# --- publication -------------------------------------------------------------------------------


def _refuse_empty_audience(alert: Alert) -> None:
    before = audience_size_before_entitlement(alert)
    if before == 0:
        raise ValidationError(
            _(
                "The audience resolves to nobody: choose sectors, regions, partnerships or "
                "organisations that have members."
            ),
            code="empty_audience",
        )
    raise ValidationError(
        _(
            "The audience resolves to nobody: none of the %(count)s organisations in it is a "
            "signatory of a covenant in force that allows %(level)s."
        )
        % {"count": before, "level": TLP(alert.tlp).label},
        code="audience_not_entitled",
    )


def _recipients_insert(alert: Alert) -> list[tuple[int, int | None]]:
    """The alert's recipient organisations, fixed: one ``INSERT … SELECT`` from the audience
    query (``audience_organisations``), no organisation read into Python to write them. Returns
    (organisation id, covenant id) of each, by organisation id."""
    audience = (
        audience_organisations(alert)
        .order_by()
        .values(
            organisation=F("pk"),
            covenant=Cast("entitling_covenant_id", output_field=BigIntegerField()),
        )
    )
    sql, params = audience.query.sql_with_params()
    with connection.cursor() as cursor:
        # The subquery is the ORM's own compilation of the audience; values are parameters.
        cursor.execute(
            f"INSERT INTO {AlertRecipient._meta.db_table}"  # noqa: S608  # nosec B608  # table from model metadata
            " (organisation_id, covenant_id, alert_id, created_at)"
            " SELECT a.organisation, a.covenant, %s, %s"
            # WHERE: SQLite reads "ON" after a bare FROM as the join's
            f" FROM ({sql}) a WHERE 1 = 1 ON CONFLICT DO NOTHING",
            [alert.pk, connection.ops.adapt_datetimefield_value(timezone.now()), *params],
        )
    return list(
        AlertRecipient.objects.filter(alert=alert)
        .order_by("organisation_id")
        .values_list("organisation_id", "covenant_id")
    )


def _share_with_recipients(alert: Alert, recipients: list[tuple[int, int | None]], by) -> None:
    """AMBER and above: each recipient organisation's grant under its covenant (CLEAR and GREEN
    reach the recipient organisations without one)."""
    if TLP.is_open(alert.tlp):
        return
    from partnerships.models import Covenant, Organisation

    organisations = Organisation.objects.in_bulk([org_id for org_id, _c in recipients])
    covenants = Covenant.objects.in_bulk([c for _o, c in recipients if c is not None])
    reason = f"Alert {alert.public_id} v{alert.version} published"
    for org_id, covenant_id in recipients:
        share_with_organisation(
            obj=alert,
            organisation=organisations[org_id],
            covenant=covenants.get(covenant_id),
            by=by,
            reason=reason,
        )


def _delivery_rows(alert: Alert, recipients, webhooks, now) -> list[Delivery]:
    rows = [
        Delivery(
            alert=alert,
            recipient_id=r.user_id,
            organisation_id=r.organisation_id,
            channel=channel,
            next_attempt_at=now,
        )
        for r in recipients
        for channel in sorted(r.channels)
    ]
    rows += [
        Delivery(
            alert=alert,
            webhook=w,
            organisation_id=w.organisation_id,
            channel=Channel.WEBHOOK,
            next_attempt_at=now,
        )
        for w in webhooks
    ]
    return rows


def _raise_sector_levels(alert: Alert, by) -> None:
    from threats.services import sector_level_set

    for sector in alert.raises_sectors.all():
        sector_level_set(
            sector=sector,
            level=alert.atb_level,
            rationale=_("Raised by alert: %(headline)s") % {"headline": alert.headline},
            by=by,
        )


@transaction.atomic
def alert_publish(*, alert: Alert, by) -> Alert:
    """Publish an approved alert. In one transaction: the new state, the raised sector levels,
    the recipients and their grants, and one delivery row per recipient and channel (the
    outbox). After commit, batch tasks send them; should the broker be down, the sweep does."""
    actor = _staff_actor(by)
    alert = _locked(alert)
    policy.check_step(actor, alert, policy.Step.PUBLISH)
    recipients = _recipients_insert(alert)  # a refusal below rolls them back
    if not recipients:
        _refuse_empty_audience(alert)
    if alert.tlp == TLP.AMBER_STRICT and len(recipients) > 1:
        raise ValidationError(
            _("TLP:AMBER+STRICT goes to one organisation; the audience has %(count)s.")
            % {"count": len(recipients)},
            code="strict_single",
        )
    org_ids = [org_id for org_id, _covenant in recipients]
    webhooks = list(
        webhooks_of(AlertRecipient.objects.filter(alert=alert).values("organisation_id"))
    )

    now = timezone.now()
    if alert.previous_id:
        Alert.objects.filter(pk=alert.previous_id, status=Alert.Status.PUBLISHED).update(
            status=Alert.Status.SUPERSEDED, ended_at=now
        )
    alert.status = Alert.Status.PUBLISHED
    alert.published_at = now
    alert.save(update_fields=["status", "published_at"])
    _raise_sector_levels(alert, by)
    _share_with_recipients(alert, recipients, by)
    users = insert_user_deliveries(
        alert_id=alert.pk,
        purpose=Delivery.Purpose.NOTICE,
        now=now,
        dispatched_until=now + dispatch_lease(),
    )
    if alert.previous_id:
        # whoever received the version before is told of the update on the same channels
        users += insert_follow_ups(
            source_alert_id=alert.previous_id,
            alert_id=alert.pk,
            purpose=Delivery.Purpose.NOTICE,
            now=now,
            dispatched_until=now + dispatch_lease(),
            recipients_of_alert=True,
        )
    if not users and not webhooks:  # raising rolls the whole publication back
        raise ValidationError(
            _("The audience resolves to nobody: its organisations have no active users."),
            code="no_users",
        )
    hooks = _delivery_rows(alert, [], webhooks, now)
    for row in hooks:
        row.dispatched_until = now + dispatch_lease()
    Delivery.objects.bulk_create(hooks, ignore_conflicts=True)
    # nobody to tell in some organisations: the duty officer hears of it now, with the reason
    escalate_unreachable(
        alert, unreachable_reasons(org_ids, hooked={w.organisation_id for w in webhooks})
    )
    transaction.on_commit(lambda: enqueue_pending(alert_id=alert.pk))
    return alert


def enqueue_pending(*, alert_id: int) -> int:
    """Hand the alert's waiting deliveries to workers in batches (they were inserted marked as
    handed over). Never raises for a broker that is away: the rows are unmarked, wait, and the
    sweep sends them."""
    ids = list(
        Delivery.objects.filter(alert_id=alert_id, status=Delivery.Status.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return enqueue_batches(ids, marked=True)


# --- the end of an alert -----------------------------------------------------------------------


# The ends recipients are told of (an expiry is not news: the alert said when it would end).
END_PURPOSES = {
    Alert.Status.CANCELLED: Delivery.Purpose.CANCEL,
    Alert.Status.ALL_CLEAR: Delivery.Purpose.ALL_CLEAR,
}


def _end(alert: Alert, step: policy.Step, actor=None) -> Alert:
    alert = _locked(alert)
    policy.check_step(actor, alert, step)
    status = policy.STEP_TO[step]
    alert.status = status
    alert.ended_at = timezone.now()
    alert.save(update_fields=["status", "ended_at"])
    Delivery.objects.filter(alert=alert, status__in=Delivery.PENDING).update(
        status=Delivery.Status.CANCELLED, last_error=f"alert {status} before sending"
    )
    purpose = END_PURPOSES.get(status)
    if purpose and alert.published_at is not None:
        # every recipient of the alert is told, once per channel it reached them on
        now = timezone.now()
        told = insert_follow_ups(
            source_alert_id=alert.pk,
            alert_id=alert.pk,
            purpose=purpose,
            now=now,
            dispatched_until=now + dispatch_lease(),
        )
        if told:
            transaction.on_commit(lambda: enqueue_pending(alert_id=alert.pk))
    return alert


@transaction.atomic
def alert_cancel(*, alert: Alert, by) -> Alert:
    """Withdraw a draft, an approved or a published alert; what was not yet sent is not sent."""
    return _end(alert, policy.Step.CANCEL, _staff_actor(by))


@transaction.atomic
def alert_all_clear(*, alert: Alert, by) -> Alert:
    return _end(alert, policy.Step.ALL_CLEAR, _staff_actor(by))


@transaction.atomic
def alert_expire(*, alert: Alert) -> Alert:
    return _end(alert, policy.Step.EXPIRE)


def alerts_expire_due(*, now: datetime | None = None) -> int:
    """Expire the published alerts whose expiry has passed (a periodic task)."""
    now = now or timezone.now()
    due = Alert.objects.filter(status=Alert.Status.PUBLISHED, expires_at__lte=now)
    count = 0
    for alert in due:
        try:
            alert_expire(alert=alert)
            count += 1
        except ValidationError:
            continue  # changed meanwhile
    return count


# --- acknowledgement ---------------------------------------------------------------------------


def _check_measures(measures) -> list[str]:
    measures = list(dict.fromkeys(measures or []))
    unknown = [m for m in measures if m not in Measure.values]
    if unknown:
        raise ValidationError(
            {"measures_taken": _("Unknown measures: %(codes)s") % {"codes": ", ".join(unknown)}},
            code="unknown_measure",
        )
    return measures


class AckResult(NamedTuple):
    """What ``alert_acknowledge`` answers: the organisation's acknowledgement, and whether
    this call made it (``False``: a colleague's, or this user's earlier one, is returned)."""

    acknowledgement: Acknowledgement
    created: bool


@transaction.atomic
def alert_acknowledge(
    *, alert: Alert | None = None, alert_public_id=None, by, note: str = "", measures_taken=()
) -> AckResult:
    """A user of a recipient organisation acknowledges the alert for their organisation.

    Not a recipient (or not visible, or no such alert): ``AlertNotFound``, as if the alert did
    not exist. May see but not write (a viewer, ``policy.may_acknowledge``): ``PermissionDenied``,
    also when the organisation has acknowledged already. Repeating it changes nothing: the answer
    is ``(acknowledgement, created)``. The alert is named by the face: the object it loaded
    (``alert``) or its public id (``alert_public_id``, the API); either way it is checked
    against the read door here, in the same query that finds the existing acknowledgement
    (``selectors.recipient_alert_with_ack``, compiled once per day). A fixed number of queries
    in one transaction (pinned in ``tests/alerts/api/test_acknowledge_queries.py``): that one,
    then the insert (``INSERT … ON CONFLICT DO NOTHING``: a colleague who acknowledged a moment
    ago wins, and this call answers with theirs), or the existing acknowledgement."""
    actor = actor_for(by)
    if alert is not None:
        found = recipient_alert_with_ack(actor, pk=alert.pk)
    else:
        found = recipient_alert_with_ack(actor, public_id=alert_public_id)
    if found is None:
        raise AlertNotFound()
    if not policy.may_acknowledge(actor):
        raise PermissionDenied(_("Your role does not allow acknowledging alerts."))
    if found.own_acknowledgement_id is not None:
        return AckResult(_acknowledgement(found.own_acknowledgement_id), False)
    refused = policy.acknowledge_refusal(found)
    if refused is not None:
        raise refused
    ack = Acknowledgement(
        alert=alert if alert is not None else found,
        organisation=actor.organisation,
        user=by,
        note=(note or "").strip(),
        measures_taken=_check_measures(measures_taken),
    )
    if _insert_unless_acknowledged(ack):
        return AckResult(ack, True)
    ack = Acknowledgement.objects.select_related("organisation", "user").get(
        alert_id=found.pk, organisation=actor.organisation
    )
    return AckResult(ack, False)


def _acknowledgement(pk: int) -> Acknowledgement:
    return Acknowledgement.objects.select_related("organisation", "user").get(pk=pk)


def _insert_unless_acknowledged(ack: Acknowledgement) -> bool:
    """``ack`` inserted unless its organisation has acknowledged the alert already (the unique
    key per alert and organisation decides): one ``INSERT … ON CONFLICT DO NOTHING RETURNING``,
    no savepoint. True when inserted (``ack`` then has its pk, as after ``save``)."""
    meta = Acknowledgement._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(ack, add=True), connection) for f in fields]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608  # nosec B608  # names from model metadata
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({quote('alert_id')}, {quote('organisation_id')}) DO NOTHING "
        f"RETURNING {quote(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    ack.pk = row[0]
    ack._state.adding = False
    ack._state.db = connection.alias
    return True


# --- answers back ------------------------------------------------------------------------------


@transaction.atomic
def alert_report_status(*, alert: Alert, by, status: str, note: str = "") -> StatusReport:
    """A user of a recipient organisation reports its situation (measures in place, need
    assistance, closed or evacuated, not affected) with an optional note; a later report
    replaces it while the alert is published. Not a recipient (or not visible):
    ``AlertNotFound``; may see but not write: ``PermissionDenied``. The face passes the alert it
    loaded; the service checks it against the read door again and reads its current status
    there (``selectors.recipient_alert_with_ack``, one query)."""
    actor = actor_for(by)
    found = recipient_alert_with_ack(actor, pk=alert.pk)
    if found is None:
        raise AlertNotFound()
    current = found.status
    if not policy.may_report_status(actor):
        raise PermissionDenied(_("Your role does not allow answering alerts."))
    if status not in StatusReport.Status.values:
        raise ValidationError(
            {"status": _("Unknown status: %(status)s") % {"status": str(status)[:40]}},
            code="unknown_status",
        )
    if current != Alert.Status.PUBLISHED:
        raise policy.refusal("not_open_report", status=Alert.Status(current).label)
    note = (note or "").strip()
    if XML_ILLEGAL.search(note):
        raise ValidationError({"note": _("This text contains an invisible control character.")})
    report, _created = StatusReport.objects.select_for_update().update_or_create(
        alert=alert,
        organisation=actor.organisation,
        defaults={"status": status, "note": note, "user": by, "at": timezone.now()},
    )
    return report
