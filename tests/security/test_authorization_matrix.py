"""The authorization matrix: every URL pattern of the portal (dashboard, API, admin, feeds, CAP,
files) and every OpenAPI operation, read and written by fourteen principals, over objects of every
shareable model at every TLP level, each answer compared with what ``expected`` says.

How it is built (docs/security.md, "The authorization matrix"):
- ``DOORS`` names each dashboard and API URL's audience (``public``, ``signed_in``, ``staff``);
  admin URLs are one door (NCTV staff with a verified second factor). A URL pattern or OpenAPI
  operation whose URL name is not in ``DOORS`` fails the suite: a door is classified here before
  it ships. Adding a door is one line in ``DOORS`` (and, if its path names an object of the
  world, one line in ``OBJECT_DOORS``).
- The principals (``PERSONAS``) and the objects (``tests/security/matrix_world.py``) are
  described by facts of the test data, and ``expected`` derives each outcome from those facts and
  the written rules of docs/permissions.md. It imports none of the portal's policy code, so a
  drift between the code and the rules shows as an unexpected allow or deny.
- Reads are GET; writes are POST to every dashboard pattern and every unsafe method of every
  OpenAPI operation, each in a transaction rolled back after it. Writes by whoever may make them
  must get past authorization (a 400 for an empty body counts); ``test_rightful_writes`` makes a
  few writes for real and checks they took effect.
The world is built once per module; the suite prints the number of cases it ran.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.test import Client

from interop.taxii import collection_id
from ppsportal import routes
from tests.security.conftest import COUNTS
from tests.security.matrix_world import OPEN, after_the_fact, build_world
from tests.signin import sign_in

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

# Doors whose path names an object of the world: URL name -> (model, read rule, write rule).
# The rules (``_rule_holds``): ``sees``: whoever the object's TLP level and shares entitle
# (``entitled``); ``peers``: a soft target's page, for its operator and the partnership's current
# members; ``operator``: the owning organisation's people (and staff); ``owner``: its people who
# may write (and staff); ``staff``: verified NCTV staff; ``recipient``: a partner entitled to it.
SEES, PEERS, OPERATOR, OWNER, STAFF_RULE, RECIPIENT = (
    "sees",
    "peers",
    "operator",
    "owner",
    "staff",
    "recipient",
)
OBJECT_DOORS: dict[str, tuple[str, str, str]] = {
    "soft-target-detail": ("soft_target", PEERS, OWNER),
    "api:soft-target-detail": ("soft_target", PEERS, OWNER),
    "soft-target-edit": ("soft_target", OWNER, OWNER),
    "preparedness-detail": ("soft_target", OPERATOR, OWNER),
    "api:contact-detail": ("contact", SEES, SEES),
    "report-detail": ("report", SEES, SEES),
    "report-reply": ("report", SEES, OWNER),
    "report-triage": ("report", SEES, SEES),
    "api:report-detail": ("report", SEES, SEES),
    "api:report-reply": ("report", SEES, OWNER),
    "api:report-triage": ("report", SEES, SEES),
    "assessment-detail": ("assessment", SEES, SEES),
    "api:threat-assessment-detail": ("assessment", SEES, STAFF_RULE),
    "api:threat-assessment-share": ("assessment", SEES, SEES),
    "alert-detail": ("alert", SEES, SEES),
    "alert-acknowledge": ("alert", SEES, RECIPIENT),
    "alert-board-detail": ("alert", SEES, SEES),
    "alert-board-detail-json": ("alert", SEES, SEES),
    "api:alert-detail": ("alert", SEES, SEES),
    "api:alert-cap": ("alert", SEES, SEES),
    "api:alert-acknowledge": ("alert", SEES, RECIPIENT),
}
# Bodies for writes whose view checks the form before the service checks authority: with a
# valid body the service decides (others are sent empty).
WRITE_BODIES = {
    "report-reply": {"body": "Matrix"},
    "api:report-reply": {"body": "Matrix"},
}

# Sample values for path arguments other than object ids.
ARGUMENTS = {
    "code": "football_stadium",
    "channel": "email",
    "measure": "cctv",
    "action": "approve",
    "object_id": "1",
    "content_type_id": "1",
    "collection": collection_id("amber"),  # TAXII: the AMBER collection (what the caller sees)
    "object_type": "contact_entry",  # a partner-shared kind (sharing pages and /api/v1/shares/)
}
# In the API an object named in the path is a UUID, never the admin's integer id.
API_ARGUMENTS = {name: value for name, value in ARGUMENTS.items() if name not in ("object_id",)}

# --- The principals -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Persona:
    """What the test data says of a principal, nothing the portal computes."""

    org: str | None = None  # the organisation it is a current, active member of
    role: str = ""  # its role there: admin, member, viewer, integrator
    face: str = ""  # how it authenticates: "session" (the dashboard's sign-in) or "token"
    staff: bool = False  # NCTV staff
    verified: bool = False  # ... who passed the second factor
    superuser: bool = False


PERSONAS: dict[str, Persona] = {
    "anonymous": Persona(),
    "admin_a": Persona("A", "admin", "session"),
    "member_a": Persona("A", "member", "session"),
    "viewer_a": Persona("A", "viewer", "session"),
    "integrator_a": Persona("A", "integrator", "token"),
    "operator_b": Persona("B", "admin", "session"),
    "public_partner": Persona("P", "admin", "session"),  # no partnership, covenant or share
    # Each holds a session and a token; each ended (expiry, deactivation, leaving A).
    "expired_token": Persona(),
    "deactivated": Persona(),
    "removed_from_a": Persona(),
    "covenant_expired": Persona("E", "admin", "session"),  # E's only covenant has ended
    "nctv_analyst": Persona("NCTV", "member", "session", staff=True, verified=True),
    "nctv_admin": Persona("NCTV", "member", "session", True, True, superuser=True),
    "staff_unverified": Persona("NCTV", "member", "session", staff=True),
}

WRITERS = {"admin", "member", "integrator"}  # docs/permissions.md: viewers only read
PARTNERSHIP = {"A", "B", "C"}  # the members of the partnership the world's objects sit in
# Who sees CLEAR and GREEN objects of each model besides the owner (docs/permissions.md).
OPEN_AUDIENCE = {
    "soft_target": "partnership",
    "contact": "partnership",
    "report": "owner",
    "assessment": "partners",
    "alert": "recipients",
}
# Who owns the world's objects other than A's own (matrix_world.MODELS says the same).
OWNERS = {"soft_target": "C", "contact": "C", "report": "C", "assessment": "NCTV", "alert": "NCTV"}

# Door-specific narrowing of the gate, beyond the audience in DOORS (docs/permissions.md).
MANAGERS_ONLY = {  # an organisation's admins only (NCTV staff manage nobody's members here)
    "member-list",
    "api:member-list",
    "api:member-invitation-list",
}
MANAGERS_OR_STAFF = {"access-log"}  # who read what of the organisation: its admins, and staff
MANAGERS_WRITE = {
    "api:organisation-default-detail"
}  # everyone reads; its admins (and staff) change
WRITERS_ONLY = {"report-create", "soft-target-create"}  # forms for those who may write
STAFF_WRITE = {  # every partner reads; only NCTV staff create
    "api:alert-list",
    "api:partnership-list",
    "api:sector-list",
    "api:threat-assessment-list",
}
SELF_SERVICE = {  # one's own settings and tokens: viewers too
    "api:preference-detail",
    "api:api-token-revoke",
    "alert-preferences",
}
# TAXII offers the AMBER collection while the caller sees an AMBER object: A and B are shared
# some; P was shared nothing and E's shares lapsed with its covenant.
AMBER_COLLECTION = {"taxii-collection", "taxii-objects"}
SEES_AMBER = {"A", "B"}
IN_A_PARTNERSHIP = {"A", "B", "C", "E"}  # organisations sitting in some partnership
PARTNERSHIP_WRITERS_ONLY = {"document-upload"}  # a partnership's writers upload its documents
# Doors that validate the body before the service checks the role (the service refuses a
# viewer's valid write; each app's tests prove it): a 400 to a viewer's empty body says nothing.
VALIDATES_FIRST = {
    "api:api-threat-level",
    "api:contact-list",
    "api:covenant-list",
    "api:exercise-list",
    "api:partnership-document-list",
    "api:procedure-list",
    "api:training-record-list",
    "api:webhook-list",
    "api:organisation-default-detail",
    "api:preference-detail",
    "api:alert-report-status",
    "api:share-list",  # which object is shared is in the body: the service asks after parsing it
}
# Admin pages for NCTV administrators (superusers) only: accounts, tokens, devices, SSO rules.
SUPERUSER_ONLY = ("admin:auth_", "admin:knox_", "admin:otp_", "admin:sso_")
SUPERUSER_ONLY_PAGES = {"admin:threats_levelmandate_add"}
# The doors a token opens besides the API's own (``api:`` and TAXII).
TOKEN_DOORS = {"api-schema"}
# Answers that say nothing about authorization: a method the door does not have (405), and a
# 400 where ``VALIDATES_FIRST`` says the body is checked before the role.
NEUTRAL = "not_allowed"
INVALID = "invalid"


def owner_of(thing) -> str:
    return "A" if thing.placement == "own_a" else OWNERS[thing.model]


def entitled(persona: str, thing) -> bool:
    """TLP 2.0 as docs/permissions.md states it, over the facts of the test data: staff see
    everything; the owner sees its own; CLEAR and GREEN reach the model's open audience; AMBER
    and AMBER+STRICT the organisation shared with, RED the users named, while the covenant the
    share rests on is in force and the user still a member."""
    p = PERSONAS[persona]
    if p.staff:
        return p.verified
    if p.org is None:
        return False
    if owner_of(thing) == p.org:
        return True
    if thing.level in OPEN:
        audience = OPEN_AUDIENCE[thing.model]
        return (
            audience == "partners"
            or (audience == "partnership" and p.org in PARTNERSHIP)
            or (audience == "recipients" and thing.placement == f"shared_{p.org.lower()}")
        )
    if thing.placement != f"shared_{p.org.lower()}" or p.org == "E":
        return False  # not shared with it, or E's covenant, which allowed the share, expired
    return persona in thing.named_users if thing.level == "red" else True


def _rule_holds(rule: str, persona: str, thing) -> bool:
    p = PERSONAS[persona]
    rules = {
        SEES: lambda: entitled(persona, thing),
        PEERS: lambda: p.staff or owner_of(thing) == p.org or p.org in PARTNERSHIP,
        OPERATOR: lambda: p.staff or owner_of(thing) == p.org,
        OWNER: lambda: p.staff or (owner_of(thing) == p.org and p.role in WRITERS),
        STAFF_RULE: lambda: p.staff and p.verified,
        RECIPIENT: lambda: not p.staff and entitled(persona, thing),
    }
    return rules[rule]()


def door_of(name: str) -> str | None:
    return DOORS.get(name) or (STAFF if name.startswith("admin:") else None)


def _api(name: str) -> bool:
    return name.startswith(("api:", "taxii"))


def _superuser_only(name: str) -> bool:
    return name.startswith(SUPERUSER_ONLY) or name in SUPERUSER_ONLY_PAGES


def gate(persona: str, name: str) -> bool:
    """May this principal pass the door at all (before any object)?"""
    p, door = PERSONAS[persona], door_of(name)
    if name.startswith("admin:"):
        return p.verified and (p.superuser or not _superuser_only(name))
    if p.staff and not p.verified:
        return False
    if name in MANAGERS_ONLY:
        return p.role == "admin" and p.org is not None
    if p.staff:
        return True
    if name in MANAGERS_OR_STAFF:
        return p.role == "admin" and p.org is not None
    if door == STAFF or p.org is None:
        return False
    if p.face == "token" and not (_api(name) or name in TOKEN_DOORS):
        return False  # a token opens the API only
    if name in PARTNERSHIP_WRITERS_ONLY:
        return p.org in IN_A_PARTNERSHIP and p.role in WRITERS
    if name in AMBER_COLLECTION:
        return p.org in SEES_AMBER
    return name not in WRITERS_ONLY or p.role in WRITERS


def may_write(persona: str, name: str) -> bool:
    """Past the gate, may this principal write here?"""
    p = PERSONAS[persona]
    if name in SELF_SERVICE:
        return True
    if name in MANAGERS_ONLY:
        return p.role == "admin"
    if name in MANAGERS_WRITE:
        return p.role == "admin" or p.staff
    if name in STAFF_WRITE or p.staff:
        return p.staff
    return p.role in WRITERS


def expected(persona: str, name: str, method: str = "GET", thing=None, nobodys=False) -> set:
    """The one statement of who may do what: the outcomes this principal may get."""
    if door_of(name) == PUBLIC:
        return {"allow", "deny", NEUTRAL, INVALID}  # open to all: only no server error is asked
    if name.startswith("admin:") and gate(persona, name):
        return {"allow", "deny", NEUTRAL, INVALID}  # past the admin's gate: its own tests
    if name.startswith("admin:") and nobodys and PERSONAS[persona].verified:
        # The admin sends verified staff asking for a missing object back to its index (a
        # redirect, not a gate) before any superuser check: the object does not exist.
        return {"allow", "deny", NEUTRAL}
    ok = gate(persona, name)
    if ok and thing is not None:
        _model, read, write = OBJECT_DOORS[name]
        ok = _rule_holds(read, persona, thing)
        if ok and method != "GET" and not _rule_holds(write, persona, thing):
            return {"deny", NEUTRAL}  # 403 where it may see but not change, else 404
    elif ok and nobodys:
        ok = False  # an id nobody owns: not found, after the gate
    if ok and method != "GET" and not may_write(persona, name):
        return {"deny", NEUTRAL} | ({INVALID} if name in VALIDATES_FIRST else set())
    if ok:
        return {"allow", NEUTRAL, INVALID}
    passed = gate(persona, name) and method != "GET" and name in VALIDATES_FIRST
    return {"deny", NEUTRAL} | ({INVALID} if passed else set())


# --- Enumerating the URL patterns and OpenAPI operations -----------------------------------------


def _patterns():
    """(route, name with its namespaces, pattern) of every URL pattern, the admin's included:
    the portal's one walk of its routes."""
    return routes.every_route()


