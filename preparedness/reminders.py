"""Training reminders: a record whose validity ends within TRAINING_REMINDER_DAYS is mailed once
to the administrators of the soft target's operator, however often the schedule runs.

The record remembers the validity end it was reminded for (``reminder_sent_for``), set in the
same transaction as the mail is handed to the mail backend: a second run finds it set and sends
nothing, a failing mail server rolls it back and the next run tries again. A renewed record (a
new ``valid_until``) is reminded again for its new period.
"""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from partnerships.models import Role
from preparedness.models import TrainingRecord
from preparedness.selectors import training_expiring

logger = logging.getLogger(__name__)


def training_reminder_recipients(record: TrainingRecord) -> list[str]:
    """The administrators of the soft target's operator: active, with an email address."""
    User = get_user_model()
    return sorted(
        set(
            User.objects.filter(
                is_active=True,
                membership__organisation_id=record.soft_target.operator_id,
                membership__role=Role.ADMIN,
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def _message(record: TrainingRecord, today: date) -> tuple[str, str]:
    params = {
        "course": record.course.name,
        "role": record.role,
        "target": record.soft_target.name,
        "date": record.valid_until.isoformat(),
        "days": (record.valid_until - today).days,
    }
    subject = _("Training '%(course)s' at %(target)s expires in %(days)s days") % params
    body = (
        _(
            "The training '%(course)s' of %(role)s at %(target)s is valid until %(date)s, "
            "%(days)s days from now. Plan a refresher and record it in the portal."
        )
        % params
        + "\n\n"
        + settings.SITE_URL
        + reverse("preparedness-detail", args=[record.soft_target.public_id])
    )
    return subject, body


def training_reminders_send(*, today: date | None = None) -> int:
    """Send the reminder of every expiring record not yet reminded for its validity end.
    Returns how many records were reminded.

    Each recipient gets their own message. A record with no recipients is not marked, so it
    goes out once its operator has an administrator. In Dutch, the portal's language (users
    have no language of their own, as with the partnership reminders)."""
    today = today or timezone.localdate()
    sent = 0
    due = training_expiring(today=today).exclude(reminder_sent_for=F("valid_until"))
    with translation.override(settings.LANGUAGE_CODE):
        for record in due:
            recipients = training_reminder_recipients(record)
            if not recipients:
                continue
            subject, body = _message(record, today)
            try:
                with transaction.atomic():
                    claimed = (
                        TrainingRecord.objects.filter(pk=record.pk, valid_until=record.valid_until)
                        .exclude(reminder_sent_for=record.valid_until)
                        .update(reminder_sent_for=record.valid_until)
                    )
                    if not claimed:
                        continue  # another run sent it a moment ago
                    get_connection().send_messages(
                        [EmailMessage(subject, body, None, [address]) for address in recipients]
                    )
            except Exception:  # the mail server: try again next run, go on with the rest
                logger.exception("Training reminder %s could not be sent", record.public_id)
                continue
            sent += 1
    return sent
