"""Data subjects' rights (AVG): an export of one person's data, and anonymising a user who left.

The core knows the user and the audit log; each app adds what it holds about a person through
its own ``<app>.privacy`` module (``personal_data(user) -> dict`` and ``anonymise(user)``),
found by name in dependency order, as ``seed_demo`` finds the demo modules.

Only NCTV administrators (superusers) export or anonymise; both are audited.
"""

from __future__ import annotations

import secrets
from importlib import import_module

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ppsportal.audit import audit_record
from ppsportal.models import AuditEvent
from ppsportal.sessions import user_sign_out_everywhere

APPS = ["partnerships", "threats", "alerts"]
ANONYMOUS_PREFIX = "removed-"


def _app_modules():
    for app in APPS:
        try:
            yield import_module(f"{app}.privacy")
        except ModuleNotFoundError:
            continue


def _require_administrator(by) -> None:
    if by is not None and not (by.is_active and by.is_superuser):
        raise PermissionDenied(_("Only an NCTV administrator may do this."))


def _when(value):
    return value.isoformat() if value is not None else None


def _audit_entries_about(user) -> list[dict]:
    about = Q(actor_id=user.pk) | Q(detail__username=user.get_username())
    return [
        {
            "at": _when(event.at),
            "action": event.action,
            "object_type": event.object_type,
            "object_ids": event.object_ids,
            "ip_address": event.ip_address,
            "purpose": event.purpose,
        }
        for event in AuditEvent.objects.filter(about).order_by("at", "id")
    ]


def personal_data_of(user) -> dict:
    """Everything the portal holds about ``user``, as JSON-ready data."""
    data = {
        "generated_at": _when(timezone.now()),
        "user": {
            "username": user.get_username(),
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "is_active": user.is_active,
            "is_staff": user.is_staff,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
        },
    }
    for module in _app_modules():
        data.update(module.personal_data(user))
    data["audit_entries"] = _audit_entries_about(user)
    return data


def personal_data_export(*, user, by, request=None) -> dict:
    """The export for an access request (art. 15 AVG), audited. ``by=None``: the management
    command, run by whoever operates the servers."""
    _require_administrator(by)
    data = personal_data_of(user)
    audit_record(
        action="privacy.exported",
        actor=by,
        object_type="auth.user",
        object_ids=[user.get_username()],
        request=request,
    )
    return data


@transaction.atomic
def user_anonymise(*, user, by, request=None) -> str:
    """A user who left: their membership ends, their personal fields are cleared, they can
    never sign in again, their sessions and tokens end, and what the apps hold about them as a
    person (phone numbers) goes. Records they took part in stay, now pointing at a pseudonym;
    the audit log stays whole (append-only: its entries keep the user's id, which now leads to
    the pseudonym, and expire with the log). Returns the pseudonym."""
    _require_administrator(by)
    if by is not None and by.pk == user.pk:
        raise ValidationError(_("You cannot anonymise yourself."), code="self")
    if user.get_username().startswith(ANONYMOUS_PREFIX) and not user.has_usable_password():
        return user.get_username()  # done before: nothing changes
    for module in _app_modules():
        module.anonymise(user)
    pseudonym = f"{ANONYMOUS_PREFIX}{secrets.token_hex(6)}"
    user.username = pseudonym
    user.first_name = user.last_name = user.email = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.last_login = None
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    user_sign_out_everywhere(user=user)
    audit_record(
        action="privacy.anonymised",
        actor=by,
        object_type="auth.user",
        object_ids=[pseudonym],
        request=request,
    )
    return pseudonym


def user_by_username(username: str):
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise ValidationError(
            _("There is no user named %(username)s.") % {"username": username}
        ) from None