def _fill(route: str, object_id: str | None = None) -> str:
    """A concrete path for a route (Django paths and DRF/admin regexes alike)."""

    def value(name: str) -> str:
        if name in ("public_id", "id", "pk"):
            return object_id or str(uuid.uuid4())
        return ARGUMENTS.get(name, "1")

    path = re.sub(r"\(\?P<(?!app_label)(\w+)>[^)]*\)", lambda m: value(m.group(1)), route)

    def converted(converter: str | None, name: str) -> str:
        if converter == "uuid" and name not in ("public_id", "id", "pk"):
            sample = ARGUMENTS.get(name, "")
            return sample if re.fullmatch(r"[0-9a-f-]{36}", sample) else str(uuid.uuid4())
        return value(name)

    path = re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: converted(m.group(1), m.group(2)), path)
    # The admin's app index: the first app label of its alternatives.
    path = re.sub(r"\(\?P<app_label>([^|)]*)[^)]*\)", r"\1", path)
    path = re.sub(r"\(\?P<app_label>\(?([a-z_]+)[^)]*\)+", r"\1", path)
    path = path.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
    return "/" + path


def _names_an_object(route: str) -> bool:
    return bool(re.search(r"<(?:\w+:)?(public_id|id|pk|object_id)>|\(\?P<(id|pk)>", route))


