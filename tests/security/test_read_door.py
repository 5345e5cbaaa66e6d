"""Every face that returns an AMBER+ object records the read: exactly one ``sensitive.viewed``
entry per object read, whatever the path (dashboard, API, CAP and Atom feeds, STIX and TAXII).

The paths come from the URL resolver (as in the authorization matrix): each named pattern is
either in ``READS`` (how to read an AMBER+ object through it, and which objects it shows) or in
``EXEMPT`` with the reason it returns no AMBER+ object. A new pattern in neither fails
``test_every_url_pattern_is_a_read_or_exempt``: it is classified here before it ships. The admin
(NCTV staff only) audits through ``AuditedReadsMixin`` and is proven in each app's admin tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from alerts import delivery as engine
from interop.taxii import MEDIA_TYPE, collection_id
from partnerships.models import Covenant
from partnerships.services import contacts as contact_services
from partnerships.services import covenants as covenant_services
from partnerships.sharing import services as sharing
from ppsportal.models import AuditEvent
from preparedness import services_library as library_services
from tests.alerts.conftest import pending_ids, world  # noqa: F401 (the alerts world fixture)
from tests.security.test_authorization_matrix import _patterns
from tests.signin import sign_in
from tests.threats.dashboard_world import PDF, build_register
from threats import services as threat_services

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@dataclass
class Amber:
    """The AMBER+ objects of the walk and the people who read them."""

    alert: object
    assessment: object
    contact: object
    covenant: object
    target: object
    report: object
    attachment: object
    document: object  # partner A's AMBER document in the partnership's library
    partner: object  # partner A's admin: receives the alert and the assessment, owns the rest
    partner_b: object  # partner B's admin: receives A's contact entry (partners share too)
    staff: object
    taxii_assessment_id: str = ""


@pytest.fixture
def amber(world, settings, tmp_path):  # noqa: F811 (the alerts world fixture)
    settings.MEDIA_ROOT = tmp_path
    today = timezone.localdate()
    alert = world.published(tlp="amber", organisations=[world.org_a])
    engine.deliver(pending_ids(alert))
    assessment = threat_services.assessment_create(
        by=world.author, title="Vertrouwelijk beeld", summary="AMBER.", valid_from=today
    )
    sharing.share_with_organisation(
        obj=assessment,
        organisation=world.org_a,
        covenant=world.covenant,
        by=world.author,
        reason="Dreiging stadions",
    )
    contact = contact_services.contact_create(
        partnership=world.partnership,
        by=world.admin_a,
        occurred_on=today,
        kind="meeting",
        summary="Vertrouwelijk overleg",
        participants=[world.org_a, world.org_b],
        tlp="amber",
    )
    covenant = covenant_services.covenant_upload_document(
        covenant=world.covenant,
        upload=SimpleUploadedFile("c.pdf", PDF, content_type="application/pdf"),
        by=world.admin_a,
    )
    # The document's level is set by NCTV staff in the admin.
    Covenant.objects.filter(pk=covenant.pk).update(document_tlp="amber")
    covenant.refresh_from_db()
    register = build_register(
        operator_a=world.admin_a, org_a=world.org_a, operator_b=world.admin_b, org_b=world.org_b
    )
    report = threat_services.report_create(
        by=world.admin_a,
        soft_target=register.target_a,
        kind="suspicious_situation",
        what="Iemand filmde de toegangspoorten.",
        occurred_at=timezone.now() - timedelta(hours=2),
        tlp="amber",
        attachments=[SimpleUploadedFile("foto.pdf", PDF, content_type="application/pdf")],
    )
    sharing.share_with_organisation(
        obj=contact,
        organisation=world.org_b,
        covenant=world.covenant,
        by=world.admin_a,
        reason="Voorbereiding wedstrijd",
    )
    document = library_services.partnership_document_upload(
        partnership=world.partnership,
        by=world.admin_a,
        title="Ontruimingsplan (vertrouwelijk)",
        upload=SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf"),
        tlp="amber",
    )
    return Amber(
        alert=alert,
        assessment=assessment,
        contact=contact,
        covenant=covenant,
        target=register.target_a,
        report=report,
        attachment=report.attachments.get(),
        document=document,
        partner=world.admin_a,
        partner_b=world.admin_b,
        staff=world.author,
    )


# name: (who reads, the path, which AMBER+ objects the answer carries)
READS = {
    # the dashboard
    "partnership-detail": (
        "partner",
        "/partnerships/{a.contact.partnership.public_id}/",
        ["contact"],
    ),
    "contact-detail": ("partner_b", "/contacts/{a.contact.public_id}/", ["contact"]),
    "shares-made": ("partner", "/sharing/by-us/", ["contact"]),
    "shares-received": ("partner_b", "/sharing/with-us/", ["contact"]),
    "object-share": ("partner", "/sharing/contact_entry/{a.contact.public_id}/", ["contact"]),
    "covenant-document": (
        "partner",
        "/covenants/{a.covenant.public_id}/document/download/",
        ["covenant"],
    ),
    "soft-target-list": ("partner", "/soft-targets/", ["target"]),
    "soft-target-map": ("partner", "/soft-targets/map/", ["target"]),
    "national-map": ("staff", "/nctv/soft-targets/map/", ["target"]),
    "soft-target-detail": ("partner", "/soft-targets/{a.target.public_id}/", ["target"]),
    "soft-target-edit": ("partner", "/soft-targets/{a.target.public_id}/edit/", ["target"]),
    "soft-target-evidence": (
        "partner",
        "/soft-targets/{a.target.public_id}/evidence/cctv/",
        ["target"],
    ),
    "assessment-list": ("partner", "/threat-assessments/", ["assessment"]),
    "assessment-detail": (
        "partner",
        "/threat-assessments/{a.assessment.public_id}/",
        ["assessment"],
    ),
    "report-list": ("partner", "/reports/", ["report"]),
    "report-detail": ("partner", "/reports/{a.report.public_id}/", ["report"]),
    "report-attachment": (
        "partner",
        "/reports/{a.report.public_id}/attachments/{a.attachment.public_id}/",
        ["report"],
    ),
    "report-queue": ("staff", "/nctv/reports/", ["report"]),
    "alert-inbox": ("partner", "/alerts/", ["alert"]),
    "alert-inbox-json": ("partner", "/alerts/inbox.json", ["alert"]),
    "alert-detail": ("partner", "/alerts/{a.alert.public_id}/", ["alert"]),
    "alert-board": ("staff", "/nctv/alerts/", ["alert"]),
    "alert-board-detail": ("staff", "/nctv/alerts/{a.alert.public_id}/", ["alert"]),
    "library": ("partner", "/library/", ["document"]),
    "document-download": (
        "partner",
        "/library/documents/{a.document.public_id}/download/",
        ["document"],
    ),
    # the API
    "api:contact-list": ("partner", "/api/v1/contacts/", ["contact"]),
    "api:share-list": ("partner", "/api/v1/shares/", ["contact"]),
    "api:share-received": ("partner_b", "/api/v1/shares/received/", ["contact"]),
    "api:contact-detail": ("partner", "/api/v1/contacts/{a.contact.public_id}/", ["contact"]),
    "api:threat-assessment-list": ("partner", "/api/v1/threat-assessments/", ["assessment"]),
    "api:threat-assessment-detail": (
        "partner",
        "/api/v1/threat-assessments/{a.assessment.public_id}/",
        ["assessment"],
    ),
    "api:soft-target-list": ("partner", "/api/v1/soft-targets/", ["target"]),
    "api:soft-target-detail": ("partner", "/api/v1/soft-targets/{a.target.public_id}/", ["target"]),
    "api:report-list": ("partner", "/api/v1/reports/", ["report"]),
    "api:report-detail": ("partner", "/api/v1/reports/{a.report.public_id}/", ["report"]),
    "api:report-attachment": (
        "partner",
        "/api/v1/reports/{a.report.public_id}/attachments/{a.attachment.public_id}/",
        ["report"],
    ),
    "api:alert-list": ("partner", "/api/v1/alerts/", ["alert"]),
    "api:alert-detail": ("partner", "/api/v1/alerts/{a.alert.public_id}/", ["alert"]),
    "api:inbox-list": ("partner", "/api/v1/inbox/", ["alert"]),
    "api:partnership-document-list": ("partner", "/api/v1/partnership-documents/", ["document"]),
    "api:partnership-document-detail": (
        "partner",
        "/api/v1/partnership-documents/{a.document.public_id}/",
        ["document"],
    ),
    "api:partnership-document-download": (
        "partner",
        "/api/v1/partnership-documents/{a.document.public_id}/download/",
        ["document"],
    ),
    # the feeds and exports
    "api:alert-cap": ("partner", "/api/v1/alerts/{a.alert.public_id}/cap/", ["alert"]),
    "api:alert-feed": ("partner", "/api/v1/alerts/feed/", ["alert"]),
    "api:stix-bundle": ("partner", "/api/v1/stix/", ["assessment", "alert"]),
    "taxii-objects": (
        "partner",
        "/taxii2/api/collections/{amber}/objects/",
        ["assessment", "alert"],
    ),
    "taxii-object": (
        "partner",
        "/taxii2/api/collections/{amber}/objects/{a.taxii_assessment_id}/",
        ["assessment"],
    ),
}


WRITE = "a write (POST, PATCH or DELETE) or a form for one; reads are the pages it leads to"
NO_TLP = "its records carry no TLP level: nothing AMBER+ to record"
GUIDANCE = "NCTV guidance is CLEAR or GREEN only: nothing AMBER+ to record"
EXEMPT = {
    "login": "signing in",
    "logout": "signing out",
    "health": "service health",
    "healthz": "service health",
    "readyz": "service health",
    "metrics": "operational figures, no records",
    "set_language": "a language choice",
    "accessibility": "a static statement",
    "mfa-verify": "the second factor",
    "mfa-enrol": "the second factor",
    "oidc_authentication_init": "single sign-on",
    "oidc_authentication_callback": "single sign-on",
    "invitation-accept": "an invitation to join",
    "api:api-token": "a token",
    "api:api-token-revoke": WRITE,
    "api:api-me": "the caller's own account",
    "api-schema": "the API's description",
    "api-docs": "the API's description",
    "home": "partnership health: names and figures, no shared records",
    "partnership-list": "partnership health: names and figures, no shared records",
    "partnership-overview": "counts per partnership, no shared records",
    "register-overview": "counts per category and region, no soft target's details",
    "access-log": "the audit log itself: who read which id, not the records",
    "api:partnership-list": "partnership names and members; contacts are read at api:contact-*",
    "api:partnership-detail": "partnership names and members; contacts are read at api:contact-*",
    "api:covenant-list": "covenant terms (not the document, read at api:covenant-document)",
    "api:covenant-detail": "covenant terms (not the document, read at api:covenant-document)",
    "api:covenant-versions": "covenant terms and signatures (not the document)",
    "api:action-list": "actions carry no TLP; an action of a hidden entry is hidden with it",
    "api:action-detail": "actions carry no TLP; an action of a hidden entry is hidden with it",
    "api:api-threat-level": NO_TLP,
    "api:sector-list": NO_TLP,
    "api:sector-detail": NO_TLP,
    "alert-unread-json": "a count",
    "alert-preferences": NO_TLP,
    # The board's live refresh re-sends the rows of a page whose load was recorded; recording
    # each poll would write an entry every few seconds for what was already read.
    "alert-board-json": "the live refresh of alert-board (recorded at page load)",
    "alert-board-detail-json": "delivery figures per organisation, no alert content",
    "api:alert-audience-preview": "who would receive an alert, not its content",
    "soft-target-create": WRITE,
    "report-create": WRITE,
    "contact-create": WRITE,
    "object-share-revoke": WRITE,
    "api:share-detail": WRITE,  # DELETE: withdraw a share
    "action-done": WRITE,
    "covenant-upload": WRITE,
    "member-list": NO_TLP,
    "member-role": WRITE,
    "member-deactivate": WRITE,
    "api:member-list": NO_TLP,
    "api:member-detail": NO_TLP,
    "api:member-deactivate": WRITE,
    "api:member-invitation-list": NO_TLP,
    "report-reply": WRITE,
    "report-triage": WRITE,
    "alert-acknowledge": WRITE,
    "alert-report-status": WRITE,
    "alert-board-action": WRITE,
    "api:covenant-sign": WRITE,
    "api:covenant-document": WRITE,  # the upload; the download is covenant-document
    "api:covenant-terminate": WRITE,
    "api:sector-level": WRITE,
    "api:threat-assessment-revoke": WRITE,
    "api:threat-assessment-share": WRITE,
    "api:report-link-assessment": WRITE,
    "api:report-reply": WRITE,
    "api:report-triage": WRITE,
    "api:alert-acknowledge": WRITE,
    "api:alert-all-clear": WRITE,
    "api:alert-approve": WRITE,
    "api:alert-cancel": WRITE,
    "api:alert-update": WRITE,
    "api:alert-publish": WRITE,
    "api:alert-report-status": WRITE,
    "api:inbox-read": WRITE,
    "api:preference-list": NO_TLP,
    "api:preference-detail": NO_TLP,
    "api:organisation-default-list": NO_TLP,
    "api:organisation-default-detail": NO_TLP,
    "api:webhook-list": NO_TLP,
    "api:webhook-detail": NO_TLP,
    "api:webhook-enable": WRITE,
    "api:webhook-rotate-secret": WRITE,
    "api:stix-import": WRITE,
    "api:stix-draft-publish": WRITE,
    "taxii-discovery": "TAXII's description: no objects",
    "taxii-api-root": "TAXII's description: no objects",
    "taxii-collections": "the collections' names: no objects",
    "taxii-collection": "one collection's name: no objects",
    "preparedness-overview": NO_TLP,
    "preparedness-detail": NO_TLP,
    "action-item-complete": WRITE,
    "api:procedure-list": NO_TLP,
    "api:procedure-detail": NO_TLP,
    "api:course-list": NO_TLP,
    "api:course-detail": NO_TLP,
    "api:training-record-list": NO_TLP,
    "api:training-record-detail": NO_TLP,
    "api:exercise-list": NO_TLP,
    "api:exercise-detail": NO_TLP,
    "api:exercise-held": WRITE,
    "api:exercise-action-items": NO_TLP,
    "api:action-item-detail": NO_TLP,
    "api:action-item-complete": WRITE,
    "action-item-create": WRITE,
    "action-item-edit": WRITE,
    "procedure-create": WRITE,
    "procedure-edit": WRITE,
    "training-record-create": WRITE,
    "exercise-plan": WRITE,
    "exercise-held": WRITE,
    "document-upload": WRITE,
    "guidance-read": WRITE,
    "api:guidance-read": WRITE,
    "guidance-detail": GUIDANCE,
    "guidance-download": GUIDANCE,
    "api:guidance-list": GUIDANCE,
    "api:guidance-detail": GUIDANCE,
    "api:guidance-download": GUIDANCE,
    "api:organisation-list": "the caller's own organisation: names and links",
    "api:organisation-detail": "the caller's own organisation: names and links",
    "api:organisation-audit-trail": "the audit log itself: who did what to which id",
    "api:organisation-access-log": "the audit log itself: who read which id, not the records",
    "api:partnership-cost-shares": NO_TLP,
    "api:public-alert-feed": "TLP:CLEAR alerts only",
    "api:public-alert-cap": "TLP:CLEAR alerts only",
    "api:sms-receipt": "a provider's delivery receipt (a write)",
}


def _names() -> set[str]:
    return {name for _route, name, _ in _patterns() if name and not name.startswith("admin:")}


def test_every_url_pattern_is_a_read_or_exempt():
    names = _names()
    assert sorted(names - READS.keys() - EXEMPT.keys()) == [], "classify these paths"
    assert READS.keys() & EXEMPT.keys() == set()
    assert sorted((READS.keys() | EXEMPT.keys()) - names) == [], "paths that no longer exist"


def _viewed() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="sensitive.viewed").order_by("pk"))


def test_every_read_of_an_amber_object_writes_exactly_one_entry(amber):
    clients = {
        "partner": sign_in(Client(), amber.partner),
        "partner_b": sign_in(Client(), amber.partner_b),
        "staff": sign_in(Client(), amber.staff),
    }
    listing = clients["partner"].get(
        f"/taxii2/api/collections/{collection_id('amber')}/objects/", HTTP_ACCEPT=MEDIA_TYPE
    )
    amber.taxii_assessment_id = next(
        o["id"] for o in listing.json()["objects"] if o.get("name") == amber.assessment.title
    )
    wrong = []
    for name, read in sorted(READS.items()):
        persona, template, attributes = read
        path = template.format(a=amber, amber=collection_id("amber"))
        objects = [getattr(amber, attribute) for attribute in attributes]
        before = AuditEvent.objects.filter(action="sensitive.viewed").count()
        response = clients[persona].get(path, HTTP_ACCEPT=MEDIA_TYPE if "taxii" in name else "*/*")
        if response.status_code != 200:
            wrong.append(f"{name} GET {path}: {response.status_code}")
            continue
        new = _viewed()[before:]
        for obj in objects:
            naming = [e for e in new if str(obj.public_id) in e.object_ids]
            if len(naming) != 1:
                wrong.append(f"{name}: {len(naming)} entries name {type(obj).__name__}")
        if len(new) > len({type(o) for o in objects}):
            wrong.append(f"{name}: {len(new)} entries for one read")
    assert wrong == [], "\n".join(wrong)
