"""Reads about alerts, shared by the faces, the services and the delivery engine.

``audience_organisations`` and ``audience_recipients`` resolve who an alert goes to;
``alerts_visible_to`` and the ``*_may_see`` checks answer who may read it (the sharing engine).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from alerts import policy
from alerts.area import area_of, area_touches
from alerts.fanout import organisations_reach
from alerts.models import (
    USER_CHANNELS,
    Acknowledgement,
    Alert,
    AlertRecipient,
    ChannelPreference,
    Delivery,
    OrganisationChannelDefault,
    Unreachable,
    WebhookSubscription,
)
from partnerships.models import Organisation, PartnershipMember
from partnerships.selectors import Actor, actor_for
from partnerships.sharing.footing import footing_covenants
from partnerships.sharing.registry import spec_for
from partnerships.sharing.selectors import (
    group_grants_valid,
    nctv_staff_q,
    visible_to,
    visible_to_rows_q,
)
from ppsportal.compiled import STAND_IN_ORGANISATION, STAND_IN_USER, compile_once, swap
from ppsportal.sensitivity import TLP
from threats.route import parse_route

# --- who the alert goes to ---------------------------------------------------------------------


def area_targets(alert: Alert) -> list[dict]:
    """The soft targets inside the alert's area (when it reaches the targets in its area: the
    polygon, the circle and the chosen municipalities and safety regions), of its target
    categories and capacity: one query with the bounding boxes of the area's parts as
    prefilter, then the exact test (point in polygon, great-circle distance). Each as a dict
    with ``id``, ``name``, ``operator_id``, ``latitude`` and ``longitude``."""
    from threats.models import SoftTarget

    area = area_of(alert) if alert.area_targets else None
    if not area:
        return []
    in_a_box = Q(pk__in=[])
    for south, west, north, east in area.boxes():
        in_a_box |= Q(
            latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east
        )
        # an event whose route's box overlaps the part's box
        in_a_box |= Q(
            route_north__gte=south,
            route_south__lte=north,
            route_east__gte=west,
            route_west__lte=east,
        )
    qs = SoftTarget.objects.filter(in_a_box)
    if alert.pk:
        categories = alert.target_categories.through.objects.filter(alert_id=alert.pk)
        qs = qs.filter(Q(category__in=categories.values("sector_id")) | ~Exists(categories))
    if alert.target_min_capacity:
        qs = qs.filter(capacity__gte=alert.target_min_capacity)
    rows = qs.order_by("name", "pk").values(
        "id", "name", "operator_id", "latitude", "longitude", "route"
    )
    return [row for row in rows if _in_area(area, row)]


def _in_area(area, row: dict) -> bool:
    """The target's point is in the area, or its route or perimeter meets it."""
    if area.contains(float(row["latitude"]), float(row["longitude"])):
        return True
    return bool(row["route"]) and area_touches(area, parse_route(row["route"]))


def _audience_q(alert: Alert) -> Q | None:
    """Organisations in the sectors and regions, members of the partnerships, the named ones,
    the operators of the soft targets in the area."""
    sector_codes = list(alert.sectors.values_list("code", flat=True))
    regions = [r for r in (alert.regions or []) if r]
    q = Q(pk__in=[])
    if sector_codes or regions:
        area = Q()
        if sector_codes:
            area &= Q(sector__in=sector_codes)
        if regions:
            area &= Q(region__in=regions)
        q |= area
    partnership_ids = list(alert.partnerships.values_list("pk", flat=True))
    if partnership_ids:
        q |= Q(
            pk__in=PartnershipMember.objects.filter(
                partnership_id__in=partnership_ids, left_on__isnull=True
            ).values("organisation_id")
        )
    q |= Q(
        pk__in=alert.organisations.through.objects.filter(alert_id=alert.pk).values(
            "organisation_id"
        )
    )
    if alert.area_targets:
        q |= Q(pk__in={row["operator_id"] for row in area_targets(alert)})
    return q


def entitling_covenants(alert: Alert, today: date) -> QuerySet:
    """The covenants that give the footing (``partnerships.sharing.footing``) for the alert's
    level between its sender and the organisation of the outer query (``OuterRef("pk")``)."""
    return footing_covenants(
        sharer=alert.owner_organisation_id, receiver=OuterRef("pk"), level=alert.tlp, today=today
    )


