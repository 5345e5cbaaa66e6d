"""/api/v1/threat-level/ (DTN) and /api/v1/sectors/ (ATb levels and measure packages)."""

from __future__ import annotations

import pytest

from threats.models import Sector, SectorAlertLevel
from threats.services import measure_package_set, sector_level_set, threat_level_set

pytestmark = pytest.mark.django_db

LEVEL = "/api/v1/threat-level/"
SECTORS = "/api/v1/sectors/"
STADIUMS = f"{SECTORS}football_stadium/"


@pytest.fixture
def levels(nctv_staff):
    threat_level_set(level=3, rationale="Reëel", by=nctv_staff)
    threat_level_set(level=4, rationale="Substantieel", by=nctv_staff)
    threat_level_set(level=5, rationale="Concreet", by=nctv_staff, region="Amsterdam-Amstelland")
    threat_level_set(level=2, rationale="Rustig", by=nctv_staff, region="Zeeland")
    threat_level_set(level=3, rationale="Onrustig", by=nctv_staff, region="Zeeland")


# --- The national threat level ------------------------------------------------------------------


def test_every_member_reads_the_current_level_the_regional_ones_and_history(
    client_for, viewer_a, levels
):
    body = client_for(viewer_a).get(LEVEL).json()
    national = body["national"]
    assert (national["level"], national["level_label"]) == (4, "4 — substantial")
    assert (national["region"], national["rationale"]) == ("", "Substantieel")
    assert national["set_by"] == {"username": "nctv-staff", "full_name": ""}
    assert [(r["region"], r["level"]) for r in body["regional"]] == [
        ("Amsterdam-Amstelland", 5),
        ("Zeeland", 3),
    ]
    assert [(h["region"], h["level"]) for h in body["history"]] == [
        ("Zeeland", 3),
        ("Zeeland", 2),
        ("Amsterdam-Amstelland", 5),
        ("", 4),
        ("", 3),
    ]


def test_the_history_is_limited(client_for, viewer_a, levels):
    client = client_for(viewer_a)
    assert len(client.get(f"{LEVEL}?limit=2").json()["history"]) == 2
    assert client.get(f"{LEVEL}?limit=0").json()["history"] == []
    response = client.get(f"{LEVEL}?limit=-1")
    assert response.status_code == 400
    assert "limit" in response.json()


def test_no_level_yet_is_null(client_for, viewer_a):
    assert client_for(viewer_a).get(LEVEL).json() == {
        "jurisdiction": "nl",
        "authority": "NCTV",
        "national": None,
        "regional": [],
        "history": [],
    }


def test_the_threat_level_needs_sign_in(api_client):
    assert api_client.get(LEVEL).status_code == 401


# --- Sectors ------------------------------------------------------------------------------------


def test_sectors_list_their_level_and_a_package_per_level(client_for, viewer_a, nctv_staff):
    stadiums = Sector.objects.get(code="football_stadium")
    sector_level_set(sector=stadiums, level="matige_dreiging", rationale="Oproepen", by=nctv_staff)
    measure_package_set(
        sector=stadiums,
        level="hoge_dreiging",
        measures=["bag_checks", "hostile_vehicle_barriers"],
        notes="Wegen dicht",
        by=nctv_staff,
    )
    response = client_for(viewer_a).get(f"{SECTORS}?page_size=100")
    rows = {row["code"]: row for row in response.json()["results"]}
    assert {"public_events", "local_public_transport", "football_stadium"} <= set(rows)
    row = rows["football_stadium"]
    assert (row["name"], row["name_nl"], row["name_en"]) == (
        "Football stadium",
        "Voetbalstadion",
        "Football stadium",
    )
    assert (row["level"], row["level_label"]) == ("matige_dreiging", "Moderate threat")
    assert [p["level"] for p in row["measure_packages"]] == [
        "basisniveau",
        "lichte_dreiging",
        "matige_dreiging",
        "hoge_dreiging",
    ]
    high = row["measure_packages"][3]
    assert high["measures"] == [
        {"code": "bag_checks", "label": "Bag checks"},
        {"code": "hostile_vehicle_barriers", "label": "Hostile-vehicle barriers"},
    ]
    assert high["notes"] == "Wegen dicht"
    assert row["measure_packages"][0]["measures"] == []
    assert rows["airport"]["level"] == "basisniveau"


def test_sector_names_are_dutch_by_default(api_client, viewer_a):
    api_client.force_login(viewer_a)
    assert api_client.get(STADIUMS).json()["name"] == "Voetbalstadion"


def test_a_sector_shows_its_level_history(client_for, viewer_a, nctv_staff):
    stadiums = Sector.objects.get(code="football_stadium")
    sector_level_set(sector=stadiums, level="hoge_dreiging", rationale="Dreiging", by=nctv_staff)
    body = client_for(viewer_a).get(STADIUMS).json()
    assert [(h["level"], h["rationale"]) for h in body["history"]] == [
        ("hoge_dreiging", "Dreiging"),
        ("basisniveau", "Startniveau"),
    ]
    assert body["history"][0]["set_by"]["username"] == "nctv-staff"


def test_an_unknown_sector_is_404(client_for, viewer_a):
    assert client_for(viewer_a).get(f"{SECTORS}volcano/").status_code == 404


def test_nctv_staff_add_a_sector_at_the_basic_level(client_for, nctv_staff):
    response = client_for(nctv_staff).post(
        SECTORS, {"code": "theatre", "name": "Theater", "name_en": "Theatre"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert (response.json()["code"], response.json()["level"]) == ("theatre", "basisniveau")
    assert Sector.objects.filter(code="theatre").exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"code": "Theatre!", "name": "Theater", "name_en": "Theatre"}, "code"),
        ({"code": "airport", "name": "Vliegveld", "name_en": "Airfield"}, "code"),
        ({"code": "theatre", "name": "", "name_en": "Theatre"}, "name"),
    ],
)
def test_bad_sectors_are_refused(client_for, nctv_staff, payload, field):
    count = Sector.objects.count()
    response = client_for(nctv_staff).post(SECTORS, payload, format="json")
    assert response.status_code == 400
    assert response.json()[field]
    assert Sector.objects.count() == count


def test_nctv_staff_set_a_sectors_level(client_for, nctv_staff):
    response = client_for(nctv_staff).post(
        f"{STADIUMS}level/", {"level": "hoge_dreiging", "rationale": "Oproepen"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["level"] == "hoge_dreiging"
    assert response.json()["history"][0]["rationale"] == "Oproepen"


def test_an_unknown_level_is_refused(client_for, nctv_staff):
    response = client_for(nctv_staff).post(f"{STADIUMS}level/", {"level": "panic"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"level": ['"panic" is not a valid choice.']}
    assert SectorAlertLevel.objects.filter(level="panic").count() == 0


@pytest.mark.parametrize("persona", ["operator_a", "viewer_a"])
def test_partners_may_not_add_sectors_or_set_levels(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    created = client.post(SECTORS, {"code": "x", "name": "X", "name_en": "X"}, format="json")
    assert created.status_code == 403
    assert created.json() == {"detail": "Only NCTV staff may do this."}
    assert client.post(f"{STADIUMS}level/", {"level": "hoge_dreiging"}).status_code == 403
    assert not Sector.objects.filter(code="x").exists()
    assert not SectorAlertLevel.objects.filter(level="hoge_dreiging").exists()


def test_sectors_need_sign_in(api_client):
    assert api_client.get(SECTORS).status_code == 401
    assert api_client.post(f"{STADIUMS}level/", {"level": "hoge_dreiging"}).status_code == 401
