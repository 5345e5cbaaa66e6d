"""Reminders: covenants expiring in 60, 30 and 7 days, and contact overdue.

Each threshold is sent once, however often the schedule runs: a ``ReminderSent`` row with a
unique key is written in the same transaction as the mail is handed to the mail backend, so a
second run finds the key and sends nothing; a failing mail server rolls the row back and the next
run tries again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from partnerships.models import (
    Covenant,
    PartnerRole,
    Partnership,
    PartnershipMember,
    ReminderSent,
    Role,
)

EXPIRY_THRESHOLDS_DAYS = (60, 30, 7)
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reminder:
    key: str
    partnership: Partnership
    subject: str
    body: str


def recipients_for(partnership: Partnership) -> list[str]:
    """The liaison and the coordinators: active users with an email address in a writing role
    (admin or member) of the partnership's coordinating organisations."""
    User = get_user_model()
    coordinator_orgs = PartnershipMember.objects.filter(
        partnership=partnership, role=PartnerRole.COORDINATOR, left_on__isnull=True
    ).values("organisation_id")
    emails = set(
        User.objects.filter(
            is_active=True,
            membership__organisation_id__in=coordinator_orgs,
            membership__role__in=[Role.ADMIN, Role.MEMBER],
        )
        .exclude(email="")
        .values_list("email", flat=True)
    )
    liaison = partnership.liaison
    if liaison is not None and liaison.is_active and liaison.email:
        emails.add(liaison.email)
    return sorted(emails)


def _link(partnership: Partnership) -> str:
    return settings.SITE_URL + reverse("partnership-detail", args=[partnership.public_id])


def _expiry_threshold(days_left: int) -> int | None:
    """The smallest threshold reached, so a late start sends one reminder, not three."""
    reached = [t for t in EXPIRY_THRESHOLDS_DAYS if days_left <= t]
    return min(reached) if reached else None


def due_reminders(today: date) -> list[Reminder]:
    reminders: list[Reminder] = []
    horizon = today + timedelta(days=max(EXPIRY_THRESHOLDS_DAYS))
    covenants = (
        Covenant.objects.in_force(today)
        .filter(effective_until__isnull=False, effective_until__lte=horizon)
        .exclude(partnership__status=Partnership.Status.ENDED)
        .select_related("partnership", "partnership__liaison")
    )
    for covenant in covenants:
        days_left = (covenant.effective_until - today).days
        threshold = _expiry_threshold(days_left)
        if threshold is None:
            continue
        params = {
            "title": covenant.title,
            "date": covenant.effective_until.isoformat(),
            "days": days_left,
            "partnership": covenant.partnership.name,
        }
        reminders.append(
            Reminder(
                key=f"covenant:{covenant.public_id}:{covenant.effective_until.isoformat()}:{threshold}",
                partnership=covenant.partnership,
                subject=_("Covenant '%(title)s' expires in %(days)s days") % params,
                body=_(
                    "The covenant '%(title)s' of %(partnership)s expires on %(date)s, in %(days)s "
                    "days. Renew it in time: sharing under it stops when it expires."
                )
                % params
                + "\n\n"
                + _link(covenant.partnership),
            )
        )
    partnerships = (
        Partnership.objects.filter(
            status__in=[Partnership.Status.ACTIVE, Partnership.Status.FORMING]
        )
        .annotate(last_contact_on=Max("contacts__occurred_on"))
        .select_related("liaison")
    )
    for partnership in partnerships:
        last = partnership.last_contact_on
        since = last or timezone.localtime(partnership.created_at).date()
        overdue_days = (today - since).days - partnership.contact_frequency_days
        if overdue_days <= 0:
            continue
        params = {
            "partnership": partnership.name,
            "frequency": partnership.contact_frequency_days,
            "last": last.isoformat() if last else _("never"),
        }
        reminders.append(
            Reminder(
                key=f"contact:{partnership.public_id}:{last.isoformat() if last else 'never'}",
                partnership=partnership,
                subject=_("Contact overdue in %(partnership)s") % params,
                body=_(
                    "%(partnership)s agreed to meet every %(frequency)s days; the last contact was "
                    "on %(last)s. Plan a meeting, call or exercise and log it."
                )
                % params
                + "\n\n"
                + _link(partnership),
            )
        )
    return reminders


def reminders_send(*, today: date | None = None) -> int:
    """Send every due reminder that has not been sent. Returns how many were sent.

    Each recipient gets their own message (no one sees the others' addresses). A reminder with
    no recipients yet is not recorded, so it goes out once a liaison or coordinator is there. A
    failing mail server rolls that reminder back for the next run and does not stop the others.
    """
    today = today or timezone.localdate()
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for reminder in due_reminders(today):
            if ReminderSent.objects.filter(key=reminder.key).exists():
                continue
            recipients = recipients_for(reminder.partnership)
            if not recipients:
                continue
            try:
                with transaction.atomic():
                    ReminderSent.objects.create(
                        key=reminder.key,
                        partnership=reminder.partnership,
                        recipients=", ".join(recipients),
                    )
                    messages = [
                        EmailMessage(reminder.subject, reminder.body, None, [address])
                        for address in recipients
                    ]
                    get_connection().send_messages(messages)
            except IntegrityError:
                continue  # another run sent it a moment ago
            except Exception:  # the mail server: try this one again next run, go on with the rest
                logger.exception("Reminder %s could not be sent; retrying next run", reminder.key)
                continue
            sent += 1
    return sent