def audience_organisations(alert: Alert, *, today: date | None = None) -> QuerySet:
    """The organisations an alert reaches, in one query: the audience, minus the sender, and —
    for AMBER and above — only those entitled to the level under a covenant in force, each
    annotated with that covenant (``entitling_covenant_id``; ``None`` for CLEAR and GREEN)."""
    today = today or timezone.localdate()
    qs = Organisation.objects.filter(_audience_q(alert)).exclude(pk=alert.owner_organisation_id)
    if TLP.is_open(alert.tlp):
        return qs.annotate(entitling_covenant_id=Value(None, output_field=IntegerField()))
    covenants = entitling_covenants(alert, today)
    return qs.annotate(
        entitling_covenant_id=Subquery(covenants.order_by("pk").values("pk")[:1])
    ).filter(Exists(covenants))


def audience_size_before_entitlement(alert: Alert) -> int:
    return (
        Organisation.objects.filter(_audience_q(alert))
        .exclude(pk=alert.owner_organisation_id)
        .count()
    )


def audience_not_entitled(alert: Alert, reached_ids) -> list[tuple[int, str]]:
    """The organisations in the alert's audience that publication leaves out because none of
    ``reached_ids`` (``audience_organisations``) is theirs: no covenant in force, signed by them,
    allows the alert's level. (pk, name) by name; the same queries as the count above."""
    return list(
        Organisation.objects.filter(_audience_q(alert))
        .exclude(pk=alert.owner_organisation_id)
        .exclude(pk__in=list(reached_ids))
        .order_by("name", "pk")
        .values_list("pk", "name")
    )


@dataclass
class Recipient:
    user_id: int
    organisation_id: int
    channels: set[str] = field(default_factory=set)


def audience_recipients(organisation_ids: list[int]) -> list[Recipient]:
    """The active users of these organisations, each with the channels they receive on: their
    own preference, else their organisation's default, else in-app and email
    (``alerts.policy.effective_channel``). Three queries."""
    users = list(
        get_user_model()
        .objects.filter(is_active=True, membership__organisation_id__in=organisation_ids)
        .values_list("pk", "membership__organisation_id")
    )
    user_ids = [pk for pk, _org in users]
    prefs = {
        (p["user_id"], p["channel"]): p["enabled"]
        for p in ChannelPreference.objects.filter(user_id__in=user_ids).values(
            "user_id", "channel", "enabled"
        )
    }
    defaults = {
        (d["organisation_id"], d["channel"]): d["enabled"]
        for d in OrganisationChannelDefault.objects.filter(
            organisation_id__in=organisation_ids
        ).values("organisation_id", "channel", "enabled")
    }
    recipients = []
    for user_id, org_id in users:
        channels = set()
        for channel in USER_CHANNELS:
            enabled, _source = policy.effective_channel(
                channel,
                preference=prefs.get((user_id, channel)),
                organisation_default=defaults.get((org_id, channel)),
            )
            if enabled:
                channels.add(str(channel))
        recipients.append(Recipient(user_id=user_id, organisation_id=org_id, channels=channels))
    return recipients


def webhooks_of(organisation_ids: list[int]) -> QuerySet:
    return WebhookSubscription.objects.filter(organisation_id__in=organisation_ids, active=True)


def unreachable_reasons(
    organisation_ids: list[int],
    hooked: set[int] | None = None,
    *,
    recipients: list[Recipient] | None = None,
) -> dict[int, str]:
    """The organisations among these that nobody could tell of an alert, each with the reason
    (``Unreachable``): no active user and no webhook, or active users none of whom has a channel
    switched on and no webhook. Answered per organisation in the database by the fan-out's own
    channel rule (``alerts.fanout.organisations_reach``): one query whatever the number of users
    or organisations, and one more for the webhooks unless ``hooked`` (the organisations with
    an active webhook) is passed. A caller that has read the users already
    (``audience_recipients`` of these organisations, the same rule in Python,
    tests/alerts/test_publish_set_based.py) passes them as ``recipients``: their channels then
    answer, with no query, so what it counts and whom it names unreachable follow one rule."""
    if not organisation_ids:
        return {}
    if hooked is None:
        hooked = set(webhooks_of(organisation_ids).values_list("organisation_id", flat=True))
    left = [pk for pk in organisation_ids if pk not in hooked]
    if recipients is None:
        reach = organisations_reach(left)
    else:
        reach = {}
        for recipient in recipients:
            reached = reach.get(recipient.organisation_id, False)
            reach[recipient.organisation_id] = reached or bool(recipient.channels)
    return {
        pk: Unreachable.NO_ACTIVE_USER if pk not in reach else Unreachable.NO_CHANNEL
        for pk in left
        if not reach.get(pk)
    }


