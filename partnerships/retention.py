"""Retention of the partnerships app's personal data (docs/privacy.md): the contact log and
signed covenant documents. Called by nightly tasks; each removal is audited by
``ppsportal.retention.record_expiry`` without the removed content."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from partnerships.models import ContactEntry, Covenant
from partnerships.services.covenants import hold_covenants
from ppsportal.retention import cutoff, record_expiry


@transaction.atomic
def contact_log_expire(*, now: datetime | None = None) -> int:
    """Contact-log entries (with their follow-up actions and shares) that took place more than
    ``RETENTION_CONTACT_LOG_DAYS`` ago."""
    days = settings.RETENTION_CONTACT_LOG_DAYS
    before = cutoff(days, now=now)
    old = ContactEntry.objects.filter(occurred_on__lt=timezone.localdate(before))
    ids = list(old.values_list("public_id", flat=True))
    if ids:
        ContactEntry.objects.filter(public_id__in=ids).delete()
        record_expiry(
            data_class=ContactEntry._meta.label_lower, before=before, days=days, public_ids=ids
        )
    return len(ids)


@transaction.atomic
def covenant_documents_expire(*, now: datetime | None = None) -> int:
    """Signed documents of covenants that ended (terminated or past their end date) more than
    ``RETENTION_DOCUMENTS_DAYS`` ago: the file is deleted; the covenant itself stays."""
    days = settings.RETENTION_DOCUMENTS_DAYS
    before = cutoff(days, now=now)
    day = timezone.localdate(before)
    ended = Covenant.objects.exclude(document="").filter(
        Q(terminated_on__lt=day) | Q(effective_until__lt=day)
    )
    # in the entitlement gate's order: every signature of these covenants, then the covenants,
    # each by id (a covenant locked in the order a scan finds it could be held while a gate
    # holding another one waits for it, and the other way round)
    held = hold_covenants(ended.values_list("pk", flat=True))
    removed = []
    for covenant in ended.filter(pk__in=held).order_by("pk"):
        name = covenant.document.name
        covenant.document = ""
        covenant.document_uploaded_at = None
        covenant.save(update_fields=["document", "document_uploaded_at"])
        transaction.on_commit(lambda name=name: Covenant.document.field.storage.delete(name))
        removed.append(covenant.public_id)
    if removed:
        record_expiry(
            data_class="partnerships.covenant.document",
            before=before,
            days=days,
            public_ids=removed,
        )
    return len(removed)
