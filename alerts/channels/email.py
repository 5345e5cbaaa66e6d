"""Email: full text for CLEAR and GREEN; AMBER and above say "sign in to read" with a link."""

from __future__ import annotations

import smtplib

from django.core.mail import EmailMessage

from alerts.channels import messages
from alerts.channels.base import PermanentError, TransientError, Transport


class EmailTransport(Transport):
    channel = "email"

    def send(self, delivery) -> None:
        address = (delivery.recipient.email or "").strip()
        if not address:
            raise PermanentError("recipient has no email address")
        message = messages.for_delivery(delivery)
        mail = EmailMessage(
            subject=message.subject,
            body=message.body,
            to=[address],
            headers={"X-PPS-Delivery": str(delivery.public_id)},
        )
        try:
            mail.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as error:
            raise PermanentError(f"recipient refused: {error}") from error
        except (smtplib.SMTPException, OSError) as error:
            raise TransientError(f"{type(error).__name__}: {error}") from error
