"""Covenants, protocols and data-sharing agreements: signatories, tasks, information clause."""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerships.models.organisations import Organisation
from partnerships.models.partnerships import Partnership
from ppsportal.sensitivity import TLP


def covenant_document_path(instance: Covenant, filename: str) -> str:
    # Never the uploader's file name: it may carry anything.
    return f"covenants/{instance.public_id}/{uuid.uuid4().hex}.pdf"


def party_on_q(on: date) -> Q:
    """``CovenantSignatory.party_on`` as a condition on signatories."""
    return Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on)


class CovenantQuerySet(models.QuerySet):
    def in_force(self, on: date | None = None) -> CovenantQuerySet:
        """Active on a date: not terminated, within its dates, signed by every party of that
        date (``Covenant.status_on`` in Python)."""
        on = on or timezone.localdate()
        unsigned = CovenantSignatory.objects.filter(party_on_q(on), covenant=OuterRef("pk")).filter(
            Q(signed_on__isnull=True) | Q(signed_on__gt=on)
        )
        signed = CovenantSignatory.objects.filter(
            party_on_q(on), covenant=OuterRef("pk"), signed_on__lte=on
        )
        return (
            self.filter(
                Q(terminated_on__isnull=True) | Q(terminated_on__gt=on),
                effective_from__lte=on,
            )
            .filter(Q(effective_until__isnull=True) | Q(effective_until__gte=on))
            .filter(Exists(signed), ~Exists(unsigned))
        )


class Covenant(models.Model):
    class Kind(models.TextChoices):
        COVENANT = "covenant", _("Covenant")
        PROTOCOL = "protocol", _("Protocol")
        DATA_SHARING = "data_sharing", _("Data-sharing agreement")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="covenants",
        verbose_name=_("partnership"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COVENANT)
    title = models.CharField(_("title"), max_length=200)
    effective_from = models.DateField(_("effective from"))
    effective_until = models.DateField(_("effective until"), null=True, blank=True)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    information_clause = models.CharField(
        _("information clause"),
        max_length=20,
        choices=TLP.choices,
        default=TLP.GREEN,
        help_text=_("The highest TLP level that may be shared between the signatories under it."),
    )
    purpose = models.TextField(_("purpose of shared data"), blank=True)
    retention_days = models.PositiveIntegerField(
        _("retention period of shared data (days)"), null=True, blank=True
    )
    document = models.FileField(
        _("signed document"), upload_to=covenant_document_path, blank=True, max_length=300
    )
    document_uploaded_at = models.DateTimeField(_("document uploaded at"), null=True, blank=True)
    document_tlp = models.CharField(
        _("document TLP level"),
        max_length=20,
        choices=TLP.choices,
        default=TLP.GREEN,
        help_text=_(
            "Who may download the signed document: GREEN reaches the partnership's members; "
            "AMBER and above only organisations it is shared with."
        ),
    )
    document_owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("document owner"),
        help_text=_("The organisation that uploaded the signed document."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="successor",
        verbose_name=_("supersedes"),
        help_text=_(
            "The earlier version whose terms this one changes. Until every party has signed this "
            "version, the earlier one's terms stand."
        ),
    )

    objects = CovenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("covenant or protocol")
        verbose_name_plural = _("covenants and protocols")
        ordering = ["partnership__name", "-effective_from", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_until__isnull=True)
                | Q(effective_until__gte=models.F("effective_from")),
                name="covenant_ends_after_it_starts",
            ),
        ]
        indexes = [
            # reminders: covenants ending soon; sharing: covenants in force
            models.Index(fields=["effective_until"], name="covenant_until"),
        ]

    def __str__(self) -> str:
        return self.title

    def status_on(self, on: date | None = None, signatories=None) -> str:
        """Derived from dates and signatures as they stood on ``on``: a party that withdrew
        after it still counted then, with its signature or without (``CovenantSignatory.party_on``;
        ``in_force`` in SQL). ``signatories`` may be a prefetched list."""
        on = on or timezone.localdate()
        if self.terminated_on and self.terminated_on <= on:
            return self.Status.TERMINATED
        if self.effective_until and self.effective_until < on:
            return self.Status.EXPIRED
        rows = [
            s
            for s in (signatories if signatories is not None else self.signatories.all())
            if s.party_on(on)
        ]
        fully_signed = bool(rows) and all(s.signed_on and s.signed_on <= on for s in rows)
        if fully_signed and self.effective_from <= on:
            return self.Status.ACTIVE
        return self.Status.DRAFT

    @property
    def status(self) -> str:
        return self.status_on()


class CovenantSignatory(models.Model):
    covenant = models.ForeignKey(
        Covenant, on_delete=models.CASCADE, related_name="signatories", verbose_name=_("covenant")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="signatures",
        verbose_name=_("organisation"),
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("signed by"),
        help_text=_("The member of the organisation who signed for it."),
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True, editable=False)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)

    class Meta:
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        ordering = ["covenant", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["covenant", "organisation"], name="one_signature_per_org"
            ),
        ]
        indexes = [
            # sharing checks: "is this organisation a current signatory"
            models.Index(fields=["organisation", "covenant"], name="signatory_by_org"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.covenant}"

    def party_on(self, on: date) -> bool:
        """A party to the covenant on ``on``: not withdrawn by then (a withdrawal dated after it
        had not happened yet; ``party_on_q`` in SQL)."""
        return self.withdrawn_on is None or self.withdrawn_on > on


class CovenantTask(models.Model):
    """Tasks and responsibilities per party: who watches the cameras, who calls whom."""

    covenant = models.ForeignKey(
        Covenant, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("covenant")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="covenant_tasks",
        verbose_name=_("party"),
    )
    description = models.CharField(_("task or responsibility"), max_length=300)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["covenant", "position", "id"]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.description}"


class ReminderSent(models.Model):
    """One row per reminder threshold reached, so that each is sent once however often beat runs."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="reminders_sent"
    )
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    recipients = models.TextField(_("recipients"), blank=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")

    def __str__(self) -> str:
        return self.key