# --- who may read it ---------------------------------------------------------------------------


def alerts_visible_to(actor: Actor, *, today: date | None = None) -> QuerySet:
    """Alerts this actor may see: NCTV staff all; partners the published (and ended) alerts sent
    to their organisation, at AMBER and above only while the covenant grant counts."""
    qs = Alert.objects.all()
    if not actor.is_nctv_staff:
        # the statuses partners see, named (not "not a draft or approved"): run as a prepared
        # statement, ``status <> ALL($1, $2)`` is estimated at almost no rows, and PostgreSQL's
        # generic plan then ran the read door once per alert (docs/benchmarks.md, B6)
        qs = qs.filter(status__in=PARTNER_STATUSES)
    return visible_to(actor, qs, today=today)


# What partners may see of an alert's life: everything after its publication.
PARTNER_STATUSES = [
    status
    for status in Alert.Status.values
    if status not in (Alert.Status.DRAFT, Alert.Status.APPROVED)
]


def user_may_see(user, alert: Alert) -> bool:
    """Re-checked at send time: active, and the sharing engine says the alert is visible."""
    return user.is_active and alerts_visible_to(actor_for(user)).filter(pk=alert.pk).exists()


def organisation_may_see(organisation: Organisation, alert: Alert) -> bool:
    """What an organisation as a whole may see (webhooks): a recipient, and for AMBER and above a
    grant that still counts."""
    if not AlertRecipient.objects.filter(alert=alert, organisation=organisation).exists():
        return False
    if TLP.is_open(alert.tlp):
        return True
    grants = group_grants_valid(spec_for(Alert), timezone.localdate())
    return grants.filter(content_object=alert, organisation=organisation).exists()


# The set-based forms of the two checks above, for the delivery worker: a Q on ``Delivery`` rows
# that one query answers for a whole batch (``tests/alerts/test_delivery_batch.py`` proves each
# equal to its per-row form on the same data).

_RECIPIENT_ORGANISATION = "recipient__membership__organisation"


def recipients_may_see_q(*, today: date | None = None) -> Q:
    """``user_may_see(delivery.recipient, delivery.alert)`` for every row at once: the
    recipient is active and the sharing engine lets them see the alert (not a draft or an
    approved alert, unless NCTV staff)."""
    today = today or timezone.localdate()
    staff = nctv_staff_q(user="recipient", organisation=_RECIPIENT_ORGANISATION)
    visible = visible_to_rows_q(
        spec_for(Alert),
        obj="alert",
        user="recipient",
        organisation=_RECIPIENT_ORGANISATION,
        today=today,
    )
    published = ~Q(alert__status__in=[Alert.Status.DRAFT, Alert.Status.APPROVED])
    return Q(recipient__is_active=True) & visible & (staff | published)


def organisations_may_see_q(*, today: date | None = None) -> Q:
    """``organisation_may_see(delivery.organisation, delivery.alert)`` for every row at once: a
    recipient organisation, and for AMBER and above a group grant that still counts."""
    today = today or timezone.localdate()
    recipient = Exists(
        AlertRecipient.objects.filter(
            alert=OuterRef("alert"), organisation=OuterRef("organisation")
        )
    )
    granted = Exists(
        group_grants_valid(spec_for(Alert), today).filter(
            content_object=OuterRef("alert"), organisation=OuterRef("organisation")
        )
    )
    open_levels = [level for level in TLP.values if TLP.is_open(level)]
    return recipient & (Q(alert__tlp__in=open_levels) | granted)


