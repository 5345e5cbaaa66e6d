"""Webhook subscriptions: an organisation's administrators manage where its alerts are POSTed.

The signing secret follows Standard Webhooks (``whsec_`` + base64 of 24 random bytes), as
``alerts.channels.webhook.sign`` reads it. It is shown once, when created or rotated.

A URL must be https and may not point into a private network: its host may not be, or resolve
to, a private, loopback, link-local, reserved or multicast address (no requests to the portal's
own infrastructure on a partner's behalf). The rule is ``alerts.egress``'s, the same in every
mode; only ``ALERTS_WEBHOOK_ALLOW_PRIVATE_TARGETS`` admits http and local hosts (tests, trying a
receiver on one's own machine). Sending checks the address again when it connects.
"""

from __future__ import annotations

import base64
import secrets
from typing import NoReturn

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.egress import TargetRefused, checked_addresses, target_of
from alerts.models import WebhookSubscription
from partnerships.selectors import Actor, actor_for

SECRET_PREFIX = "whsec_"  # noqa: S105 (the Standard Webhooks prefix, not a secret)
SECRET_BYTES = 24
URL_MAX_LENGTH = WebhookSubscription._meta.get_field("url").max_length


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


# --- the URL -----------------------------------------------------------------------------------


def _refuse(message: str, code: str) -> NoReturn:
    raise ValidationError({"url": ValidationError(message, code=code)})


def _check_host(host: str, port: int) -> None:
    """The host's addresses, now, by the one address rule (``alerts.egress``); sending checks
    them again on the address it connects to."""
    try:
        checked_addresses(host, port)
    except TargetRefused as refused:
        if refused.code == "unresolvable":
            _refuse(
                _("The host %(host)s could not be found; check the address.") % {"host": host},
                "unresolvable",
            )
        _refuse(
            _(
                "The address %(host)s lies in a private or reserved network; give an address "
                "reachable from the internet."
            )
            % {"host": host},
            "private_address",
        )


def validate_webhook_url(url: str) -> str:
    """The URL, stripped, if a webhook may be sent to it; ``ValidationError`` keyed ``url``
    saying why not otherwise. The same rules whatever ``DEBUG`` says: https to a public address,
    unless ``ALERTS_WEBHOOK_ALLOW_PRIVATE_TARGETS`` is on (tests, a receiver on one's own
    machine), which admits http and private addresses."""
    url = (url or "").strip()
    if not url:
        _refuse(_("Give the URL that should receive the alerts."), "required")
    if len(url) > URL_MAX_LENGTH:
        _refuse(
            _("The URL is too long: at most %(max)s characters.") % {"max": URL_MAX_LENGTH},
            "too_long",
        )
    try:
        URLValidator(schemes=["http", "https"])(url)
        target = target_of(url)
    except ValidationError:
        _refuse(_("This is not a valid URL."), "invalid")
    except TargetRefused as refused:
        if refused.code == "userinfo":
            _refuse(
                _("Put no user name or password in the URL; verify the signature instead."),
                "userinfo",
            )
        if refused.code == "not_https":
            _refuse(_("The URL must start with https://."), "not_https")
        _refuse(_("This is not a valid URL."), "invalid")
    _check_host(target.host, target.port)
    return url


# --- who manages them --------------------------------------------------------------------------


def _require_admin(by, organisation) -> None:
    actor = actor_for(by)
    own_admin = actor.is_organisation_admin and actor.organisation == organisation
    if not (own_admin or actor.is_nctv_staff):
        raise PermissionDenied(
            _("Only an administrator of the organisation may manage its webhooks.")
        )


def webhooks_visible_to(actor: Actor) -> QuerySet:
    """NCTV staff see every subscription; members of an organisation their organisation's."""
    qs = WebhookSubscription.objects.filter(deleted_at__isnull=True).select_related("organisation")
    if actor.is_nctv_staff:
        return qs
    if actor.organisation is None or not actor.user.is_active:
        return qs.none()
    return qs.filter(organisation=actor.organisation)


# --- services ----------------------------------------------------------------------------------


@transaction.atomic
def webhook_create(
    *, organisation, url: str, by, description: str = ""
) -> tuple[WebhookSubscription, str]:
    """A new subscription of the organisation, active, with a fresh secret: returned here once,
    never shown again. ``description`` is not stored yet (the model has no field for it)."""
    _require_admin(by, organisation)
    secret = new_secret()
    subscription = WebhookSubscription.objects.create(
        organisation=organisation, url=validate_webhook_url(url), secret=secret
    )
    return subscription, secret


@transaction.atomic
def webhook_update(*, subscription: WebhookSubscription, by, url: str) -> WebhookSubscription:
    """Point the subscription at another URL (checked as on creation)."""
    _require_admin(by, subscription.organisation)
    subscription.url = validate_webhook_url(url)
    subscription.save(update_fields=["url"])
    return subscription


@transaction.atomic
def webhook_delete(*, subscription: WebhookSubscription, by) -> None:
    """Remove the subscription: it receives nothing more, its secret is wiped, and it is gone
    from every list; the row stays for the record of its deliveries."""
    _require_admin(by, subscription.organisation)
    subscription.active = False
    subscription.secret = ""
    subscription.deleted_at = timezone.now()
    subscription.disabled_reason = f"deleted by {by.get_username()}"[:300]
    subscription.save(update_fields=["active", "secret", "deleted_at", "disabled_reason"])


@transaction.atomic
def webhook_rotate_secret(
    *, subscription: WebhookSubscription, by
) -> tuple[WebhookSubscription, str]:
    """A new secret at once; the old one stops signing. Returned here once."""
    _require_admin(by, subscription.organisation)
    secret = new_secret()
    subscription.secret = secret
    subscription.save(update_fields=["secret"])
    return subscription, secret


@transaction.atomic
def webhook_enable(*, subscription: WebhookSubscription, by) -> WebhookSubscription:
    """Switch a subscription on again (after it was disabled for refusing alerts), with a clean
    count of failures. The URL is checked again. Enabling an active one changes nothing."""
    _require_admin(by, subscription.organisation)
    if subscription.deleted_at is not None:
        raise ValidationError(
            _("This subscription was deleted; create a new one (it gets a new secret)."),
            code="deleted",
        )
    validate_webhook_url(subscription.url)
    subscription.active = True
    subscription.consecutive_failures = 0
    subscription.disabled_reason = ""
    subscription.save(update_fields=["active", "consecutive_failures", "disabled_reason"])
    return subscription


@transaction.atomic
def webhook_disable(
    *, subscription: WebhookSubscription, by, reason: str = ""
) -> WebhookSubscription:
    """NCTV staff switch a misbehaving receiver off, with the reason on record; waiting
    deliveries are cancelled when their turn comes (the send-time check). Disabling an inactive
    one changes nothing; ``webhook_enable`` switches it on again."""
    if not actor_for(by).is_nctv_staff:
        raise PermissionDenied(_("Only NCTV staff may do this."))
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    if not subscription.active:
        return subscription
    subscription.active = False
    # the reason is shown to the organisation's members: no staff member's name in it
    subscription.disabled_reason = (reason or _("Disabled by NCTV staff."))[:300]
    subscription.save(update_fields=["active", "disabled_reason"])
    return subscription
