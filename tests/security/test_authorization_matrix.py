"""The authorization matrix: every URL pattern of the portal (dashboard, API, admin, feeds, CAP,
files) is read by every persona, and each answer is the one its door expects.

Doors are data: ``DOORS`` names each dashboard and API URL's audience (``public``, ``signed_in``,
``staff``); admin URLs are one door (NCTV staff with a verified second factor). A URL pattern
that is in neither fails ``test_every_url_pattern_has_a_door``: a new page or endpoint is
classified here before it ships. Objects in paths are partner A's soft target where the pattern
names one (A's people and staff read it; partner B gets 404), otherwise an id nobody owns (404
for everyone, after the gate: anonymous callers and unverified staff are stopped first).

Reads (GET) only: writes are proven per face and persona in each app's tests.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.security.conftest import COUNTS
from tests.signin import authenticator_for, sign_in
from tests.threats.dashboard_world import build_register

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# --- The doors ------------------------------------------------------------------------------------

PUBLIC = "public"  # anyone, signed in or not
SIGNED_IN = "signed_in"  # partners and (verified) staff
STAFF = "staff"  # verified NCTV staff only

DOORS: dict[str, str] = {
    "login": PUBLIC,
    "admin:login": PUBLIC,
    "admin:logout": PUBLIC,
    "logout": PUBLIC,
    "health": PUBLIC,
    "healthz": PUBLIC,
    "readyz": PUBLIC,
    # Not for people: guarded by METRICS_TOKEN or METRICS_ALLOWED_IPS (its own tests prove it).
    "metrics": PUBLIC,
    "set_language": PUBLIC,
    "accessibility": PUBLIC,  # the accessibility statement
    "mfa-verify": PUBLIC,  # signed-in users, unverified staff included; others to sign-in
    "mfa-enrol": PUBLIC,
    "api:api-token": PUBLIC,
    "api:api-token-revoke": SIGNED_IN,
    "api:api-me": SIGNED_IN,
    "api:partnership-list": SIGNED_IN,
    "api:partnership-detail": SIGNED_IN,
    "api:covenant-list": SIGNED_IN,
    "api:covenant-detail": SIGNED_IN,
    "api:covenant-document": SIGNED_IN,
    "api:contact-list": SIGNED_IN,
    "api:contact-detail": SIGNED_IN,
    "api:action-list": SIGNED_IN,
    "api:action-detail": SIGNED_IN,
    "api:api-threat-level": SIGNED_IN,
    "api:sector-list": SIGNED_IN,
    "api:sector-detail": SIGNED_IN,
    "api:sector-level": STAFF,
    "api:threat-assessment-list": SIGNED_IN,
    "api:threat-assessment-detail": SIGNED_IN,
    "api:threat-assessment-revoke": STAFF,
    "api:threat-assessment-share": STAFF,
    "api:soft-target-list": SIGNED_IN,
    "api:soft-target-detail": SIGNED_IN,
    "api:report-list": SIGNED_IN,
    "api:report-detail": SIGNED_IN,
    "api:report-link-assessment": STAFF,
    "api:report-reply": SIGNED_IN,
    "api:report-triage": STAFF,
    "api:alert-list": SIGNED_IN,
    "api:public-alert-feed": PUBLIC,  # TLP:CLEAR alerts only
    "api:public-alert-cap": PUBLIC,
    "api:sms-receipt": PUBLIC,  # the SMS gateway; each receipt is signed (POST only)
    "api:alert-feed": SIGNED_IN,
    "api:alert-detail": SIGNED_IN,
    "api:alert-acknowledge": SIGNED_IN,
    "api:alert-all-clear": STAFF,
    "api:alert-approve": STAFF,
    "api:alert-audience-preview": STAFF,
    "api:alert-cancel": STAFF,
    "api:alert-cap": SIGNED_IN,
    "api:alert-update": STAFF,
    "api:alert-publish": STAFF,
    "api:inbox-list": SIGNED_IN,
    "api:inbox-read": SIGNED_IN,
    "api:preference-list": SIGNED_IN,
    "api:preference-detail": SIGNED_IN,
    "api:organisation-default-list": SIGNED_IN,
    "api:organisation-default-detail": SIGNED_IN,
    "api:webhook-list": SIGNED_IN,
    "api:webhook-detail": SIGNED_IN,
    "api:webhook-enable": SIGNED_IN,
    "api:webhook-rotate-secret": SIGNED_IN,
    "api-schema": SIGNED_IN,
    "api-docs": SIGNED_IN,
    "home": SIGNED_IN,
    "partnership-list": SIGNED_IN,
    "partnership-detail": SIGNED_IN,
    "contact-create": SIGNED_IN,
    "action-done": SIGNED_IN,
    "covenant-upload": SIGNED_IN,
    "covenant-document": SIGNED_IN,
    "access-log": SIGNED_IN,
    # Partners share too: their own objects, their own shares, what was shared with them.
    "contact-detail": SIGNED_IN,
    "shares-made": SIGNED_IN,
    "shares-received": SIGNED_IN,
    "object-share": SIGNED_IN,
    "object-share-revoke": SIGNED_IN,
    "api:share-list": SIGNED_IN,
    "api:share-received": SIGNED_IN,
    "api:share-detail": SIGNED_IN,
    "partnership-overview": STAFF,
    "soft-target-list": SIGNED_IN,
    "soft-target-map": SIGNED_IN,
    "soft-target-create": SIGNED_IN,
    "soft-target-detail": SIGNED_IN,
    "soft-target-edit": SIGNED_IN,
    "soft-target-evidence": SIGNED_IN,
    "assessment-list": SIGNED_IN,
    "assessment-detail": SIGNED_IN,
    "report-list": SIGNED_IN,
    "report-create": SIGNED_IN,
    "report-detail": SIGNED_IN,
    "report-reply": SIGNED_IN,
    "register-overview": STAFF,
    "national-map": STAFF,
    "report-queue": STAFF,
    "report-triage": STAFF,
    "alert-inbox": SIGNED_IN,
    "alert-inbox-json": SIGNED_IN,
    "alert-unread-json": SIGNED_IN,
    "alert-detail": SIGNED_IN,
    "alert-acknowledge": SIGNED_IN,
    "alert-preferences": SIGNED_IN,
    "alert-board": STAFF,
    "alert-board-json": STAFF,
    "alert-board-detail": STAFF,
    "alert-board-detail-json": STAFF,
    "alert-board-action": STAFF,
    "alert-report-status": SIGNED_IN,
    "api:alert-report-status": SIGNED_IN,
    # Covenant authority: each party signs, versions and terminates for itself.
    "api:covenant-sign": SIGNED_IN,
    "api:covenant-terminate": SIGNED_IN,
    "api:covenant-versions": SIGNED_IN,
    # Preparedness per soft target.
    "preparedness-overview": SIGNED_IN,
    "preparedness-detail": SIGNED_IN,
    "action-item-complete": SIGNED_IN,
    "procedure-create": SIGNED_IN,
    "procedure-edit": SIGNED_IN,
    "training-record-create": SIGNED_IN,
    "exercise-plan": SIGNED_IN,
    "exercise-held": SIGNED_IN,
    "action-item-create": SIGNED_IN,
    "action-item-edit": SIGNED_IN,
    # The document library: guidance for every partner, documents per partnership.
    "library": SIGNED_IN,
    "guidance-detail": SIGNED_IN,
    "guidance-download": SIGNED_IN,
    "guidance-read": SIGNED_IN,
    "document-upload": SIGNED_IN,
    "document-download": SIGNED_IN,
    "api:guidance-list": SIGNED_IN,
    "api:guidance-detail": SIGNED_IN,
    "api:guidance-download": SIGNED_IN,
    "api:guidance-read": SIGNED_IN,
    "api:partnership-document-list": SIGNED_IN,
    "api:partnership-document-detail": SIGNED_IN,
    "api:partnership-document-download": SIGNED_IN,
    "api:procedure-list": SIGNED_IN,
    "api:procedure-detail": SIGNED_IN,
    "api:course-list": SIGNED_IN,
    "api:course-detail": SIGNED_IN,
    "api:training-record-list": SIGNED_IN,
    "api:training-record-detail": SIGNED_IN,
    "api:exercise-list": SIGNED_IN,
    "api:exercise-detail": SIGNED_IN,
    "api:exercise-held": SIGNED_IN,
    "api:exercise-action-items": SIGNED_IN,
    "api:action-item-detail": SIGNED_IN,
    "api:action-item-complete": SIGNED_IN,
    "report-attachment": SIGNED_IN,
    "api:report-attachment": SIGNED_IN,
    # Organisations managing their own people; an invitation link is opened before signing in.
    "member-list": SIGNED_IN,
    "member-role": SIGNED_IN,
    "member-deactivate": SIGNED_IN,
    "invitation-accept": PUBLIC,
    # The caller's own organisation, its audit trail and access log; the allocation key.
    "api:organisation-list": SIGNED_IN,
    "api:organisation-detail": SIGNED_IN,
    "api:organisation-audit-trail": SIGNED_IN,
    "api:organisation-access-log": SIGNED_IN,
    "api:partnership-cost-shares": SIGNED_IN,
    "api:member-list": SIGNED_IN,
    "api:member-detail": SIGNED_IN,
    "api:member-deactivate": SIGNED_IN,
    "api:member-invitation-list": SIGNED_IN,
    # Threat intelligence: STIX for what the caller may see, import for staff; TAXII 2.1.
    "api:stix-bundle": SIGNED_IN,
    "api:stix-import": STAFF,
    "api:stix-draft-publish": STAFF,
    "taxii-discovery": SIGNED_IN,
    "taxii-api-root": SIGNED_IN,
    "taxii-collections": SIGNED_IN,
    "taxii-collection": SIGNED_IN,
    "taxii-objects": SIGNED_IN,
    "taxii-object": SIGNED_IN,
    # Single sign-on's round trip with the identity provider.
    "oidc_authentication_init": PUBLIC,
    "oidc_authentication_callback": PUBLIC,
}

# Patterns whose path names partner A's soft target. Every partner reads its peer view (the
# register is shared by design, docs/threats.md); only A's admin and NCTV staff change it.
SOFT_TARGET_A = {"soft-target-detail", "soft-target-edit", "api:soft-target-detail"}
SOFT_TARGET_A_OWNER_ONLY = {"soft-target-edit"}

# Sample values for path arguments other than object ids.
ARGUMENTS = {
    "code": "football_stadium",
    "channel": "email",
    "measure": "cctv",
    "action": "approve",
    "object_id": "1",
    "content_type_id": "1",
}

PERSONAS = ["anonymous", "viewer_a", "operator_a", "operator_b", "staff_unverified", "staff"]


# --- Enumerating the URL patterns ---------------------------------------------------------------


def _patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from _patterns(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace + (entry.name or ""), entry


def _fill(route: str, soft_target_a) -> str:
    """A concrete path for a route (Django paths and DRF/admin regexes alike)."""

    def value(name: str) -> str:
        if name in ("public_id", "id", "pk"):
            return str(soft_target_a.public_id) if soft_target_a is not None else str(uuid.uuid4())
        return ARGUMENTS.get(name, "1")

    path = re.sub(r"\(\?P<(?!app_label)(\w+)>[^)]*\)", lambda m: value(m.group(1)), route)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: value(m.group(1)), path)
    # The admin's app index: the first app label of its alternatives.
    path = re.sub(r"\(\?P<app_label>([^|)]*)[^)]*\)", r"\1", path)
    path = re.sub(r"\(\?P<app_label>\(?([a-z_]+)[^)]*\)+", r"\1", path)
    path = path.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
    return "/" + path


# Health checks answer 503 when a service (a worker, Redis) is missing: not a server error.
HEALTH = {"health", "healthz", "readyz"}


def _outcome(response, name: str = "") -> str:
    """``allow`` (an answer), or ``deny``: not found, forbidden, unauthenticated, not allowed,
    or sent to a sign-in page or the second factor."""
    status = response.status_code
    assert status < 500 or (name in HEALTH and status == 503), f"server error {status}"
    if status in (401, 403, 404, 405):
        return "deny"
    if 300 <= status < 400:
        location = response.get("Location", "")
        gates = ("/accounts/login/", "/admin/login/", "/accounts/second-factor/")
        if any(gate in location for gate in gates):
            return "deny"
    return "allow"


def _expected(persona: str, name: str, door: str, with_object: bool) -> set[str]:
    """The outcomes this persona may get at this door."""
    if door == PUBLIC:
        return {"allow", "deny"}  # open to all: only no server error is asked
    if name.startswith("admin:"):
        if persona == "staff":
            return {"allow", "deny"}  # past the gate; some pages are for superusers only
        return {"deny"}
    if persona in ("anonymous", "staff_unverified"):
        return {"deny"}
    if door == STAFF and persona != "staff":
        return {"deny"}
    if name in SOFT_TARGET_A_OWNER_ONLY:
        return {"allow"} if persona in ("operator_a", "staff") else {"deny"}
    if name in SOFT_TARGET_A:
        return {"allow"}
    if with_object:
        return {"deny"}  # an id nobody owns: 404 after the gate
    return {"allow", "deny"}  # a list or form: the gate let them in (405 for write-only doors)


# --- The tests ------------------------------------------------------------------------------------


def test_every_url_pattern_has_a_door():
    missing = sorted(
        name or route
        for route, name, _ in _patterns()
        if not name.startswith("admin:") and name not in DOORS
    )
    assert missing == [], f"URL patterns without a door in DOORS: {missing}"


def test_the_matrix(
    client, django_user_model, operator_a, viewer_a, operator_b, org_a, org_b, nctv_staff
):
    register = build_register(
        operator_a=operator_a, org_a=org_a, operator_b=operator_b, org_b=org_b
    )
    from django.test import Client

    clients = {"anonymous": Client()}
    for persona, user in (
        ("viewer_a", viewer_a),
        ("operator_a", operator_a),
        ("operator_b", operator_b),
        ("staff", nctv_staff),
    ):
        clients[persona] = sign_in(Client(), user)
    authenticator_for(nctv_staff)
    unverified = Client()
    unverified.post(
        "/accounts/login/", {"username": "nctv-staff", "password": "correct horse battery staple"}
    )
    clients["staff_unverified"] = unverified

    cases = 0
    wrong = []
    for route, name, _ in _patterns():
        door = DOORS.get(name) or (STAFF if name.startswith("admin:") else None)
        if door is None:
            continue  # reported by test_every_url_pattern_has_a_door
        with_object = bool(re.search(r"<(?:\w+:)?(public_id|id|pk)>|\(\?P<(id|pk)>", route))
        target = register.target_a if name in SOFT_TARGET_A else None
        path = _fill(route, target)
        for persona in PERSONAS:
            if name.startswith("admin:") and persona in ("staff", "viewer_a"):
                continue  # past the admin's gate any answer is right; one partner is enough
            response = clients[persona].get(path, HTTP_ACCEPT_LANGUAGE="en")
            outcome = _outcome(response, name)
            cases += 1
            if outcome not in _expected(persona, name, door, with_object):
                wrong.append(f"{persona} GET {path} ({name}): {outcome} {response.status_code}")
    COUNTS["authorization matrix"] = f"{cases} cases, {len(wrong)} unexpected"
    print(f"authorization matrix: {cases} cases")
    assert wrong == [], "\n".join(wrong)
    assert cases >= len(DOORS) * len(PERSONAS)