def recipient_alert_get(actor: Actor, public_id) -> Alert:
    """The alert for an actor of a recipient organisation; missing and not-a-recipient alike
    raise ``Alert.DoesNotExist``."""
    return (
        alerts_visible_to(actor)
        .filter(
            public_id=public_id,
            recipients__organisation=actor.organisation,
        )
        .get()
    )


# The acknowledgement's one read: the alert through the read door (``recipient_alert_get``) with
# the organisation's acknowledgement of it, if any. Its SQL depends only on the day, the database
# and whether the alert is named by pk or public id, so it is compiled once per day with stand-in
# ids (``ppsportal.compiled``, as ``partnerships.sharing.selectors.visible_q`` is), the caller's
# ids bound instead, and on PostgreSQL planned once per connection.
_STAND_IN_ALERT = -7_000_000_021
_STAND_IN_PUBLIC_ID = uuid.UUID("7e57ab1e-0000-4000-8000-00000000c0de")


class _StandInPartner:
    """What the read door reads of an actor: a partner user, active, of an organisation."""

    organisation = SimpleNamespace(pk=STAND_IN_ORGANISATION)
    user = SimpleNamespace(pk=STAND_IN_USER, is_active=True)
    is_nctv_staff = False


def _recipient_alert_with_ack_sql(today: date, by_public_id: bool) -> tuple[str, list]:
    def build():
        own = Acknowledgement.objects.filter(
            alert=OuterRef("pk"), organisation_id=STAND_IN_ORGANISATION
        )
        named = {"public_id": _STAND_IN_PUBLIC_ID} if by_public_id else {"pk": _STAND_IN_ALERT}
        return (
            alerts_visible_to(_StandInPartner(), today=today)
            .filter(recipients__organisation_id=STAND_IN_ORGANISATION, **named)
            .annotate(own_acknowledgement_id=Subquery(own.values("pk")[:1]))
            .order_by()
        )

    return compile_once(
        ("alerts.recipient_alert_with_ack", by_public_id, today), build, prepare=True
    )


def recipient_alert_with_ack(
    actor: Actor, *, pk: int | None = None, public_id=None, today: date | None = None
) -> Alert | None:
    """The alert (by ``pk`` or ``public_id``) sent to the actor's organisation, if the actor may
    see it (``recipient_alert_get``'s answer, the same rule), with ``own_acknowledgement_id``: the
    organisation's acknowledgement of it, or ``None``. ``None`` when not visible, not a
    recipient, missing or a malformed id. One query, compiled once per day."""
    organisation = actor.organisation
    if organisation is None or actor.is_nctv_staff or not actor.user.is_active:
        return None
    public_id_field = Alert._meta.get_field("public_id")
    stand_ins = {STAND_IN_ORGANISATION: organisation.pk, STAND_IN_USER: actor.user.pk}
    if public_id is not None:
        try:
            public_id = public_id_field.to_python(public_id)
        except ValidationError:
            return None
        named = {
            public_id_field.get_db_prep_value(
                _STAND_IN_PUBLIC_ID, connection
            ): public_id_field.get_db_prep_value(public_id, connection)
        }
    else:
        stand_ins[_STAND_IN_ALERT] = pk
        named = {}
    sql, params = _recipient_alert_with_ack_sql(
        today or timezone.localdate(), by_public_id=public_id is not None
    )
    params = [named.get(p, p) if isinstance(p, uuid.UUID | str) else p for p in params]
    params = swap(params, stand_ins)
    # The SQL is the ORM's own compilation of the queryset above; only bound ids vary.
    found = list(Alert.objects.raw(sql, params))
    return found[0] if found else None


# --- the figures NCTV staff see per alert --------------------------------------------------------