def openapi_operations() -> list[tuple[str, str, str]]:
    """(method, path, URL name) of every operation in the served OpenAPI schema."""
    from django.urls import resolve
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for path, item in schema["paths"].items():
        concrete = re.sub(
            r"\{(\w+)\}", lambda m: API_ARGUMENTS.get(m.group(1), str(uuid.uuid4())), path
        )
        name = resolve(concrete).view_name
        for method in item:
            if method in ("get", "post", "put", "patch", "delete"):
                operations.append((method.upper(), path, name))
    return operations


# Health checks answer 503 when a service (a worker, Redis) is missing: not a server error.
HEALTH = {"health", "healthz", "readyz"}
GATES = ("/accounts/login/", "/admin/login/", "/accounts/second-factor/")


def outcome(response, name: str = "") -> str:
    """``allow`` (an answer past authorization, a 400 included), ``deny`` (not found, forbidden,
    unauthenticated, or sent to a sign-in page or the second factor), or ``not_allowed``."""
    status = response.status_code
    assert status < 500 or (name in HEALTH and status == 503), f"server error {status}"
    if status == 405:
        return NEUTRAL
    if status == 400:
        return INVALID
    if status in (401, 403, 404):
        return "deny"
    if 300 <= status < 400 and any(g in response.get("Location", "") for g in GATES):
        return "deny"
    return "allow"


