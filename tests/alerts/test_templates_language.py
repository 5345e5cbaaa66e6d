"""Templates for recurring situations (versioned, staff only, an alert records the version it
started from) and each reader's language: English readers get the English text, or the Dutch one
marked as written in Dutch only — through the real delivery path."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from alerts import delivery as engine
from alerts import services
from alerts.models import AlertTemplate, ReaderLanguage
from alerts.preferences import reader_language_set
from tests.alerts.api.conftest import URL
from tests.alerts.conftest import pending_ids
from tests.signin import sign_in


@pytest.fixture
def vehicle(world):
    return services.template_save(
        by=world.author,
        name="Verdacht voertuig bij locatie",
        headline="Verdacht voertuig nabij de locatie",
        description="Een verdacht voertuig is gemeld nabij de locatie.",
        instruction="Houd afstand, sluit de toegang aan die zijde.",
        headline_en="Suspicious vehicle near the venue",
        description_en="A suspicious vehicle has been reported near the venue.",
        instruction_en="Keep your distance, close the entrance on that side.",
        atb_level="hoge_dreiging",
        tlp="green",
        kind="actual",
        urgency="",
        severity="",
        certainty="Observed",
    )


def test_a_template_change_raises_its_version_and_only_staff_write_templates(world, vehicle):
    assert vehicle.version == 1
    same = services.template_save(by=world.author, template=vehicle, headline=vehicle.headline)
    assert same.version == 1  # nothing changed, no new version
    changed = services.template_save(by=world.approver, template=vehicle, tlp="amber")
    assert changed.version == 2 and changed.tlp == "amber"
    with pytest.raises(PermissionDenied):
        services.template_save(by=world.admin_a, template=vehicle, tlp="clear")
    with pytest.raises(ValidationError):
        services.template_save(by=world.author, template=vehicle, tlp="red")
    assert AlertTemplate.objects.get(pk=vehicle.pk).version == 2


def test_an_alert_from_a_template_takes_its_values_and_records_the_version(world, vehicle):
    alert = services.alert_create_from_template(
        by=world.author,
        template=vehicle,
        organisations=[world.org_a],
        instruction="Ontruim de noordzijde.",
    )
    assert alert.headline == vehicle.headline and alert.headline_en == vehicle.headline_en
    assert alert.instruction == "Ontruim de noordzijde."  # what is given wins
    assert (alert.atb_level, alert.certainty, alert.urgency) == (
        "hoge_dreiging",
        "Observed",
        "Immediate",  # empty in the template: from the level
    )
    assert (alert.template, alert.template_version) == (vehicle, 1)
    services.template_save(by=world.author, template=vehicle, active=False)
    vehicle.refresh_from_db()
    with pytest.raises(ValidationError):
        services.alert_create_from_template(by=world.author, template=vehicle)


def test_staff_start_an_alert_from_a_template_in_the_admin(client, world, vehicle):
    sign_in(client, world.author)
    listing = client.get("/admin/alerts/alerttemplate/")
    assert f"/admin/alerts/alert/add/?template={vehicle.pk}" in listing.content.decode()
    page = client.get(f"/admin/alerts/alert/add/?template={vehicle.pk}")
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert form.initial["headline"] == vehicle.headline
    assert form.initial["atb_level"] == "hoge_dreiging"
    sign_in(client, world.admin_a)
    assert client.get("/admin/alerts/alerttemplate/").status_code in (302, 403)


def test_the_api_starts_an_alert_from_a_template(world, vehicle):
    from rest_framework.test import APIClient

    client = APIClient()
    sign_in(client, world.author)
    made = client.post(
        URL,
        {"template": str(vehicle.public_id), "organisations": [str(world.org_a.public_id)]},
        format="json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["headline"] == vehicle.headline
    assert made.json()["headline_en"] == vehicle.headline_en
    missing = client.post(URL, {"organisations": [str(world.org_a.public_id)]}, format="json")
    assert missing.status_code == 400
    assert set(missing.json()) >= {"headline", "description", "atb_level"}


def _emails_by_recipient(alert) -> dict[str, str]:
    mail.outbox.clear()
    engine.deliver(pending_ids(alert))
    return {m.to[0]: m.subject + "\n" + m.body for m in mail.outbox}


@pytest.mark.postgres
def test_each_reader_gets_the_alert_in_their_language(world, vehicle):
    reader_language_set(user=world.viewer_a, language="en")
    alert = services.alert_create_from_template(
        by=world.author, template=vehicle, organisations=[world.org_a]
    )
    alert = services.alert_publish(
        alert=services.alert_approve(alert=alert, by=world.approver), by=world.approver
    )
    texts = _emails_by_recipient(alert)
    english, dutch = texts[world.viewer_a.email], texts[world.admin_a.email]
    assert "Suspicious vehicle near the venue" in english and "What to do:" in english
    assert "Keep your distance" in english and "Dutch only" not in english
    assert "Verdacht voertuig nabij de locatie" in dutch and "Wat te doen:" in dutch


@pytest.mark.postgres
def test_an_alert_written_in_dutch_only_is_marked_for_english_readers(world):
    reader_language_set(user=world.viewer_a, language="en")
    alert = world.published(tlp="green", organisations=[world.org_a])
    texts = _emails_by_recipient(alert)
    english = texts[world.viewer_a.email]
    assert "(This alert was written in Dutch only.)" in english
    assert alert.headline in english
    assert "Dutch only" not in texts[world.admin_a.email]


def test_a_reader_chooses_the_language_on_the_preferences_page(client, world):
    sign_in(client, world.viewer_a)
    response = client.post(
        reverse("alert-preferences"),
        {"form": "own", "in_app": "on", "email": "on", "language": "en"},
    )
    assert response.status_code == 302
    assert ReaderLanguage.objects.get(user=world.viewer_a).language == "en"
    with pytest.raises(ValidationError):
        reader_language_set(user=world.viewer_a, language="fr")
