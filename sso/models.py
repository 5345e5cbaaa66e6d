"""Single sign-on: who an identity provider's subject is here, and which organisation a claim
maps to (only by a rule NCTV staff approved; never by an e-mail domain alone)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partnerships.models import Organisation, Role


class OrganisationRule(models.Model):
    """``claim == value`` in a token of ``issuer`` places a new user in ``organisation`` with
    ``role``. Applies only once approved."""

    issuer = models.CharField(_("issuer"), max_length=300)
    claim = models.CharField(
        _("claim"), max_length=100, help_text=_("A claim the provider vouches for, e.g. org_id.")
    )
    value = models.CharField(_("value"), max_length=300)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("single sign-on organisation rule")
        verbose_name_plural = _("single sign-on organisation rules")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "claim", "value"], name="one_sso_rule"),
            models.CheckConstraint(
                condition=~Q(claim__in=["email", "email_verified"]),
                name="sso_rule_not_by_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim}={self.value} → {self.organisation}"


class ExternalIdentity(models.Model):
    """The provider's subject (``iss`` + ``sub``, both signed) belongs to this user."""

    issuer = models.CharField(_("issuer"), max_length=300)
    subject = models.CharField(_("subject"), max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="external_identities",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="one_external_identity"),
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject} → {self.user}"
