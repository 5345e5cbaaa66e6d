"""A fake OpenID Connect provider inside the test process: it signs ID tokens (RS256) with its
own key, publishes its JWKS and answers the token and userinfo endpoints. The backend's HTTP
calls (``requests.get``/``requests.post`` in mozilla-django-oidc) are routed to it: no network.
"""

from __future__ import annotations

import json
import secrets
import time
from urllib.parse import parse_qs, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://idp.test"
CLIENT_ID = "pps-portal"
CLIENT_SECRET = "client-secret"
SETTINGS = {
    "SSO_ENABLED": True,
    "OIDC_RP_CLIENT_ID": CLIENT_ID,
    "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
    "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{ISSUER}/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": f"{ISSUER}/token",
    "OIDC_OP_USER_ENDPOINT": f"{ISSUER}/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": f"{ISSUER}/jwks",
    "OIDC_RP_SIGN_ALGO": "RS256",
}


class FakeResponse:
    def __init__(self, payload, status_code: int = 200, url: str = ""):
        self._payload = payload
        self.status_code = status_code
        self.url = url
        self.headers = {"content-type": "application/json"}
        self.text = json.dumps(payload)

    def json(self):
        return self._payload

    def raise_for_status(self):
        if self.status_code >= 400:
            raise RuntimeError(f"HTTP {self.status_code}")


class FakeProvider:
    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "test-key"
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.requests: list[str] = []

    def authorize(self, authorize_url: str, claims: dict) -> tuple[str, str]:
        """The user signs in at the provider: a code for the redirect, and the state."""
        query = parse_qs(urlparse(authorize_url).query)
        assert query["client_id"] == [CLIENT_ID]
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"claims": claims, "nonce": query["nonce"][0]}
        return code, query["state"][0]

    def _id_token(self, claims: dict, nonce: str) -> str:
        now = int(time.time())
        body = {"iss": ISSUER, "aud": CLIENT_ID, "iat": now, "exp": now + 300, "nonce": nonce}
        return jwt.encode(
            {**body, **claims}, self.key, algorithm="RS256", headers={"kid": self.kid}
        )

    def post(self, url, data=None, **kwargs):
        self.requests.append(url)
        assert url == SETTINGS["OIDC_OP_TOKEN_ENDPOINT"]
        grant = self.codes.pop(data["code"], None)
        if grant is None or data["client_secret"] != CLIENT_SECRET:
            return FakeResponse({"error": "invalid_grant"}, 400, url)
        access = secrets.token_urlsafe(16)
        self.tokens[access] = grant["claims"]
        return FakeResponse(
            {"access_token": access, "id_token": self._id_token(grant["claims"], grant["nonce"])}
        )

    def get(self, url, headers=None, **kwargs):
        self.requests.append(url)
        if url == SETTINGS["OIDC_OP_JWKS_ENDPOINT"]:
            jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
            return FakeResponse({"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]})
        assert url == SETTINGS["OIDC_OP_USER_ENDPOINT"]
        claims = self.tokens[headers["Authorization"].removeprefix("Bearer ")]
        return FakeResponse({k: v for k, v in claims.items() if k not in {"amr", "acr"}})