# --- The cases ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    thing: object = None
    nobodys: bool = False


# Doors read for every object of their model; the other object doors for a sample of levels
# (one open, one shared), and every write on an object for the AMBER+STRICT objects.
EVERY_OBJECT = {
    "soft-target-detail",
    "api:soft-target-detail",
    "api:contact-detail",
    "report-detail",
    "api:report-detail",
    "assessment-detail",
    "api:threat-assessment-detail",
    "alert-detail",
    "api:alert-detail",
}
SAMPLE_LEVELS = {"GET": ("green", "amber_strict"), "write": ("amber_strict",)}
# The admin's gate asks one fact: NCTV staff with a verified second factor. Every partner is the
# same to it, so one partner stands for all; writes are tried by those it must refuse.
ADMIN_PERSONAS = ("anonymous", "admin_a", "staff_unverified", "nctv_analyst", "nctv_admin")
ADMIN_WRITERS = ("anonymous", "admin_a", "staff_unverified")


def _targets(world, route: str, name: str, method: str):
    if name not in OBJECT_DOORS:
        return [(None, _fill(route))]
    things = world.of(OBJECT_DOORS[name][0])
    if method != "GET" or name not in EVERY_OBJECT:
        levels = SAMPLE_LEVELS["GET" if method == "GET" else "write"]
        things = [t for t in things if t.level in levels]
    return [(t, _fill(route, str(t.obj.public_id))) for t in things]


