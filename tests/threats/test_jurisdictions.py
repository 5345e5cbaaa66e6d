"""Each partner lives under its own authority's threat levels: the Netherlands the NCTV's DTN
(1 to 5) and ATb; Belgium OCAM/OCAD's level (1 to 4). The NCTV cannot set a Belgian level; a
user mandated for OCAM/OCAD records it on its behalf, and the row says so. Through the service,
the admin and the banner (the API in ``tests/threats/api/test_jurisdictions_api.py``)."""

import re

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests import signin
from tests.factories import OrganisationFactory, UserFactory
from threats import services, services_levels
from threats.jurisdictions import authority_for
from threats.models import NationalThreatLevel, SectorAlertLevel
from threats.selectors import threat_level_current

pytestmark = pytest.mark.django_db


@pytest.fixture
def awdc(db):
    return OrganisationFactory(
        name="AWDC", sector="shopping_area", country="BE", region="Antwerpen"
    )


@pytest.fixture
def awdc_operator(awdc):
    return UserFactory(username="awdc-operator", organisation=awdc, role="admin")


@pytest.fixture
def superuser(nctv):
    return UserFactory(
        username="nctv-root", organisation=nctv, role="admin", is_staff=True, is_superuser=True
    )


@pytest.fixture
def mandated(nctv_staff, superuser):
    services_levels.level_mandate_grant(user=nctv_staff, jurisdiction="be", by=superuser)
    return nctv_staff


# --- the levels of each jurisdiction ------------------------------------------------------------


@pytest.mark.parametrize(
    ("jurisdiction", "level", "valid"),
    [
        ("nl", 1, True),
        ("nl", 5, True),
        ("nl", 6, False),
        ("be", 1, True),
        ("be", 4, True),
        ("be", 5, False),
        ("be", 0, False),
        ("be", True, False),
    ],
)
def test_a_level_is_valid_only_within_its_jurisdictions_own_scale(jurisdiction, level, valid):
    assert authority_for(jurisdiction).is_valid(level) is valid


def test_each_jurisdiction_names_its_authority_and_labels():
    nl, be = authority_for("nl"), authority_for("be")
    assert (nl.name, nl.highest, nl.has_sector_levels) == ("NCTV", 5, True)
    assert (be.name, be.highest, be.has_sector_levels) == ("OCAM/OCAD", 4, False)
    assert be.label(4) == "4 — zeer ernstig (OCAM)"  # Dutch, the default language


def test_an_organisation_in_belgium_lives_under_ocam(awdc, org_a):
    assert (awdc.jurisdiction, org_a.jurisdiction) == ("be", "nl")


def test_a_soft_target_takes_its_operators_jurisdiction(awdc_operator):
    from tests.threats.targets_world import make_target

    target = make_target(awdc_operator, name="Diamantkwartier", category=_shopping())
    assert target.jurisdiction == "be"


def _shopping():
    from threats.models import Sector

    return Sector.objects.get(code="shopping_area")


# --- who may set a level: the service ------------------------------------------------------------


def test_nctv_staff_set_the_dutch_level_and_not_the_belgian_one(nctv_staff):
    row = services.threat_level_set(level=5, rationale="Kritiek", by=nctv_staff)
    assert (row.jurisdiction, row.on_behalf_of) == ("nl", "")
    with pytest.raises(PermissionDenied, match="De NCTV kan geen niveau vaststellen voor België"):
        services.threat_level_set(jurisdiction="be", level=3, rationale="x", by=nctv_staff)
    assert not NationalThreatLevel.objects.filter(jurisdiction="be").exists()


def test_a_mandated_user_records_ocams_level_on_its_behalf(mandated):
    row = services.threat_level_set(
        jurisdiction="be", level=3, rationale="OCAM: ernstig", by=mandated
    )
    assert (row.level_label, row.on_behalf_of) == ("3 — ernstig (OCAM)", "OCAM/OCAD")
    assert threat_level_current(jurisdiction="be") == row
    assert threat_level_current() is None  # the Dutch level is another


def test_a_level_outside_the_jurisdictions_scale_is_refused(mandated):
    with pytest.raises(ValidationError) as refused:
        services.threat_level_set(jurisdiction="be", level=5, rationale="x", by=mandated)
    assert refused.value.message_dict["level"] == [
        "De niveaus van OCAM/OCAD lopen van 1 tot en met 4."
    ]
    with pytest.raises(ValidationError):
        services.threat_level_set(level=6, rationale="x", by=mandated)


def test_the_database_holds_each_level_to_its_jurisdiction(nctv_staff):
    with pytest.raises(IntegrityError), transaction.atomic():
        NationalThreatLevel.objects.create(
            jurisdiction="be", level=5, rationale="x", set_by=nctv_staff
        )