def _count_per_alert(queryset) -> Coalesce:
    """A correlated count per alert (one subquery per figure, no join that multiplies rows)."""
    counted = (
        queryset.filter(alert=OuterRef("pk"))
        .order_by()
        .values("alert")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_counts(qs: QuerySet) -> QuerySet:
    """Annotate alerts with their recipients, their own messages (not escalation SMS, as on the
    board) by outcome, and their acknowledgements; for NCTV staff (API and admin)."""
    own = Delivery.objects.filter(purpose=Delivery.Purpose.NOTICE)
    return qs.annotate(
        recipients_count=_count_per_alert(AlertRecipient.objects.all()),
        delivered_count=_count_per_alert(own.filter(status=Delivery.Status.SENT)),
        pending_count=_count_per_alert(
            own.filter(status__in=[*Delivery.PENDING, Delivery.Status.IN_FLIGHT])
        ),
        failed_count=_count_per_alert(own.filter(status=Delivery.Status.FAILED)),
        acknowledged_count=_count_per_alert(Acknowledgement.objects.all()),
    )


# --- the public feed ----------------------------------------------------------------------------

PUBLIC_STATUSES = (
    Alert.Status.PUBLISHED,
    Alert.Status.CANCELLED,
    Alert.Status.ALL_CLEAR,
    Alert.Status.EXPIRED,
    Alert.Status.SUPERSEDED,
)


def public_alerts() -> QuerySet:
    """Alerts anyone may read, signed in or not: TLP:CLEAR (distribution not limited) and
    published (ended ones too, so their cancellation or all clear is told). Never a draft, an
    alert withdrawn before publication, or anything above CLEAR."""
    return Alert.objects.filter(
        tlp=TLP.CLEAR, status__in=PUBLIC_STATUSES, published_at__isnull=False
    )


# --- time to acknowledge for a partner ---------------------------------------------------------

OWN_TIMES_LIMIT = 10


def acknowledgement_times_of(actor: Actor, *, limit: int = OWN_TIMES_LIMIT) -> list[Alert]:
    """The last ``limit`` actual alerts published to the actor's organisation that the actor may
    see, newest first, each with ``acknowledged_at``: when that organisation (never another)
    acknowledged it, or None. Exercise and test alerts are left out, as in the NCTV's figures.
    One query."""
    if actor.organisation is None:
        return []
    own = Acknowledgement.objects.filter(alert=OuterRef("pk"), organisation=actor.organisation)
    return list(
        alerts_visible_to(actor)
        .filter(
            recipients__organisation=actor.organisation,
            kind=Alert.Kind.ACTUAL,
            published_at__isnull=False,
        )
        .annotate(acknowledged_at=Subquery(own.values("at")[:1]))
        .order_by("-published_at", "-id")[:limit]
    )


# --- what the start page leads with (alerts/home.py) ---------------------------------------------


def unacknowledged_for(actor: Actor) -> list[Alert]:
    """Published alerts sent to the actor's organisation that it has not acknowledged and the
    actor may see, the oldest deadline first; each with ``deadline`` and ``overdue``. One
    query."""
    if actor.organisation is None:
        return []
    acknowledged = Acknowledgement.objects.filter(
        alert=OuterRef("pk"), organisation=actor.organisation
    )
    alerts = list(
        alerts_visible_to(actor)
        .filter(status=Alert.Status.PUBLISHED, recipients__organisation=actor.organisation)
        .exclude(Exists(acknowledged))
        .order_by("published_at", "id")
    )
    now = timezone.now()
    for alert in alerts:
        alert.deadline = policy.ack_deadline(alert)
        alert.overdue = policy.is_overdue(alert, now)
    alerts.sort(key=lambda a: (a.deadline, a.pk))
    return alerts


def waiting_for_approval() -> list[Alert]:
    """For NCTV staff: drafts waiting for a second pair of eyes and approved alerts waiting to
    be published, oldest first. One query."""
    return list(
        Alert.objects.filter(status__in=[Alert.Status.DRAFT, Alert.Status.APPROVED])
        .select_related("author")
        .order_by("created_at", "id")
    )


def overdue_acknowledgements() -> list[Alert]:
    """For NCTV staff: published alerts past their deadline that some recipient organisation
    has not acknowledged, each with ``overdue_count`` and ``recipients_count``, longest overdue
    first. One query (the deadline is compared here: minutes per alert)."""
    now = timezone.now()
    alerts = Alert.objects.filter(status=Alert.Status.PUBLISHED).annotate(
        recipients_count=_count_per_alert(AlertRecipient.objects.all()),
        acknowledged_count=_count_per_alert(Acknowledgement.objects.all()),
    )
    overdue = []
    for alert in alerts.order_by("published_at", "id"):
        alert.overdue_count = alert.recipients_count - alert.acknowledged_count
        if alert.overdue_count > 0 and policy.is_overdue(alert, now):
            overdue.append(alert)
    return overdue
