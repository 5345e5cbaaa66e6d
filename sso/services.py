"""Signing in through an OpenID Connect provider: one function, ``sso_user_for_claims``.

- A user is found by the signed ``iss`` and ``sub`` (``ExternalIdentity``), never by e-mail.
- An unknown subject becomes a new user only through an *approved* ``OrganisationRule`` whose
  claim the token carries: organisation and role come from the rule; staff status never does.
- NCTV staff keep their MFA rule: they sign in through the provider only when it vouches for a
  second factor (``amr`` or ``acr`` in ``SSO_STAFF_MFA_AMR`` / ``SSO_STAFF_MFA_ACR``); otherwise
  they use the portal's own sign-in.
Every outcome is written to the audit log.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify

from partnerships.services.organisations import user_create
from ppsportal.audit import audit_record
from sso.models import ExternalIdentity, OrganisationRule

User = get_user_model()


class SignInRefused(Exception):
    """The provider's answer does not let this person in; ``reason`` says why (for the log)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _values(claim) -> set[str]:
    if isinstance(claim, list | tuple):
        return {str(v) for v in claim}
    return {str(claim)} if claim not in (None, "") else set()


def rule_for_claims(issuer: str, claims: dict) -> OrganisationRule | None:
    """The approved rule whose claim and value the token carries (the first by id)."""
    rules = OrganisationRule.objects.filter(
        issuer=issuer, approved_at__isnull=False, approved_by__isnull=False
    ).select_related("organisation")
    for rule in rules.order_by("pk"):
        if rule.value in _values(claims.get(rule.claim)):
            return rule
    return None


def second_factor_vouched(claims: dict) -> bool:
    amr = _values(claims.get("amr")) & set(settings.SSO_STAFF_MFA_AMR)
    acr = _values(claims.get("acr")) & set(settings.SSO_STAFF_MFA_ACR)
    return bool(amr or acr)


def _username(claims: dict) -> str:
    base = slugify(claims.get("preferred_username") or "")[:120] or "sso"
    candidate = base
    while User.objects.filter(username=candidate).exists():
        candidate = f"{base}-{secrets.token_hex(3)}"
    return candidate


@transaction.atomic
def sso_user_for_claims(*, issuer: str, claims: dict, request=None):
    """The portal user for a verified token's claims, created by an approved rule if new."""
    subject = str(claims.get("sub") or "")
    if not issuer or not subject:
        _refuse("missing iss or sub", issuer, claims, request)
    identity = (
        ExternalIdentity.objects.select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    if identity is not None:
        user = identity.user
        if not user.is_active:
            _refuse("user deactivated", issuer, claims, request)
        if user.is_staff and not second_factor_vouched(claims):
            _refuse("staff without a second factor", issuer, claims, request)
        audit_record(
            action="sso.signed_in", actor=user, request=request, detail=_trace(issuer, claims)
        )
        return user
    rule = rule_for_claims(issuer, claims)
    if rule is None:
        _refuse("no approved organisation rule", issuer, claims, request)
    user = user_create(
        username=_username(claims),
        password=secrets.token_urlsafe(32),
        organisation=rule.organisation,
        role=rule.role,
        email=str(claims.get("email") or "") if claims.get("email_verified") else "",
        first_name=str(claims.get("given_name") or "")[:150],
        last_name=str(claims.get("family_name") or "")[:150],
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    ExternalIdentity.objects.create(issuer=issuer, subject=subject, user=user)
    audit_record(
        action="sso.user_created",
        actor=user,
        organisation=rule.organisation,
        request=request,
        detail={**_trace(issuer, claims), "rule": rule.pk, "role": rule.role},
    )
    return user


def _trace(issuer: str, claims: dict) -> dict:
    return {"issuer": issuer, "subject": str(claims.get("sub") or "")}


def _refuse(reason: str, issuer: str, claims: dict, request) -> None:
    """Stop here; the caller records ``sso.refused`` once this transaction is rolled back."""
    raise SignInRefused(reason)


def record_refusal(*, refusal: SignInRefused, issuer: str, claims: dict, request=None) -> None:
    audit_record(
        action="sso.refused",
        request=request,
        detail={**_trace(issuer, claims), "reason": refusal.reason},
    )
