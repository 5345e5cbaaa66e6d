"""Area targeting by circle (centre and radius in km) and by chosen municipalities and safety
regions, combined with the drawn polygon and the category and capacity filters. The references
are independent of the portal's code: shapely for polygons, and for circles the great-circle
distance from the angle between the two points' unit vectors on the sphere."""

from __future__ import annotations

import math
import random
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, Polygon

from alerts import services
from alerts.area import EARTH_RADIUS_KM, Area, circle_box, circle_contains, format_polygon
from alerts.cap import alert_to_cap
from alerts.models import Alert, AlertRecipient
from alerts.preview import audience_preview
from alerts.regions import regions
from alerts.selectors import area_targets
from tests.alerts.api.conftest import URL
from tests.alerts.test_area_audience import ARENA, _target, polygons, star
from tests.factories import OrganisationFactory, UserFactory
from tests.signin import sign_in
from threats.models import SoftTarget

NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
ARENA_POINT = (52.3142, 4.9419)
WEDREN = (51.8426, 5.8590)  # the Vierdaagse's start in Nijmegen
GALGENWAARD = (52.0894, 5.1466)  # Utrecht


def reference_km(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance from the angle between unit vectors (atan2 of cross and dot)."""

    def unit(lat, lon):
        p, l = math.radians(lat), math.radians(lon)  # noqa: E741
        return (math.cos(p) * math.cos(l), math.cos(p) * math.sin(l), math.sin(p))

    a, b = unit(lat1, lon1), unit(lat2, lon2)
    cross = (
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    )
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return EARTH_RADIUS_KM * math.atan2(math.sqrt(sum(c * c for c in cross)), dot)


circles = st.tuples(st.floats(50.5, 53.5), st.floats(3.0, 7.0), st.floats(0.05, 120.0))
points = st.lists(st.tuples(st.floats(49.0, 55.0), st.floats(1.0, 9.0)), max_size=40)


@settings(max_examples=200, deadline=None)
@given(circle=circles, points=points)
def test_circle_contains_agrees_with_the_reference_and_its_box_encloses_it(circle, points):
    clat, clon, radius = circle
    south, west, north, east = circle_box(circle)
    # points near the rim too: on a ray from the centre, just inside and just outside
    rim = [
        (clat + f * math.degrees(radius / EARTH_RADIUS_KM) * math.sin(a), clon + f * math.cos(a))
        for f, a in ((0.999, 0.3), (1.001, 2.0), (0.5, 4.0))
    ]
    for lat, lon in [*points, *rim]:
        distance = reference_km(clat, clon, lat, lon)
        if abs(distance - radius) < 1e-6:
            continue  # on the rim either answer is right
        inside = circle_contains(circle, lat, lon)
        assert inside == (distance < radius)
        if inside:  # the database's prefilter never drops a point of the circle
            assert south <= lat <= north and west <= lon <= east


@settings(max_examples=150, deadline=None)
@given(shape=polygons, circle=circles, points=points)
def test_an_area_of_a_polygon_and_a_circle_is_their_union(shape, circle, points):
    ring = star((52.0, 4.5), *shape)
    reference = Polygon([(lon, lat) for lat, lon in ring])
    if reference.area < 1e-9:
        return
    area = Area(polygons=(tuple(ring),), circles=(circle,))
    for lat, lon in points:
        point = Point(lon, lat)
        distance = reference_km(circle[0], circle[1], lat, lon)
        if reference.boundary.distance(point) < 1e-9 or abs(distance - circle[2]) < 1e-6:
            continue
        expected = reference.contains(point) or distance < circle[2]
        assert area.contains(lat, lon) == expected
        if expected:
            assert any(s <= lat <= n and w <= lon <= e for s, w, n, e in area.boxes())


def test_the_regions_are_valid_closed_outlines_around_their_landmarks():
    known = regions()
    assert {"VR13", "GM0363", "VR08", "GM0268", "VR09", "GM0344"} <= set(known)
    for region in known.values():
        assert region.polygon[0] == region.polygon[-1]
        assert Polygon([(lon, lat) for lat, lon in region.polygon]).is_valid, region.code
    where = {
        ARENA_POINT: {"VR13", "GM0363"},
        WEDREN: {"VR08", "GM0268"},
        GALGENWAARD: {"VR09", "GM0344"},
    }
    for (lat, lon), codes in where.items():
        inside = {c for c, r in known.items() if Area(polygons=(r.polygon,)).contains(lat, lon)}
        assert inside == codes


@pytest.mark.postgres
def test_a_circle_alert_reaches_the_operators_of_targets_within_the_radius(world):
    grounds = world.sector("event_grounds")
    near = OrganisationFactory(name="Dichtbij", sector="event_grounds", region="Amsterdam")
    far = OrganisationFactory(name="Verder weg", sector="event_grounds", region="Amsterdam")
    UserFactory(username="dichtbij", organisation=near, role="admin")
    UserFactory(username="verder", organisation=far, role="admin")
    SoftTarget.objects.bulk_create(
        [
            _target(near, grounds, 52.3180, 4.9450, name="Plein"),  # about 0.5 km
            _target(world.org_a, grounds, 52.3142, 4.9419, capacity=50, name="Klein"),
            _target(far, grounds, 52.3142, 4.9800, name="Oost"),  # about 2.6 km
        ]
    )
    alert = world.approved(
        tlp="green", area_circle="52.3142,4.9419 1.5", area_targets=True, target_min_capacity=100
    )
    assert [t["name"] for t in area_targets(alert)] == ["Plein"]
    services.alert_publish(alert=alert, by=world.approver)
    assert set(
        AlertRecipient.objects.filter(alert=alert).values_list("organisation", flat=True)
    ) == {near.pk}


@pytest.mark.postgres
def test_a_chosen_safety_region_reaches_its_targets_of_the_chosen_categories(world):
    stadium, grounds = world.sector("football_stadium"), world.sector("event_grounds")
    nijmegen = OrganisationFactory(name="Nijmegen evenementen", sector="event_grounds")
    SoftTarget.objects.bulk_create(
        [
            _target(world.org_a, stadium, *ARENA_POINT, name="ArenA"),
            _target(world.org_b, grounds, 52.3730, 4.8930, name="Dam"),
            _target(nijmegen, grounds, *WEDREN, name="Wedren"),
            _target(world.org_d, stadium, *GALGENWAARD, name="Galgenwaard"),
        ]
    )
    alert = world.approved(area_regions=["vr13", "GM0268"], area_targets=True)
    assert alert.area_regions == ["VR13", "GM0268"]  # codes as CBS writes them
    assert [t["name"] for t in area_targets(alert)] == ["ArenA", "Dam", "Wedren"]
    alert.target_categories.set([stadium])
    assert [t["name"] for t in area_targets(alert)] == ["ArenA"]
    assert audience_preview(alert)["organisation_names"] == ["Partner A Stadion"]


def test_a_bad_circle_or_an_unknown_region_is_refused_with_its_field(world):
    for circle in ("52.3,4.9", "52.3,4.9 0", "52.3,4.9 900", "95,4.9 1", "a,b c"):
        with pytest.raises(ValidationError) as refused:
            world.draft(area_circle=circle, area_targets=True)
        assert refused.value.message_dict["area_circle"], circle
    with pytest.raises(ValidationError) as refused:
        world.draft(area_regions=["VR99"], area_targets=True)
    assert "VR99" in refused.value.message_dict["area_regions"][0]
    # a circle or a region alone is an area
    assert world.draft(area_circle="52.3142,4.9419 2", area_targets=True).area_circle
    assert world.draft(area_regions=["VR08"], area_targets=True).area_regions == ["VR08"]


def test_the_cap_area_carries_the_circle_and_the_regions_outlines(world):
    alert = world.draft(
        area_polygon=format_polygon(ARENA), area_circle="52.3142,4.9419 1.5", area_regions=["VR08"]
    )
    root = ET.fromstring(alert_to_cap(alert))  # noqa: S314 (our own output)
    area = root.find("cap:info/cap:area", NS)
    assert area.findtext("cap:areaDesc", namespaces=NS) == "Veiligheidsregio Gelderland-Zuid"
    assert [p.text for p in area.findall("cap:polygon", NS)] == [
        format_polygon(ARENA),
        format_polygon(list(regions()["VR08"].polygon)),
    ]
    assert area.findtext("cap:circle", namespaces=NS) == "52.3142,4.9419 1.5"


def test_the_api_takes_a_circle_and_regions_and_refuses_unknown_ones(world):
    from rest_framework.test import APIClient

    client = APIClient()
    sign_in(client, world.author)
    base = {
        "headline": "Verdacht voertuig",
        "description": "Bij de ArenA.",
        "atb_level": "lichte_dreiging",
    }
    refused = client.post(
        URL, base | {"area_targets": True, "area_regions": ["XX1"]}, format="json"
    )
    assert refused.status_code == 400 and "area_regions" in refused.json()
    refused = client.post(URL, base | {"area_targets": True, "area_circle": "52,4"}, format="json")
    assert refused.status_code == 400 and "area_circle" in refused.json()
    made = client.post(
        URL,
        base
        | {"area_targets": True, "area_circle": "52.3142,4.9419 1.5", "area_regions": ["VR13"]},
        format="json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["area_circle"] == "52.3142,4.9419 1.5"
    assert made.json()["area_regions"] == ["VR13"]


@pytest.mark.postgres
def test_ten_thousand_targets_in_a_circle_and_regions_in_one_query(
    world, django_assert_num_queries
):
    rng = random.Random(1616)  # test data, reproducible
    sector = world.sector("event_grounds")
    operators = [OrganisationFactory(name=f"Exploitant {i:02}") for i in range(40)]
    SoftTarget.objects.bulk_create(
        [
            _target(rng.choice(operators), sector, rng.uniform(51.7, 52.6), rng.uniform(4.6, 6.1))
            for _ in range(10_000)
        ],
        batch_size=2000,
    )
    circle = (52.10, 5.40, 9.0)
    alert = world.draft(
        area_circle="52.1,5.4 9", area_regions=["GM0363", "VR08"], area_targets=True
    )
    shapes = [
        Polygon([(lon, lat) for lat, lon in regions()[c].polygon]) for c in ("GM0363", "VR08")
    ]
    expected = {
        t.pk
        for t in SoftTarget.objects.all()
        if any(s.contains(Point(float(t.longitude), float(t.latitude))) for s in shapes)
        or reference_km(circle[0], circle[1], float(t.latitude), float(t.longitude)) < circle[2]
    }
    with django_assert_num_queries(1):  # the targets in any box, categories as a subquery
        found = area_targets(alert)
    assert {t["id"] for t in found} == expected
    assert 0 < len(expected) < 10_000


def test_the_publish_preview_shows_the_area_and_its_targets_on_a_map(world, client):
    import json
    import re

    from django.urls import reverse

    SoftTarget.objects.bulk_create(
        [_target(world.org_a, world.sector("football_stadium"), *ARENA_POINT, name="ArenA")]
    )
    alert = world.approved(
        area_circle="52.3142,4.9419 1.5", area_regions=["GM0268"], area_targets=True
    )
    sign_in(client, world.duty)
    html = client.get(reverse("admin:alerts_alert_publish", args=[alert.pk])).content.decode()
    assert 'id="area-preview-map"' in html and "alerts/area_map.js" in html
    assert "<script>" not in html  # the data travels as JSON, the code from a file (CSP)
    found = re.search(
        r'<script id="area-preview-data" type="application/json">(.*?)</script>', html, re.S
    )
    data = json.loads(found.group(1))
    assert data["area"]["circles"] == [{"center": [52.3142, 4.9419], "radius_m": 1500.0}]
    assert data["area"]["polygons"] == [[list(p) for p in regions()["GM0268"].polygon]]
    assert [(t["name"], t["operator"]) for t in data["targets"]] == [("ArenA", "Partner A Stadion")]


def test_staff_choose_a_circle_and_regions_on_the_admin_add_form(client, world):
    from tests.alerts.test_admin import ADD, draft_data

    sign_in(client, world.author)
    page = client.get(ADD).content.decode()
    assert 'value="VR13"' in page and "Veiligheidsregio Amsterdam-Amstelland" in page
    refused = client.post(ADD, draft_data(world, area_circle="52.3,4.9", area_targets="on"))
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["area_circle"]
    made = client.post(
        ADD,
        draft_data(
            world,
            area_circle="52.3142,4.9419 1.5",
            area_regions=["VR13", "GM0268"],
            area_targets="on",
        ),
    )
    assert made.status_code == 302
    alert = Alert.objects.get()
    assert (alert.area_circle, alert.area_regions) == ("52.3142,4.9419 1.5", ["VR13", "GM0268"])
