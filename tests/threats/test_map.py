"""The soft-target maps: NCTV staff see every target on the national map, filtered by category,
capacity tier and region, each linking to its page; a partner's map shows only its own targets;
a partner asking for the national map gets 404, like every NCTV page. The background is the
PDOK map by default, configurable, with a bundled outline of the Netherlands when tiles fail.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from partnerships.selectors import actor_for
from ppsportal.env import tile_origin
from ppsportal.models import AuditEvent
from tests import signin
from tests.threats.dashboard_world import build_register, venue
from threats.selectors_map import MapFilters, national_map_choices, national_map_targets

pytestmark = pytest.mark.django_db

NATIONAL = "/nctv/soft-targets/map/"


@pytest.fixture
def register(operator_a, org_a, operator_b, org_b):
    r = build_register(operator_a=operator_a, org_a=org_a, operator_b=operator_b, org_b=org_b)
    # an outsider's target in another region and tier, in no partnership with A or B
    r.target_c = venue(
        r.user_c,
        "Museum aan de Maas",
        sector="museum",
        municipality="Rotterdam",
        region="Rotterdam-Rijnmond",
        latitude=Decimal("51.910000"),
        longitude=Decimal("4.470000"),
        capacity=150,
    )
    return r


def sign_in(client, user):
    signin.sign_in(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def embedded(response, element_id: str):
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, f"the page embeds {element_id}"
    return json.loads(match.group(1))


def national_markers(response) -> list[dict]:
    """The national map's markers as its script reads them (the page embeds them compactly)."""
    from threats.views_map import marker_of

    data = embedded(response, "national-map-data")
    return [marker_of(data, row) for row in data["targets"]]


def names(response) -> list[str]:
    return [marker["name"] for marker in national_markers(response)]


# --- who sees what ------------------------------------------------------------------------------


def test_nctv_staff_see_every_soft_target_on_the_national_map(client, nctv_staff, register):
    response = sign_in(client, nctv_staff).get(NATIONAL)
    assert response.status_code == 200
    assert names(response) == ["Evenemententerrein Zuid", "Museum aan de Maas", "Stadion Noord"]
    markers = {m["name"]: m for m in national_markers(response)}
    stadium = markers["Stadion Noord"]
    assert stadium["url"] == reverse("soft-target-detail", args=[register.target_a.public_id])
    assert stadium["tier"] == "Enhanced tier (800 and more)"
    assert stadium["region"] == "Amsterdam-Amstelland"
    assert (stadium["lat"], stadium["lng"]) == (pytest.approx(52.3143), pytest.approx(4.9419))
    # each marker links to the target's page, in the list beside the map too
    html = response.content.decode()
    for target in (register.target_a, register.target_b, register.target_c):
        assert reverse("soft-target-detail", args=[target.public_id]) in html


@pytest.mark.parametrize("persona", ["operator_a", "viewer_a", "operator_b"])
def test_a_partner_asking_for_the_national_map_gets_404(client, register, persona, request):
    response = sign_in(client, request.getfixturevalue(persona)).get(NATIONAL)
    assert response.status_code == 404
    assert "Museum aan de Maas" not in response.content.decode()