def cases(world, operations) -> list[Case]:
    """Every pattern read (GET) and written (POST; for the API every unsafe method of its
    OpenAPI operations), per object of its model where the path names one."""
    unsafe: dict[str, set[str]] = {}
    for method, _path, name in operations:
        if method != "GET":
            unsafe.setdefault(name, set()).add(method)
    found = []
    for route, name, _ in _patterns():
        if door_of(name) is None:
            continue  # reported by test_every_url_pattern_has_a_door
        methods = ["GET", *sorted(unsafe.get(name, ()) if _api(name) else {"POST"})]
        for method in methods:
            for thing, path in _targets(world, route, name, method):
                nobodys = _names_an_object(route) and thing is None
                found.append(Case(name, method, path, thing, nobodys))
    return found


def personas_for(case: Case) -> tuple[str, ...]:
    if not case.name.startswith("admin:"):
        return tuple(PERSONAS)
    return ADMIN_PERSONAS if case.method == "GET" else ADMIN_WRITERS


def clients_for(world) -> dict[str, Client]:
    """A client per principal, signed in as it would be; called before ``after_the_fact``, so
    the deactivated and the removed user hold a session and a token from before."""
    from knox.models import AuthToken

    users = world.users
    clients = {"anonymous": Client()}
    for persona, facts in PERSONAS.items():
        if facts.face == "session" and persona != "staff_unverified":
            clients[persona] = sign_in(Client(), users[persona])
    unverified = Client()
    unverified.post("/accounts/login/", {"username": "unverified", "password": _password()})
    clients["staff_unverified"] = unverified
    for persona in ("deactivated", "removed_from_a"):
        _instance, token = AuthToken.objects.create(user=users[persona])
        clients[persona] = sign_in(
            Client(headers={"authorization": f"Token {token}"}), users[persona]
        )
    return clients


