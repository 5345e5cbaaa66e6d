"""The world of the authorization matrix and the canary test, built once per module through the
services.

Organisations: partner A (a stadium), partner B (event grounds) and partner C (a venue), members
of one partnership whose covenant allows up to RED and which the NCTV signed too; a public partner
P (a municipality) in no partnership, under no covenant and shared nothing; partner E, whose only
covenant (with C) expired after C shared with it.

Objects: for every shareable model, one per TLP level the model allows and per *placement*:
``own_a`` (owned by A), ``shared_a`` / ``shared_b`` / ``shared_e`` (owned by C or the NCTV, shared
with that organisation; RED with named users), ``other`` (owned by C or the NCTV, shared with
nobody; for CLEAR and GREEN the model's open audience applies). Every sensitive field holds a
unique marker (``CANARY-...``) the canary test looks for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from knox.models import AuthToken

from alerts import services as alert_services
from alerts.models import ChannelPreference
from partnerships.models import Covenant, Membership
from partnerships.services import contacts as contact_services
from partnerships.services import covenants as covenant_services
from partnerships.services import organisations as org_services
from partnerships.services import partnerships as partnership_services
from partnerships.sharing.services import share_with_organisation, share_with_user
from tests.factories import OrganisationFactory, UserFactory
from tests.pdfs import real_pdf
from tests.signin import authenticator_for
from threats import services as threat_services
from threats.models import Sector

LEVELS = ("clear", "green", "amber", "amber_strict", "red")
OPEN = ("clear", "green")

# The models the matrix places objects of, the levels each allows and who owns the others'.
MODELS = {
    "soft_target": {"levels": LEVELS, "owner": "C", "own_a": True},
    "contact": {"levels": LEVELS, "owner": "C", "own_a": True},
    "report": {"levels": LEVELS, "owner": "C", "own_a": True},
    "assessment": {"levels": LEVELS, "owner": "NCTV", "own_a": False},
    "alert": {"levels": ("clear", "green", "amber", "amber_strict"), "owner": "NCTV"},
}


# Alert recipients who also get SMS, each at a number of their own (the canary test reads them).
SMS_PHONES = {"admin_a": "+31600000001", "member_a": "+31600000002", "operator_b": "+31600000003"}


@dataclass
class Thing:
    """One object of the matrix and what the test data says about it (not what the code says)."""

    model: str
    level: str
    placement: str  # own_a, shared_a, shared_b, shared_e, other
    obj: object
    marker: str
    named_users: tuple[str, ...] = ()  # RED: the personas it was shared with by name

    @property
    def key(self) -> str:
        return f"{self.model}/{self.level}/{self.placement}"


@dataclass
class World:
    orgs: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)  # persona -> user
    things: list = field(default_factory=list)
    partnership: object = None
    covenant: object = None
    covenant_e: object = None
    tokens: dict = field(default_factory=dict)  # persona -> API token
    markers: dict = field(default_factory=dict)  # marker (one per object and field) -> Thing

    def of(self, model: str) -> list[Thing]:
        return [t for t in self.things if t.model == model]

    def marker(self, *parts: str) -> str:
        return "CANARY-" + "-".join(p.replace("_", "").upper() for p in parts)


def _venue(by, name, *, marker, partnership, level, sector="football_stadium"):
    return threat_services.soft_target_create(
        by=by,
        name=name,
        category=Sector.objects.get(code=sector),
        address="Stadionplein 1",
        municipality="Amsterdam",
        region="Amsterdam-Amstelland",
        latitude=Decimal("52.314300"),
        longitude=Decimal("4.941900"),
        capacity=5000,
        security_contact_name=f"Meldkamer {marker[0]}",
        security_contact_phone="+31 20 555 0101",
        vulnerability_notes=f"Zwakke plek: {marker[1]}",
        vulnerability_tlp=level,
        partnership=partnership,
    )


def _people(w: World, today) -> None:
    nctv = OrganisationFactory(name="NCTV", kind="public", sector="", is_nctv=True)
    a = OrganisationFactory(name="Partner A Stadion", region="Amsterdam-Amstelland")
    b = OrganisationFactory(name="Partner B Evenementen", sector="event_grounds")
    c = OrganisationFactory(name="Partner C Museum", sector="museum")
    p = OrganisationFactory(name="Gemeente P", kind="public", sector="")
    e = OrganisationFactory(name="Partner E Verlopen", sector="museum")
    w.orgs = {"NCTV": nctv, "A": a, "B": b, "C": c, "P": p, "E": e}
    u = w.users
    u["admin_a"] = UserFactory(username="admin-a", organisation=a, role="admin")
    u["member_a"] = UserFactory(username="member-a", organisation=a, role="member")
    u["viewer_a"] = UserFactory(username="viewer-a", organisation=a, role="viewer")
    u["integrator_a"] = UserFactory(username="integrator-a", organisation=a, role="integrator")
    u["operator_b"] = UserFactory(username="operator-b", organisation=b, role="admin")
    u["public_partner"] = UserFactory(username="public-p", organisation=p, role="admin")
    u["expired_token"] = UserFactory(username="expired-a", organisation=a, role="integrator")
    u["deactivated"] = UserFactory(username="deactivated-a", organisation=a, role="member")
    u["removed_from_a"] = UserFactory(username="removed-a", organisation=a, role="member")
    u["covenant_expired"] = UserFactory(username="admin-e", organisation=e, role="admin")
    u["nctv_analyst"] = UserFactory(username="analyst", organisation=nctv, is_staff=True)
    u["nctv_admin"] = UserFactory(username="nctv-admin", organisation=nctv, is_superuser=True)
    u["staff_unverified"] = UserFactory(username="unverified", organisation=nctv, is_staff=True)
    u["owner_c"] = UserFactory(username="admin-c", organisation=c, role="admin")
    for persona in ("nctv_analyst", "nctv_admin", "staff_unverified"):
        authenticator_for(u[persona])
    for persona, phone in SMS_PHONES.items():
        ChannelPreference.objects.create(
            user=u[persona], channel="sms", enabled=True, address=phone
        )
    w.partnership = partnership_services.partnership_create(
        name="PPS Stadion Noord",
        kind="venue",
        status="active",
        members=[
            (a, "venue_operator"),
            (a, "coordinator"),
            (b, "municipality"),
            (c, "venue_operator"),
        ],
        joined_on=today - timedelta(days=400),
    )
    w.covenant = covenant_services.covenant_create(
        partnership=w.partnership,
        title="Convenant Stadion Noord",
        effective_from=today - timedelta(days=30),
        information_clause="red",
        signatories=[(org, today - timedelta(days=31)) for org in (a, b, c, nctv)],
    )
    partnership_e = partnership_services.partnership_create(
        name="PPS Museum",
        kind="venue",
        status="active",
        members=[(c, "venue_operator"), (c, "coordinator"), (e, "municipality")],
        joined_on=today - timedelta(days=400),
    )
    w.covenant_e = covenant_services.covenant_create(
        partnership=partnership_e,
        title="Convenant Museum",
        effective_from=today - timedelta(days=300),
        information_clause="red",
        signatories=[(org, today - timedelta(days=301)) for org in (c, e)],
    )


def _share(w: World, thing: Thing, by) -> None:
    """Share ``thing`` as its placement says: an organisation for AMBER and AMBER+STRICT, named
    users for RED."""
    target = thing.placement.removeprefix("shared_").upper()
    covenant = w.covenant_e if target == "E" else w.covenant
    reason = "Matrix"
    if thing.level == "red":
        names = {
            "A": ("member_a", "removed_from_a"),
            "B": ("operator_b",),
            "E": ("covenant_expired",),
        }
        thing.named_users = names[target]
        for persona in thing.named_users:
            share_with_user(
                obj=thing.obj, user=w.users[persona], covenant=covenant, by=by, reason=reason
            )
    else:
        share_with_organisation(
            obj=thing.obj, organisation=w.orgs[target], covenant=covenant, by=by, reason=reason
        )


def _placements(spec: dict, level: str) -> list[str]:
    if level in OPEN and spec["owner"] == "NCTV" and spec is MODELS["alert"]:
        return ["shared_a", "shared_b", "other"]  # sent to A, sent to B, a draft
    if level in OPEN:
        return (["own_a"] if spec.get("own_a") else []) + ["other"]
    placements = ["own_a"] if spec.get("own_a") else []
    placements += ["shared_a", "shared_b", "other"]
    if spec["owner"] == "C":
        placements.append("shared_e")
    return placements


def _make(w: World, model: str, level: str, placement: str, marker: str, today):
    """The object, each sensitive field holding ``marker`` and the field's name."""

    def m(name: str) -> str:
        w.markers[f"{marker}-{name}"] = None  # the Thing is filled in by build_world
        return f"{marker}-{name}"

    own = placement == "own_a"
    by = w.users["admin_a"] if own else w.users["owner_c"]
    staff = w.users["nctv_admin"]
    if model == "soft_target":
        return _venue(
            by,
            f"Locatie {marker[-12:]}",
            marker=(m("CONTACT"), m("NOTES")),
            partnership=w.partnership,
            level=level,
        )
    if model == "contact":
        return contact_services.contact_create(
            partnership=w.partnership,
            by=by,
            occurred_on=today,
            kind="meeting",
            summary=f"Verslag {m('SUMMARY')}",
            participants=[w.orgs["A"]] if own else [w.orgs["C"]],
            tlp=level,
        )
    if model == "report":
        target = w.site_a if own else w.site_c
        return threat_services.report_create(
            by=by,
            soft_target=target,
            kind="suspicious_situation",
            what=f"Verdachte situatie {m('WHAT')}",
            occurred_at=timezone.now() - timedelta(hours=2),
            location=f"Poort {m('LOCATION')}",
            tlp=level,
        )
    if model == "assessment":
        return threat_services.assessment_create(
            by=staff,
            title=f"Dreigingsbeeld {m('TITLE')}",
            summary=f"Samenvatting {m('SUMMARY')}",
            body=f"Inhoud {m('BODY')}",
            valid_from=today - timedelta(days=1),
            tlp=level,
        )
    if model == "alert":
        audience = {"shared_a": [w.orgs["A"]], "shared_b": [w.orgs["B"]]}.get(placement)
        alert = alert_services.alert_create(
            by=w.users["nctv_analyst"],
            headline=f"Alert {m('HEADLINE')}",
            description=f"Beschrijving {m('DESCRIPTION')}",
            instruction=f"Instructie {m('INSTRUCTION')}",
            atb_level="matige_dreiging",
            tlp=level,
            organisations=audience or [w.orgs["A"]],
        )
        if audience:
            alert = alert_services.alert_approve(alert=alert, by=staff)
            alert = alert_services.alert_publish(alert=alert, by=staff)
        return alert
    raise ValueError(model)


