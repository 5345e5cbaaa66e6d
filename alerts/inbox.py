"""The in-portal inbox: a user's in-app deliveries that were sent, and marking them read.

The delivery row itself is the inbox entry (``alerts.channels.in_app``). An entry stays in the
inbox only while the user may still see its alert: when a covenant ends, AMBER alerts leave it.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from alerts.models import Channel, Delivery
from alerts.selectors import alerts_visible_to
from partnerships.selectors import actor_for


class DeliveryNotFound(Http404):
    """Missing, someone else's, or of an alert no longer visible: answered alike (404)."""


def inbox_of(user) -> QuerySet:
    """The user's own sent in-app deliveries of alerts they may still see, newest first, with
    the alert (and its sender) selected: one query, however long the inbox."""
    if not user.is_authenticated:
        return Delivery.objects.none()
    visible = alerts_visible_to(actor_for(user)).values("pk")
    return (
        Delivery.objects.filter(
            recipient=user,
            channel=Channel.IN_APP,
            status=Delivery.Status.SENT,
            alert__in=visible,
        )
        .select_related("alert", "alert__owner_organisation")
        .order_by("-created_at", "-pk")
    )


def inbox_unread_count(user) -> int:
    return inbox_of(user).filter(read_at__isnull=True).count()


@transaction.atomic
def delivery_mark_read(*, delivery_public_id, by) -> Delivery:
    """Mark one of the user's inbox entries read; marking it again changes nothing (the first
    time stays). Anything not in the user's inbox: ``DeliveryNotFound``."""
    try:
        public_id = uuid.UUID(str(delivery_public_id))
    except ValueError:
        raise DeliveryNotFound() from None
    delivery = inbox_of(by).filter(public_id=public_id).first()
    if delivery is None:
        raise DeliveryNotFound()
    if delivery.read_at is None:
        now = timezone.now()
        Delivery.objects.filter(pk=delivery.pk, read_at__isnull=True).update(read_at=now)
        delivery.read_at = Delivery.objects.values_list("read_at", flat=True).get(pk=delivery.pk)
    return delivery
