"""Area targeting: an alert whose area reaches the soft targets in it goes to the operators of
the targets inside its polygon (of the chosen categories and capacity), together with the
sectors, regions, partnerships and named organisations — checked against shapely's
point-in-polygon as the reference."""

from __future__ import annotations

import math
import random

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, Polygon

from alerts import services
from alerts.area import contains, format_polygon
from alerts.models import AlertRecipient
from alerts.preview import audience_preview
from alerts.selectors import area_targets
from tests.alerts.api.conftest import URL
from tests.factories import OrganisationFactory, UserFactory
from tests.signin import sign_in
from threats.models import SoftTarget

# Around the Johan Cruijff ArenA (Amsterdam-Zuidoost).
ARENA = [(52.31, 4.93), (52.32, 4.95), (52.30, 4.96), (52.31, 4.93)]


def star(center, radii, angles):
    """A simple (non-crossing) polygon: points around a centre in angle order, closed."""
    lat0, lon0 = center
    ring = [
        (lat0 + r * math.sin(a), lon0 + r * math.cos(a))
        for r, a in sorted(zip(radii, angles, strict=True), key=lambda p: p[1])
    ]
    return [*ring, ring[0]]


polygons = st.integers(min_value=3, max_value=12).flatmap(
    lambda n: st.tuples(
        st.lists(st.floats(0.01, 1.0), min_size=n, max_size=n),
        st.lists(st.floats(0, 2 * math.pi - 1e-6), min_size=n, max_size=n, unique=True),
    )
)


@settings(max_examples=150, deadline=None)
@given(
    shape=polygons,
    points=st.lists(st.tuples(st.floats(50.5, 53.5), st.floats(3.0, 6.0)), max_size=40),
)
def test_point_in_polygon_agrees_with_shapely(shape, points):
    points_of_polygon = star((52.0, 4.5), *shape)
    reference = Polygon([(lon, lat) for lat, lon in points_of_polygon])
    if reference.area < 1e-9:
        return
    for lat, lon in points:
        point = Point(lon, lat)
        if reference.boundary.distance(point) < 1e-9:
            continue  # on the edge either answer is right
        assert contains(points_of_polygon, lat, lon) == reference.contains(point)


def _target(operator, category, lat, lon, *, capacity=1000, name="Doel"):
    return SoftTarget(
        operator=operator,
        name=name,
        category=category,
        municipality="Amsterdam",
        latitude=round(lat, 6),
        longitude=round(lon, 6),
        capacity=capacity,
        security_contact_name="Meldkamer",
        security_contact_phone="+31201234567",
    )


@pytest.mark.postgres
def test_an_area_alert_reaches_the_operators_of_targets_inside_it(world):
    stadium, grounds = world.sector("football_stadium"), world.sector("event_grounds")
    inside_b = OrganisationFactory(name="Binnen B", sector="event_grounds", region="Amsterdam")
    small_c = OrganisationFactory(name="Klein C", sector="event_grounds", region="Amsterdam")
    UserFactory(username="binnen-b", organisation=inside_b, role="admin")
    UserFactory(username="klein-c", organisation=small_c, role="admin")
    SoftTarget.objects.bulk_create(
        [
            _target(world.org_a, stadium, 52.3142, 4.9419, name="ArenA"),  # inside
            _target(inside_b, grounds, 52.3100, 4.9480, name="Plein"),  # inside
            _target(small_c, grounds, 52.3110, 4.9470, capacity=50, name="Zaaltje"),  # too small
            _target(world.org_d, stadium, 52.0894, 5.1466, name="Galgenwaard"),  # outside
        ]
    )
    alert = world.approved(
        tlp="green",
        area_polygon=format_polygon(ARENA),
        area_targets=True,
        target_min_capacity=100,
        organisations=[world.org_b],  # combined with the other audience rules
    )

    preview = audience_preview(alert)
    assert [t["name"] for t in preview["area_targets"]] == ["ArenA", "Plein"]
    assert preview["organisation_names"] == [
        "Binnen B",
        "Partner A Stadion",
        "Partner B Evenementen",
    ]

    services.alert_publish(alert=alert, by=world.approver)
    reached = set(AlertRecipient.objects.filter(alert=alert).values_list("organisation", flat=True))
    assert reached == {world.org_a.pk, inside_b.pk, world.org_b.pk}


@pytest.mark.postgres
def test_target_categories_narrow_the_targets_in_the_area(world):
    stadium, grounds = world.sector("football_stadium"), world.sector("event_grounds")
    SoftTarget.objects.bulk_create(
        [
            _target(world.org_a, stadium, 52.3142, 4.9419),
            _target(world.org_b, grounds, 52.3100, 4.9480),
        ]
    )
    alert = world.approved(
        area_polygon=format_polygon(ARENA), area_targets=True, target_categories=[grounds]
    )
    assert {t["operator_id"] for t in area_targets(alert)} == {world.org_b.pk}
    assert audience_preview(alert)["organisation_names"] == ["Partner B Evenementen"]


def test_an_area_alert_without_a_polygon_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        world.draft(area_targets=True)
    assert refused.value.message_dict["area_polygon"]


def test_without_area_targets_the_polygon_only_describes(world):
    SoftTarget.objects.bulk_create(
        [_target(world.org_a, world.sector("football_stadium"), 52.3142, 4.9419)]
    )
    alert = world.approved(area_polygon=format_polygon(ARENA), organisations=[world.org_b])
    assert audience_preview(alert)["organisation_names"] == ["Partner B Evenementen"]


@pytest.mark.postgres
def test_ten_thousand_targets_match_the_reference_in_fixed_queries(
    world, django_assert_num_queries
):
    rng = random.Random(16)  # test data, reproducible
    sector = world.sector("event_grounds")
    operators = [OrganisationFactory(name=f"Exploitant {i:02}") for i in range(40)]
    SoftTarget.objects.bulk_create(
        [
            _target(rng.choice(operators), sector, rng.uniform(52.0, 52.6), rng.uniform(4.6, 5.3))
            for _ in range(10_000)
        ],
        batch_size=2000,
    )
    polygon = star(
        (52.3, 4.95),
        [rng.uniform(0.05, 0.25) for _ in range(9)],
        sorted(rng.uniform(0, 2 * math.pi) for _ in range(9)),
    )
    alert = world.draft(area_polygon=format_polygon(polygon), area_targets=True)
    stored = [tuple(map(float, p.split(","))) for p in alert.area_polygon.split()]
    reference = Polygon([(lon, lat) for lat, lon in stored])
    expected = {
        t.pk
        for t in SoftTarget.objects.all()
        if reference.contains(Point(float(t.longitude), float(t.latitude)))
    }
    with django_assert_num_queries(1):  # the targets in the box, categories as a subquery
        found = area_targets(alert)
    assert {t["id"] for t in found} == expected
    assert 0 < len(expected) < 10_000


def test_the_api_takes_the_area_audience_and_refuses_it_without_a_polygon(world):
    from rest_framework.test import APIClient

    client = APIClient()
    sign_in(client, world.author)
    base = {
        "headline": "Verdacht voertuig",
        "description": "Bij de ArenA.",
        "atb_level": "lichte_dreiging",
    }
    refused = client.post(URL, base | {"area_targets": True}, format="json")
    assert refused.status_code == 400
    assert "area_polygon" in refused.json()
    made = client.post(
        URL,
        base
        | {"area_targets": True, "area_polygon": format_polygon(ARENA), "target_min_capacity": 500},
        format="json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["area_targets"] is True and made.json()["target_min_capacity"] == 500