def test_signed_out_the_national_map_asks_to_sign_in(client, register):
    response = client.get(NATIONAL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_partners_map_shows_only_its_own_targets(client, operator_b, register):
    response = sign_in(client, operator_b).get(reverse("soft-target-map"))
    assert [m["name"] for m in embedded(response, "soft-target-data")] == [
        "Evenemententerrein Zuid"
    ]
    html = response.content.decode()
    assert "Stadion Noord" not in html and "Museum aan de Maas" not in html


def test_staff_opening_the_partners_map_are_sent_to_the_national_map(client, nctv_staff):
    response = sign_in(client, nctv_staff).get(reverse("soft-target-map"))
    assert response.status_code == 302 and response["Location"] == NATIONAL


def test_the_selector_gives_partners_nothing(operator_a, register):
    actor = actor_for(operator_a)
    assert list(national_map_targets(actor)) == []
    assert national_map_choices(actor) == {"categories": [], "tiers": [], "regions": []}


# --- filters ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, expected",
    [
        ("category=museum", ["Museum aan de Maas"]),
        ("tier=enhanced", ["Stadion Noord"]),
        ("tier=standard", ["Evenemententerrein Zuid"]),
        ("region=Rotterdam-Rijnmond", ["Museum aan de Maas"]),
        ("region=Amsterdam-Amstelland&tier=below_200", []),
        (
            "category=&tier=&region=",
            ["Evenemententerrein Zuid", "Museum aan de Maas", "Stadion Noord"],
        ),
    ],
)
def test_the_national_map_filters_by_category_tier_and_region(
    client, nctv_staff, register, query, expected
):
    response = sign_in(client, nctv_staff).get(f"{NATIONAL}?{query}")
    assert response.status_code == 200
    assert names(response) == expected


def test_the_filter_offers_the_categories_tiers_and_regions(client, nctv_staff, register):
    html = sign_in(client, nctv_staff).get(NATIONAL).content.decode()
    assert '<label for="id_category">Category</label>' in html
    assert '<option value="Rotterdam-Rijnmond">Rotterdam-Rijnmond</option>' in html
    assert '<option value="enhanced">Enhanced tier (800 and more)</option>' in html
    assert '<option value="museum">' in html


@pytest.mark.parametrize("language, text", [("en", "Select a valid choice"), ("nl", "Selecteer")])
def test_an_unknown_filter_value_is_refused_with_400(client, nctv_staff, register, language, text):
    sign_in(client, nctv_staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(f"{NATIONAL}?tier=huge")
    assert response.status_code == 400
    assert text in response.content.decode()
    assert names(response) == []  # nothing shown under a filter that does not exist


# --- queries and the read door ------------------------------------------------------------------


def test_the_map_data_costs_two_queries_however_many_targets(
    nctv_staff, operator_a, register, django_assert_num_queries
):
    actor = actor_for(nctv_staff)
    with django_assert_num_queries(2):  # the targets with category and operator; measures
        few = [t.measures.all() and t.category.name for t in national_map_targets(actor)]
    for number in range(5):
        venue(operator_a, f"Extra {number}", latitude=Decimal("52.1"), longitude=Decimal("5.1"))
    with django_assert_num_queries(2):
        many = [
            (t.category.name, t.operator.name, list(t.measures.all()))
            for t in national_map_targets(actor, MapFilters())
        ]
    assert len(many) == len(few) + 5
    with django_assert_num_queries(2):  # the categories; the regions
        national_map_choices(actor)


def test_the_amber_targets_shown_are_recorded_in_one_entry(client, nctv_staff, register):
    sign_in(client, nctv_staff)
    before = AuditEvent.objects.filter(action="sensitive.viewed").count()
    client.get(NATIONAL)
    entries = list(AuditEvent.objects.filter(action="sensitive.viewed")[before:])
    assert len(entries) == 1
    # the targets' vulnerability details default to AMBER+STRICT: every one shown is named
    assert set(entries[0].object_ids) == {
        str(t.public_id) for t in (register.target_a, register.target_b, register.target_c)
    }


def test_the_read_door_gets_each_targets_own_owner_and_level_whatever_the_fields_order(
    client, nctv_staff, register, monkeypatch
):
    """The map's instances for the read door hold what their rows say, also when the names of
    what the door reads are listed in another order than the model's fields."""
    from threats import selectors_map
    from threats.models import SoftTarget
    from threats.selectors_map import markers_as_read, national_map_markers

    monkeypatch.setattr(
        selectors_map, "READ_DOOR_FIELDS", tuple(reversed(selectors_map.READ_DOOR_FIELDS))
    )
    SoftTarget.objects.filter(pk=register.target_b.pk).update(vulnerability_tlp="green")
    shown = national_map_markers(actor_for(nctv_staff))
    read = {t.pk: t for t in markers_as_read(list(shown), using=shown.db)}
    for target in SoftTarget.objects.all():
        assert read[target.pk].public_id == target.public_id
        assert read[target.pk].operator_id == target.operator_id
        assert read[target.pk].vulnerability_tlp == target.vulnerability_tlp
        assert read[target.pk]._state.db == shown.db
    sign_in(client, nctv_staff)
    before = AuditEvent.objects.filter(action="sensitive.viewed").count()
    client.get(NATIONAL)
    (entry,) = AuditEvent.objects.filter(action="sensitive.viewed")[before:]
    amber = (register.target_a, register.target_c)  # target B is GREEN now: not recorded
    assert set(entry.object_ids) == {str(t.public_id) for t in amber}
    owners = sorted({t.operator_id for t in amber})
    assert entry.owner_organisation_ids == "," + ",".join(map(str, owners)) + ","


# --- the background ------------------------------------------------------------------------------


def test_the_default_tiles_are_pdoks_background_map_and_the_csp_allows_them():
    assert settings.MAP_TILE_URL.startswith(
        "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/"
    )
    assert (
        tile_origin(settings.MAP_TILE_URL)
        in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]
    )


