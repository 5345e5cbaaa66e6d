"""API token authentication in one indexed query per request.

knox's own ``TokenAuthentication`` loads every token of the user on each request to delete the
expired ones (``_cleanup_token``); with many tokens per integrator that dominates an API call.
Here a request looks up live tokens by their indexed key prefix, the user and what its actor
reads (its membership and organisation, ``ppsportal.actors.user_related``) joined, and nothing
else:
an expired token is simply not found (401), and ``ppsportal.tasks.expire_api_tokens`` removes
expired tokens periodically.
"""

from __future__ import annotations

import binascii
from hmac import compare_digest

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from rest_framework import exceptions

from ppsportal import actors


def live_tokens(now=None):
    """Tokens that still work: no expiry, or an expiry in the future."""
    now = now or timezone.now()
    return get_token_model().objects.filter(Q(expiry__isnull=True) | Q(expiry__gt=now))


class PortalTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, token: bytes):
        message = _("Invalid token.")
        try:
            text = token.decode("utf-8")
            digest = hash_token(text)
        except (UnicodeDecodeError, TypeError, ValueError, binascii.Error) as exc:
            raise exceptions.AuthenticationFailed(message) from exc
        candidates = live_tokens().filter(token_key=text[: CONSTANTS.TOKEN_KEY_LENGTH])
        related = [f"user__{path}" for path in actors.user_related()]
        for auth_token in candidates.select_related("user", *related):
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(message)


class PortalTokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme of knox, for our subclass."""

    target_class = "ppsportal.api.authentication.PortalTokenAuthentication"


def expire_api_tokens(now=None) -> int:
    """Delete every expired token; returns how many went."""
    now = now or timezone.now()
    deleted, _by_model = get_token_model().objects.filter(expiry__lte=now).delete()
    return deleted
