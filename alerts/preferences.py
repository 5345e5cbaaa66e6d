"""Who wants which channel: a user's own choices and their organisation's defaults.

The effective choice per channel is one rule, ``alerts.policy.effective_channel`` (the user's
preference, else the organisation's default, else the built-in choice: in-app and email), which
``alerts.selectors.audience_recipients`` also asks at publication. Webhooks are per organisation
(``alerts.webhooks``), not a user's choice.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from alerts import policy
from alerts.models import (
    USER_CHANNELS,
    Channel,
    ChannelPreference,
    OrganisationChannelDefault,
    ReaderLanguage,
)
from partnerships.selectors import actor_for

# "+" and 8 to 15 digits (E.164 allows at most 15), after spaces and dashes are taken out.
PHONE_PATTERN = re.compile(r"\+\d{8,15}")


Source = policy.Source  # where an effective choice comes from


def _check_channel(channel: str) -> str:
    if channel not in USER_CHANNELS:
        raise ValidationError(
            {
                "channel": ValidationError(
                    _("Choose one of the channels: %(channels)s.")
                    % {"channels": ", ".join(str(c) for c in USER_CHANNELS)},
                    code="unknown_channel",
                )
            }
        )
    return str(channel)


def normalise_phone(value: str) -> str:
    """A phone number in international form: "+31 6-1234 5678" becomes "+31612345678".
    ``ValidationError`` (keyed ``address``) for anything else."""
    number = re.sub(r"[\s-]", "", value or "")
    if not PHONE_PATTERN.fullmatch(number):
        raise ValidationError(
            {
                "address": ValidationError(
                    _(
                        "Give the phone number in international form: a + followed by 8 to 15 "
                        "digits, for example +31612345678."
                    ),
                    code="phone_format",
                )
            }
        )
    return number


@transaction.atomic
def preference_set(*, user, channel: str, enabled: bool, address: str = "") -> ChannelPreference:
    """The user's own choice for a channel. For SMS the address is the phone number (kept even
    while SMS is off), required to switch SMS on; other channels take no address."""
    channel = _check_channel(channel)
    address = (address or "").strip()
    if channel == Channel.SMS:
        if address:
            address = normalise_phone(address)
        elif enabled:
            raise ValidationError(
                {
                    "address": ValidationError(
                        _("Give the phone number that should receive the SMS messages."),
                        code="phone_required",
                    )
                }
            )
    else:
        address = ""  # email goes to the account's address, in-app to the inbox
    preference, _created = ChannelPreference.objects.update_or_create(
        user=user, channel=channel, defaults={"enabled": bool(enabled), "address": address}
    )
    return preference


@transaction.atomic
def organisation_default_set(
    *, organisation, channel: str, enabled: bool | None, by
) -> OrganisationChannelDefault | None:
    """The organisation's default for members without a preference of their own: set by an
    administrator of that organisation, or by NCTV staff. ``enabled=None`` changes nothing (a
    PATCH without the field), but only for those who may change it."""
    actor = actor_for(by)
    own_admin = actor.is_organisation_admin and actor.organisation == organisation
    if not (own_admin or actor.is_nctv_staff):
        raise PermissionDenied(
            _("Only an administrator of the organisation may set its channel defaults.")
        )
    channel = _check_channel(channel)
    if enabled is None:
        return OrganisationChannelDefault.objects.filter(
            organisation=organisation, channel=channel
        ).first()
    default, _created = OrganisationChannelDefault.objects.update_or_create(
        organisation=organisation, channel=channel, defaults={"enabled": bool(enabled)}
    )
    return default


# --- reads -------------------------------------------------------------------------------------


def preferences_of(user) -> list[dict]:
    """Per user channel: ``channel``, ``label``, the effective ``enabled``, its ``source``
    (``user``, ``organisation`` or ``default``) and the ``address`` (the phone number for SMS).
    Two queries (three when the user's organisation is not yet known)."""
    organisation = actor_for(user).organisation
    own = {p.channel: p for p in ChannelPreference.objects.filter(user=user)}
    defaults = {}
    if organisation is not None:
        defaults = dict(
            OrganisationChannelDefault.objects.filter(organisation=organisation).values_list(
                "channel", "enabled"
            )
        )
    rows = []
    for channel in USER_CHANNELS:
        preference = own.get(channel)
        enabled, source = policy.effective_channel(
            channel,
            preference=preference.enabled if preference is not None else None,
            organisation_default=defaults.get(channel),
        )
        rows.append(
            {
                "channel": str(channel),
                "label": str(Channel(channel).label),
                "enabled": enabled,
                "source": source,
                "address": preference.address if preference is not None else "",
            }
        )
    return rows


def organisation_defaults_of(organisation) -> list[dict]:
    """Per user channel: ``channel``, ``label``, ``enabled`` for members without a preference
    of their own, and its ``source`` (``organisation`` or ``default``). One query."""
    defaults = dict(
        OrganisationChannelDefault.objects.filter(organisation=organisation).values_list(
            "channel", "enabled"
        )
    )
    rows = []
    for channel in USER_CHANNELS:
        enabled, source = policy.effective_channel(
            channel, preference=None, organisation_default=defaults.get(channel)
        )
        rows.append(
            {
                "channel": str(channel),
                "label": str(Channel(channel).label),
                "enabled": enabled,
                "source": source,
            }
        )
    return rows


def reader_language_of(user) -> str:
    from alerts.channels.messages import reader_language

    return reader_language(user)


@transaction.atomic
def reader_language_set(*, user, language: str) -> str:
    """The language ``user`` reads alerts in (their own choice only)."""
    if language not in ReaderLanguage.Language.values:
        raise ValidationError({"language": _("Choose Dutch or English.")}, code="unknown_language")
    ReaderLanguage.objects.update_or_create(user=user, defaults={"language": language})
    return language


@transaction.atomic
def preferences_save(*, user, changes: list[dict], language: str | None = None) -> None:
    """A user's channels (each as ``preference_set`` takes it) and reading language, all or
    none: the first refusal rolls back what was saved before it."""
    for change in changes:
        preference_set(user=user, **change)
    if language:
        reader_language_set(user=user, language=language)


@transaction.atomic
def organisation_defaults_save(*, organisation, by, changes: list[dict]) -> None:
    """An organisation's default channels, all or none."""
    for change in changes:
        organisation_default_set(organisation=organisation, by=by, **change)