def test_the_configured_tiles_and_the_outline_reach_the_page(client, nctv_staff, settings):
    settings.MAP_TILE_URL = "https://tiles.example.invalid/{z}/{x}/{y}.png"
    config = embedded(sign_in(client, nctv_staff).get(NATIONAL), "national-map-config")
    assert config["tileUrl"] == "https://tiles.example.invalid/{z}/{x}/{y}.png"
    assert config["outlineUrl"].endswith("threats/netherlands.geojson")


def test_the_bundled_outline_is_the_netherlands_with_its_licence():
    path = finders.find("threats/netherlands.geojson")
    outline = json.loads(open(path).read())  # noqa: SIM115
    [feature] = outline["features"]
    points = [p for polygon in feature["geometry"]["coordinates"] for p in polygon[0]]
    longitudes, latitudes = zip(*points, strict=True)
    assert min(longitudes) > 3.3 and max(longitudes) < 7.3
    assert min(latitudes) > 50.7 and max(latitudes) < 53.7
    assert len(points) > 100
    licence = open(finders.find("threats/netherlands.geojson.LICENSE.txt")).read()  # noqa: SIM115
    assert "Natural Earth" in licence and "public domain" in licence


# --- at scale: the markers' gaps from the database, the list a page at a time ------------------


def test_each_markers_gaps_are_the_rules_count(client, nctv_staff, register):
    from threats.models import SoftTarget
    from threats.rules import gaps_for

    markers = national_markers(sign_in(client, nctv_staff).get(NATIONAL))
    for target in SoftTarget.objects.all():
        marker = next(m for m in markers if m["id"] == str(target.public_id))
        assert marker["gaps"] == len(gaps_for(target, target.measures.all())), target.name


def test_the_list_beside_the_map_goes_a_page_at_a_time(client, nctv_staff, register, monkeypatch):
    from ppsportal import pagination

    monkeypatch.setattr(pagination, "PAGE_SIZE", 2)
    response = sign_in(client, nctv_staff).get(NATIONAL + "?page=2")
    assert len(names(response)) == 3  # the map shows every target
    rows = [m["name"] for m in response.context["page"]]
    assert rows == ["Stadion Noord"]
    assert "Page 2 of 2" in response.content.decode()


def test_the_national_map_costs_as_many_queries_with_more_targets(
    client, nctv_staff, operator_a, register, django_assert_max_num_queries
):
    sign_in(client, nctv_staff)
    client.get(NATIONAL)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(NATIONAL)
    for number in range(5):
        venue(operator_a, f"Extra {number}", latitude=Decimal("52.1"), longitude=Decimal("5.1"))
    with CaptureQueriesContext(connection) as many:
        assert len(names(client.get(NATIONAL))) == 8
    assert len(many.captured_queries) == len(few.captured_queries)