def token_clients(world, clients) -> None:
    for persona in ("integrator_a", "expired_token"):
        clients[persona] = Client(headers={"authorization": f"Token {world.tokens[persona]}"})


def _password() -> str:
    from tests.factories import PASSWORD

    return PASSWORD


def send(client, case: Case):
    """One request; a write runs in a transaction rolled back after it, the client's cookies
    kept as they were (a sign-out or a new session must not change the next case)."""
    if case.method == "GET":
        return client.get(case.path, headers={"accept-language": "en"})
    cookies = SimpleCookie()
    cookies.load(client.cookies.output(header="", sep=";"))
    body = WRITE_BODIES.get(case.name, {})
    with transaction.atomic():
        response = client.generic(
            case.method,
            case.path,
            json.dumps(body) if _api(case.name) else urlencode(body),
            content_type="application/json"
            if _api(case.name)
            else "application/x-www-form-urlencoded",
            headers={"accept-language": "en"},
        )
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker):
    """The world and a client per principal, built once for the module and rolled back after."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        clients = clients_for(world)
        after_the_fact(world)
        token_clients(world, clients)
        yield world, clients, openapi_operations()
        transaction.set_rollback(True)


def walk(world, clients, operations):
    """Every case for every principal; returns (cases run, the unexpected answers)."""
    run, wrong = 0, []
    # MATRIX_PROGRESS=<file> writes each case and its answer there as it runs (for debugging).
    progress = os.environ.get("MATRIX_PROGRESS")
    log = open(progress, "w", buffering=1) if progress else None  # noqa: SIM115
    for case in cases(world, operations):
        for persona in personas_for(case):
            response = send(clients[persona], case)
            got = outcome(response, case.name)
            run += 1
            if log is not None:
                log.write(
                    f"{persona} {case.method} {case.path} {case.name} {response.status_code} "
                    f"{case.thing.key if case.thing else '-'}\n"
                )
            if got not in expected(persona, case.name, case.method, case.thing, case.nobodys):
                where = case.thing.key if case.thing else ""
                wrong.append(
                    f"{persona} {case.method} {case.path} ({case.name} {where}): "
                    f"{got} {response.status_code}"
                )
    if log is not None:
        log.close()
    return run, wrong


# --- The tests ------------------------------------------------------------------------------------


def test_every_url_pattern_has_a_door():
    missing = sorted(name or route for route, name, _ in _patterns() if door_of(name) is None)
    assert missing == [], f"URL patterns without a door in DOORS: {missing}"


def test_every_openapi_operation_has_a_door(matrix):
    _world, _clients, operations = matrix
    missing = sorted(f"{m} {path} ({name})" for m, path, name in operations if name not in DOORS)
    assert missing == [], f"OpenAPI operations without a door in DOORS: {missing}"
    assert len(operations) > 100


def test_every_object_door_is_a_door():
    assert set(OBJECT_DOORS) <= set(DOORS)


def test_the_matrix(matrix):
    world, clients, operations = matrix
    assert set(clients) == set(PERSONAS)
    run, wrong = walk(world, clients, operations)
    COUNTS["authorization matrix"] = f"{run} cases, {len(wrong)} unexpected"
    print(f"authorization matrix: {run} cases, {len(wrong)} unexpected")
    assert wrong == [], f"{len(wrong)} unexpected:\n" + "\n".join(wrong)
    assert run >= 5000


def _thing(world, model: str, level: str, placement: str):
    return next(t for t in world.of(model) if (t.level, t.placement) == (level, placement))


def test_rightful_writes(matrix):
    """Writes by their rightful principal take effect (each rolled back after): the sweep shows
    the others refused; this shows the door is not simply shut."""
    from alerts.models import Acknowledgement
    from threats.models import ReportReply

    world, clients, _operations = matrix
    report_a = _thing(world, "report", "amber", "own_a").obj
    report_c = _thing(world, "report", "amber_strict", "other").obj
    target_a = _thing(world, "soft_target", "amber", "own_a").obj
    alert_b = _thing(world, "alert", "amber", "shared_b").obj
    alert_a = _thing(world, "alert", "amber_strict", "shared_a").obj
    writes = [
        (
            "member_a",
            "POST",
            f"/api/v1/reports/{report_a.public_id}/reply/",
            {"body": "Aanvulling"},
            lambda: ReportReply.objects.filter(report=report_a, body="Aanvulling").exists(),
        ),
        (
            "nctv_analyst",
            "POST",
            f"/api/v1/reports/{report_c.public_id}/triage/",
            {"status": "in_review"},
            lambda: type(report_c).objects.get(pk=report_c.pk).status == "in_review",
        ),
        (
            "admin_a",
            "PATCH",
            f"/api/v1/soft-targets/{target_a.public_id}/",
            {"capacity": 6001},
            lambda: type(target_a).objects.get(pk=target_a.pk).capacity == 6001,
        ),
        (
            "operator_b",
            "POST",
            f"/api/v1/alerts/{alert_b.public_id}/acknowledge/",
            {"note": "Gezien"},
            lambda: Acknowledgement.objects.filter(alert=alert_b, note="Gezien").exists(),
        ),
        (
            "integrator_a",
            "POST",
            f"/api/v1/alerts/{alert_a.public_id}/acknowledge/",
            {"note": "Via koppeling"},
            lambda: Acknowledgement.objects.filter(alert=alert_a, note="Via koppeling").exists(),
        ),
    ]
    for persona, method, path, data, took_effect in writes:
        with transaction.atomic():
            response = clients[persona].generic(
                method, path, json.dumps(data), content_type="application/json"
            )
            assert response.status_code in (200, 201), (
                f"{persona} {method} {path}: {response.status_code} {response.content[:300]}"
            )
            assert took_effect(), f"{persona} {method} {path} changed nothing"
            transaction.set_rollback(True)


def test_the_matrix_walks_the_portals_own_routes():
    """The URL patterns come from ``ppsportal.routes`` (the walk the list query tests and the
    dashboard benchmark use), not from a walk of its own: a route one of them finds, the others
    find. Every pattern, the admin's included: 400 when this was written."""
    from pathlib import Path

    from ppsportal import routes

    here = Path(__file__).parent
    resolver_walk = "." + "url_patterns"  # spelt apart, so that this line is no walk itself
    walking = [p.name for p in sorted(here.glob("*.py")) if resolver_walk in p.read_text()]
    assert walking == []
    walked = [(route, name) for route, name, _ in _patterns()]
    assert walked == [(route, name) for route, name, _ in routes.every_route()]
    assert len(walked) >= 400 and any(name.startswith("admin:") for _r, name in walked)
