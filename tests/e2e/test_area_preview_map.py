"""NCTV staff open the publish page of an area alert: the map shows the area (a circle and a
region's outline) and the soft target in it, drawn by the portal's own script under its CSP."""

import importlib
from decimal import Decimal

import pytest

from alerts import services
from ppsportal.mfa import second_factor_required
from tests.e2e.browser import browser_page, screenshot
from tests.factories import PASSWORD, OrganisationFactory, UserFactory
from tests.signin import authenticator_for, code_now, forget_last_step
from threats.models import Sector, SoftTarget

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sectors(db):
    """The sectors of the data migration: a transactional test before this one flushed them."""
    from django.apps import apps

    migration = importlib.import_module("threats.migrations.0002_default_sectors")
    migration.forward(apps, None)


def test_staff_see_the_area_and_its_targets_on_the_publish_page(live_server, sectors, settings):
    settings.MAP_TILE_URL = f"{live_server.url}/tiles-offline/{{z}}/{{x}}/{{y}}.png"
    nctv = OrganisationFactory(name="NCTV", kind="public", sector="", is_nctv=True)
    author = UserFactory(username="schrijver", organisation=nctv, is_staff=True)
    approver = UserFactory(username="accordeur", organisation=nctv, is_staff=True)
    arena = OrganisationFactory(name="Stadion", sector="football_stadium")
    UserFactory(username="stadion", organisation=arena, role="admin")
    SoftTarget.objects.create(
        operator=arena,
        name="ArenA",
        category=Sector.objects.get(code="football_stadium"),
        municipality="Amsterdam",
        latitude=Decimal("52.314200"),
        longitude=Decimal("4.941900"),
        capacity=55000,
        security_contact_name="Meldkamer",
        security_contact_phone="+31201234567",
    )
    alert = services.alert_create(
        by=author,
        headline="Verdacht voertuig",
        description="Bij de ArenA.",
        atb_level="lichte_dreiging",
        area_circle="52.3142,4.9419 1.5",
        area_regions=["GM0363"],
        area_targets=True,
    )
    services.alert_approve(alert=alert, by=approver)
    device = authenticator_for(approver)  # enrolled: sign-in asks for the code
    forget_last_step(device)  # before the browser's requests (tests.signin.forget_last_step)

    with browser_page(live_server.url) as page:
        page.goto("/accounts/login/")
        page.fill("#id_username", "accordeur")
        page.fill("#id_password", PASSWORD)
        page.click("main form.stacked button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        assert second_factor_required(approver)
        page.fill("#id_otp_token", code_now(device))
        page.click("button[type=submit]:has-text('Bevestigen')")
        page.wait_for_url(lambda url: "/accounts/second-factor/" not in url)
        page.goto(f"/admin/alerts/alert/{alert.pk}/publish/")
        page.wait_for_selector("#area-preview-map.leaflet-container")
        # the region's outline, the circle and the target's marker
        page.wait_for_selector("#area-preview-map[data-shapes='3']")
        assert page.locator("#area-preview-map path.area-shape").count() == 2
        assert page.locator("#area-preview-map path.area-target-marker").count() == 1
        screenshot(page, "area-preview-map")
