"""The OpenID Connect backend (mozilla-django-oidc), with the portal's rule for who a token is.

The library does the code flow, checks the ID token's signature (the provider's JWKS) and nonce
and fetches userinfo; ``sso.services.sso_user_for_claims`` decides who that is. The issuer and
subject come from the signed ID token; userinfo must name the same subject.
"""

from __future__ import annotations

from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from sso import services


class PortalOIDCBackend(OIDCAuthenticationBackend):
    def verify_claims(self, claims):
        return bool(claims.get("sub"))

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if str(userinfo.get("sub")) != str(payload.get("sub")):
            raise SuspiciousOperation("userinfo names another subject than the ID token")
        claims = {**userinfo, **payload}  # the signed ID token wins
        issuer = str(payload.get("iss") or "")
        try:
            user = services.sso_user_for_claims(issuer=issuer, claims=claims, request=self.request)
        except services.SignInRefused as refusal:
            services.record_refusal(
                refusal=refusal, issuer=issuer, claims=claims, request=self.request
            )
            return None
        if user.is_staff:
            self.request.session["sso_second_factor"] = True
        return user