def build_world(*, webhook_url: str = "") -> World:
    """The world; with ``webhook_url``, A and B subscribe webhooks at ``<url>/A`` and ``<url>/B``
    before any alert is published."""
    today = timezone.localdate()
    w = World()
    _people(w, today)
    if webhook_url:
        from alerts.webhooks import webhook_create

        for org, admin in (("A", "admin_a"), ("B", "operator_b")):
            webhook_create(organisation=w.orgs[org], url=f"{webhook_url}/{org}", by=w.users[admin])
    # The sites reports are about (their own details are CLEAR so that only the report counts).
    site = ("Site", "Site")
    w.site_a = _venue(
        w.users["admin_a"], "Site A", marker=site, partnership=w.partnership, level="clear"
    )
    w.site_c = _venue(
        w.users["owner_c"], "Site C", marker=site, partnership=w.partnership, level="clear"
    )
    for model, spec in MODELS.items():
        for level in spec["levels"]:
            for placement in _placements(spec, level):
                marker = w.marker(model, level, placement)
                obj = _make(w, model, level, placement, marker, today)
                thing = Thing(model, level, placement, obj, marker)
                if placement.startswith("shared_") and model != "alert":
                    by = w.users["nctv_admin"] if spec["owner"] == "NCTV" else w.users["owner_c"]
                    _share(w, thing, by)
                w.things.append(thing)
                for field_marker in [k for k, v in w.markers.items() if v is None]:
                    w.markers[field_marker] = thing
    return w


def after_the_fact(w: World) -> None:
    """What happened since (after the clients signed in): E's covenant expired, one user left
    A, one was deactivated; the integrator's token and one that expired."""
    today = timezone.localdate()
    Covenant.objects.filter(pk=w.covenant_e.pk).update(effective_until=today - timedelta(days=1))
    org_services.membership_end(membership=Membership.objects.get(user=w.users["removed_from_a"]))
    org_services.user_deactivate(user=w.users["deactivated"])
    _instance, w.tokens["integrator_a"] = AuthToken.objects.create(user=w.users["integrator_a"])
    expired, w.tokens["expired_token"] = AuthToken.objects.create(
        user=w.users["expired_token"], expiry=timedelta(hours=1)
    )
    AuthToken.objects.filter(pk=expired.pk).update(expiry=timezone.now() - timedelta(minutes=1))


PDF = real_pdf()


def pdf_upload(name: str = "bewijs.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")
