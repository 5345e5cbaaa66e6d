"""An alert carries the NCTV's Dutch sector level (ATb). A recipient under another authority
(Belgium, OCAM/OCAD) reads it labelled as the NCTV's, with their own authority's current level
beside it — in the e-mail, the inbox and the alert page; a Dutch recipient's texts stay as they
were. The words come from ``threats.selectors.level_context_for``."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from alerts import delivery as engine
from tests.alerts.conftest import pending_ids
from tests.factories import UserFactory
from tests.signin import sign_in
from threats import services as threat_services
from threats import services_levels
from threats.selectors import level_context_for

NCTV_LEVEL = "Matige dreiging — ATb-niveau (NCTV, Nederland)"
OCAM_LINE = "Niveau van uw eigen autoriteit (OCAM/OCAD): 3 — ernstig (OCAM)"


@pytest.fixture
def belgian(world):
    """Partner B moves to Antwerp, under OCAM/OCAD, whose level is 3; the Dutch level is 4."""
    world.org_b.country, world.org_b.jurisdiction, world.org_b.region = "BE", "be", "Antwerpen"
    world.org_b.save()
    root = UserFactory(username="root", organisation=world.nctv, is_staff=True, is_superuser=True)
    services_levels.level_mandate_grant(user=world.duty, jurisdiction="be", by=root)
    threat_services.threat_level_set(jurisdiction="be", level=3, rationale="OCAM", by=world.duty)
    threat_services.threat_level_set(level=4, rationale="Substantieel", by=world.duty)
    return world


def _emails(alert) -> dict[str, str]:
    mail.outbox.clear()
    engine.deliver(pending_ids(alert))
    return {m.to[0]: m.subject + "\n" + m.body for m in mail.outbox}


def test_the_label_is_decided_in_one_place(belgian):
    be, nl = level_context_for(belgian.org_b), level_context_for(belgian.org_a)
    assert (be.foreign, be.own_level, be.atb("Matige dreiging")) == (True, 3, NCTV_LEVEL)
    assert be.own_line == OCAM_LINE
    assert (nl.foreign, nl.atb("Matige dreiging"), nl.own_line) == (False, "Matige dreiging", "")
    assert level_context_for(None).foreign is False  # no organisation: the NCTV's own


def test_a_belgian_reader_without_an_ocam_level_reads_that_none_is_set(world):
    world.org_b.jurisdiction = "be"
    world.org_b.save()
    assert level_context_for(world.org_b).own_line == (
        "Niveau van uw eigen autoriteit (OCAM/OCAD): niet vastgesteld"
    )


@pytest.mark.postgres
def test_a_belgian_recipients_email_names_the_nctvs_level_and_shows_ocams(belgian):
    alert = belgian.published(tlp="green", organisations=[belgian.org_a, belgian.org_b])
    texts = _emails(alert)
    belgian_text, dutch_text = texts[belgian.admin_b.email], texts[belgian.admin_a.email]
    assert f"Alerteringsniveau: {NCTV_LEVEL}\n{OCAM_LINE}\n" in belgian_text
    assert "Alerteringsniveau: Matige dreiging\n\n" in dutch_text
    assert "NCTV, Nederland" not in dutch_text and "OCAM" not in dutch_text


@pytest.mark.postgres
def test_an_amber_notice_to_a_belgian_recipient_labels_the_level_too(belgian):
    alert = belgian.published(tlp="amber", organisations=[belgian.org_a, belgian.org_b])
    texts = _emails(alert)
    assert f"niveau {NCTV_LEVEL}" in texts[belgian.admin_b.email]
    assert OCAM_LINE in texts[belgian.admin_b.email]
    assert "NCTV, Nederland" not in texts[belgian.admin_a.email]


def test_a_belgian_recipients_inbox_and_alert_page_show_both_levels(client, belgian):
    alert = belgian.published(tlp="green", organisations=[belgian.org_a, belgian.org_b])
    engine.deliver(pending_ids(alert))  # the in-app channel fills the inbox
    sign_in(client, belgian.admin_b)
    inbox = client.get(reverse("alert-inbox")).content.decode()
    assert "ATb-niveau (NCTV, Nederland)" in inbox and OCAM_LINE in inbox
    page = client.get(reverse("alert-detail", args=[alert.public_id])).content.decode()
    assert NCTV_LEVEL in page and OCAM_LINE in page
    polled = client.get(reverse("alert-inbox-json")).json()["items"][0]["html"]
    assert "ATb-niveau (NCTV, Nederland)" in polled


def test_a_dutch_recipients_inbox_and_alert_page_stay_as_they_are(client, belgian):
    alert = belgian.published(tlp="green", organisations=[belgian.org_a, belgian.org_b])
    engine.deliver(pending_ids(alert))  # the in-app channel fills the inbox
    sign_in(client, belgian.admin_a)
    inbox = client.get(reverse("alert-inbox")).content.decode()
    page = client.get(reverse("alert-detail", args=[alert.public_id])).content.decode()
    for html in (inbox, page):
        assert "Matige dreiging</span>" in html
        assert "NCTV, Nederland" not in html and "OCAM" not in html
    assert "<dd>Matige dreiging</dd>" in page


def test_the_api_labels_the_level_as_the_nctvs_for_a_belgian_reader(belgian):
    from rest_framework.test import APIClient

    from tests.alerts.api.conftest import URL

    alert = belgian.published(tlp="green", organisations=[belgian.org_a, belgian.org_b])
    engine.deliver(pending_ids(alert))
    client = APIClient()
    sign_in(client, belgian.admin_b)
    own = {"authority": "OCAM/OCAD", "level": 3, "label": "3 — ernstig (OCAM)"}
    detail = client.get(f"{URL}{alert.public_id}/").json()
    assert (detail["atb_level"], detail["atb_level_label"]) == ("matige_dreiging", NCTV_LEVEL)
    assert detail["own_authority_level"] == own
    entry = client.get("/api/v1/inbox/").json()["results"][0]["alert"]
    assert (entry["atb_level_label"], entry["own_authority_level"]) == (NCTV_LEVEL, own)
    sign_in(client, belgian.admin_a)
    dutch = client.get(f"{URL}{alert.public_id}/").json()
    assert (dutch["atb_level_label"], dutch["own_authority_level"]) == ("Matige dreiging", None)


@pytest.mark.postgres
def test_a_belgian_recipients_sms_names_the_nctvs_level(belgian):
    from alerts.channels.sms import RecordingBackend
    from alerts.models import ChannelPreference

    ChannelPreference.objects.filter(channel="sms").update(enabled=True)
    alert = belgian.published(tlp="green", organisations=[belgian.org_a, belgian.org_b])
    engine.deliver(pending_ids(alert))
    texts = dict(RecordingBackend.outbox)
    assert texts["+31600000002"].startswith(f"Alert ({NCTV_LEVEL}): ")
    assert texts["+31600000001"].startswith("Alert (Matige dreiging): ")