def test_partners_set_no_level_and_only_a_superuser_grants_a_mandate(
    operator_a, awdc_operator, nctv_staff
):
    for user in (operator_a, awdc_operator):
        for jurisdiction in ("nl", "be"):
            with pytest.raises(PermissionDenied):
                services.threat_level_set(
                    jurisdiction=jurisdiction, level=2, rationale="x", by=user
                )
    with pytest.raises(PermissionDenied):
        services_levels.level_mandate_grant(user=nctv_staff, jurisdiction="be", by=nctv_staff)


def test_a_mandate_is_only_for_a_jurisdiction_the_nctv_does_not_govern(
    superuser, nctv_staff, operator_a
):
    with pytest.raises(ValidationError):
        services_levels.level_mandate_grant(user=nctv_staff, jurisdiction="nl", by=superuser)
    with pytest.raises(ValidationError):
        services_levels.level_mandate_grant(user=operator_a, jurisdiction="be", by=superuser)


def test_sector_levels_stay_the_nctvs(nctv_staff, operator_a):
    from threats.models import Sector

    stadiums = Sector.objects.get(code="football_stadium")
    services.sector_level_set(sector=stadiums, level="hoge_dreiging", rationale="", by=nctv_staff)
    with pytest.raises(PermissionDenied):
        services.sector_level_set(sector=stadiums, level="basisniveau", rationale="", by=operator_a)
    assert SectorAlertLevel.objects.filter(sector=stadiums).first().level == "hoge_dreiging"


# --- the admin ------------------------------------------------------------------------------------


def test_the_admin_refuses_the_nctv_a_belgian_level_and_records_one_with_a_mandate(
    client, nctv_staff, superuser
):
    signin.sign_in(client, nctv_staff)
    add = "/admin/threats/nationalthreatlevel/add/"
    data = {"jurisdiction": "be", "level": "3", "region": "", "rationale": "OCAM: ernstig"}
    response = client.post(add, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "kan geen niveau vaststellen voor België" in " ".join(errors["jurisdiction"])
    assert not NationalThreatLevel.objects.exists()

    services_levels.level_mandate_grant(user=nctv_staff, jurisdiction="be", by=superuser)
    assert client.post(add, {**data, "level": "5"}).status_code == 200  # not on OCAM's scale
    assert client.post(add, data).status_code == 302
    row = NationalThreatLevel.objects.get()
    assert (row.jurisdiction, row.level, row.on_behalf_of) == ("be", 3, "OCAM/OCAD")
    listing = client.get("/admin/threats/nationalthreatlevel/").content.decode()
    assert "3 — ernstig (OCAM)" in listing


# --- the banner -----------------------------------------------------------------------------------


def _banner(client, user, language: str = "en") -> str:
    signin.sign_in(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(reverse("soft-target-list")).content.decode()
    banner = re.search(r'<div class="banner threat-banner".*?</div>\s*</div>', html, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", banner.group(0)))


@pytest.fixture
def both_levels(nctv_staff, mandated):
    services.threat_level_set(level=4, rationale="Substantieel", by=nctv_staff)
    services.threat_level_set(jurisdiction="be", level=3, rationale="OCAM", by=mandated)


def test_a_belgian_partners_banner_shows_ocams_level_and_no_dutch_levels(
    client, awdc_operator, both_levels
):
    text = _banner(client, awdc_operator)
    assert "Threat level (OCAM/OCAD): 3 — serious (OCAM)" in text
    assert "recorded in this portal on its behalf" in text
    assert "substantial" not in text and "National threat level" not in text
    assert "Alert level for" not in text  # the ATb is the NCTV's, for Dutch sectors
    text = _banner(client, awdc_operator, "nl")
    assert "Dreigingsniveau (OCAM/OCAD): 3 — ernstig (OCAM)" in text
    assert "Vastgesteld door OCAM/OCAD" in text


def test_a_dutch_partners_banner_shows_the_dtn(client, operator_a, both_levels):
    text = _banner(client, operator_a)
    assert "National threat level: 4 — substantial" in text
    assert "OCAM" not in text
    assert "Alert level for Football stadium" in text


def test_a_belgian_soft_target_reads_as_a_case_to_learn_from(client, awdc_operator, operator_a):
    from tests.threats.targets_world import make_target

    district = make_target(awdc_operator, name="Diamantkwartier", category=_shopping())
    stadium = make_target(operator_a)
    signin.sign_in(client, awdc_operator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    html = client.get(reverse("soft-target-detail", args=[district.public_id])).content.decode()
    assert "Een casus om van te leren in België (OCAM/OCAD)" in html
    signin.sign_in(client, operator_a)
    html = client.get(reverse("soft-target-detail", args=[stadium.public_id])).content.decode()
    assert 'id="jurisdiction-note"' not in html
