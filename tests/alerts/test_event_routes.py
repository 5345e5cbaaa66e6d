"""Events with a route (a line) or a perimeter (a closed ring), not only a point: an area alert
reaches the operator of an event whose route or perimeter meets its area. Checked against
shapely's ``intersects`` for polygons, and for circles against shapely's distance on the plane
tangent at the centre."""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, Polygon

from alerts.area import EARTH_RADIUS_KM, Area, area_touches, format_polygon
from alerts.selectors import area_targets
from tests.alerts.test_area_audience import _target, polygons, star
from threats import services as threat_services
from threats.models import SoftTarget

# The Vierdaagse's first day, coarsely: from the Wedren in Nijmegen north over the Waal to Elst.
ROUTE = "51.8426,5.859 51.85,5.87 51.87,5.865 51.9,5.85 51.93,5.83"
ELST = [(51.915, 5.82), (51.925, 5.86), (51.905, 5.87), (51.915, 5.82)]  # around the route
AWAY = [(51.70, 5.60), (51.72, 5.65), (51.69, 5.66), (51.70, 5.60)]

routes = st.lists(st.tuples(st.floats(51.0, 53.0), st.floats(3.5, 5.5)), min_size=2, max_size=8)


def _plane(circle, lat, lon):
    clat, clon, _r = circle
    km = math.radians(1) * EARTH_RADIUS_KM
    return ((lon - clon) * math.cos(math.radians(clat)) * km, (lat - clat) * km)


@settings(max_examples=200, deadline=None)
@given(shape=polygons, route=routes, closed=st.booleans())
def test_a_route_or_perimeter_meets_a_polygon_as_shapely_says(shape, route, closed):
    ring = star((52.0, 4.5), *shape)
    reference = Polygon([(lon, lat) for lat, lon in ring])
    if reference.area < 1e-9:
        return
    if closed and len(route) >= 3:
        route = [*route, route[0]]
        other = Polygon([(lon, lat) for lat, lon in route])
        if not other.is_valid or other.area < 1e-9:
            return
    else:
        closed = False
        other = LineString([(lon, lat) for lat, lon in route])
    if reference.boundary.distance(other.boundary if closed else other) < 1e-9:
        return  # touching at an edge: either answer is right
    assert area_touches(Area(polygons=(tuple(ring),)), route) == reference.intersects(other)


@settings(max_examples=200, deadline=None)
@given(
    circle=st.tuples(st.floats(51.5, 52.5), st.floats(4.0, 5.0), st.floats(0.1, 40.0)),
    route=routes,
)
def test_a_route_meets_a_circle_as_the_plane_distance_says(circle, route):
    plane = [_plane(circle, lat, lon) for lat, lon in route]
    shape = LineString(plane)
    if len(route) >= 4 and route[0] == route[-1]:  # a perimeter: an area, inside counts
        shape = Polygon(plane)
        if not shape.is_valid:
            return
    distance = shape.distance(Point(0, 0))
    if abs(distance - circle[2]) < 1e-6:
        return
    assert area_touches(Area(circles=(circle,)), route) == (distance < circle[2])


def _register_event(world, name, lat, lon, route):
    """An event registered by B's administrator, through the service."""
    start = timezone.now() + timedelta(days=30)
    return threat_services.soft_target_create(
        by=world.admin_b,
        name=name,
        category=world.sector("event_grounds"),
        municipality="Nijmegen",
        latitude=Decimal(f"{lat:.6f}"),
        longitude=Decimal(f"{lon:.6f}"),
        capacity=40_000,
        security_contact_name="Meldkamer",
        security_contact_phone="+31241234567",
        is_event=True,
        event_start=start,
        event_end=start + timedelta(days=4),
        route=route,
    )


@pytest.mark.postgres
def test_an_event_whose_route_crosses_the_area_is_reached_though_its_start_is_outside(world):
    event = _register_event(world, "Vierdaagse", 51.8426, 5.859, ROUTE)
    assert (event.route_south, event.route_north) == (51.8426, 51.93)
    SoftTarget.objects.bulk_create(
        [_target(world.org_a, world.sector("event_grounds"), 51.8426, 5.859, name="Wedren")]
    )
    alert = world.approved(area_polygon=format_polygon(ELST), area_targets=True)
    assert [t["name"] for t in area_targets(alert)] == ["Vierdaagse"]
    away = world.approved(area_polygon=format_polygon(AWAY), area_targets=True)
    assert area_targets(away) == []
    circle = world.approved(area_circle="51.93,5.83 0.5", area_targets=True)
    assert [t["name"] for t in area_targets(circle)] == ["Vierdaagse"]


@pytest.mark.postgres
def test_a_perimeter_around_the_area_reaches_its_event(world):
    perimeter = "51.80,5.70 51.80,6.00 52.00,6.00 52.00,5.70 51.80,5.70"
    _register_event(world, "Festivalterrein", 51.80, 5.70, perimeter)
    inner = [(51.90, 5.85), (51.91, 5.86), (51.89, 5.86), (51.90, 5.85)]  # wholly inside
    alert = world.approved(area_polygon=format_polygon(inner), area_targets=True)
    assert [t["name"] for t in area_targets(alert)] == ["Festivalterrein"]


def test_a_route_is_for_events_and_must_be_well_formed(world):
    grounds = world.sector("event_grounds")
    fields = {
        "name": "Loop",
        "category": grounds,
        "municipality": "Nijmegen",
        "latitude": Decimal("51.842600"),
        "longitude": Decimal("5.859000"),
        "capacity": 5000,
        "security_contact_name": "Meldkamer",
        "security_contact_phone": "+31241234567",
    }
    with pytest.raises(ValidationError) as refused:
        threat_services.soft_target_create(by=world.admin_b, route=ROUTE, **fields)
    assert refused.value.message_dict["route"]
    start = timezone.now() + timedelta(days=3)
    event = {"is_event": True, "event_start": start, "event_end": start + timedelta(hours=5)}
    for bad in ("51.8,5.8", "51.8;5.8 51.9;5.9", "51.8,5.8 95,5.9"):
        with pytest.raises(ValidationError) as refused:
            threat_services.soft_target_create(by=world.admin_b, route=bad, **fields, **event)
        assert refused.value.message_dict["route"], bad
    made = threat_services.soft_target_create(by=world.admin_b, route=ROUTE, **fields, **event)
    assert (made.route_west, made.route_east) == (5.83, 5.87)
