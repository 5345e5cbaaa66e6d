"""The alert's area in CAP 1.2 form: a polygon as whitespace-separated "latitude,longitude"
pairs (WGS 84), at least four, the first and last the same (CAP 1.2, section 3.2.4)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ppsportal.geo import bounding_box, format_points, parse_points


def parse_polygon(text: str) -> list[tuple[float, float]]:
    """The points of a CAP polygon; ``ValidationError`` saying what is wrong otherwise.
    An empty text is no polygon (an empty list)."""
    points = parse_points(text, code_prefix="area")
    if not points:
        return []
    if len(points) < 4:
        raise ValidationError(
            _("A polygon needs at least four points, the last the same as the first."),
            code="area_too_few",
        )
    if points[0] != points[-1]:
        raise ValidationError(
            _("A polygon must be closed: its last point must be the same as its first."),
            code="area_not_closed",
        )
    return points


format_polygon = format_points


def contains(points: list[tuple[float, float]], lat: float, lon: float) -> bool:
    """Whether (lat, lon) lies inside the closed polygon ``points`` (even-odd rule, by casting a
    ray along the latitude). A point exactly on an edge may fall either way; the areas drawn for
    alerts are far larger than that uncertainty."""
    inside = False
    for (lat1, lon1), (lat2, lon2) in pairwise(points):
        if (lat1 > lat) != (lat2 > lat):
            crossing = lon1 + (lat - lat1) * (lon2 - lon1) / (lat2 - lat1)
            if lon < crossing:
                inside = not inside
    return inside


# --- circles (CAP 1.2 "latitude,longitude radius", radius in kilometres) ---------------------

EARTH_RADIUS_KM = 6371.0088  # the mean radius (IUGG)
MAX_RADIUS_KM = 500.0  # larger than the Netherlands: a typo, not an area


def parse_circle(text: str) -> tuple[float, float, float] | None:
    """(latitude, longitude, radius in km) of a CAP circle; ``None`` for an empty text;
    ``ValidationError`` saying what is wrong otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    message = _(
        'A circle is "latitude,longitude radius" (radius in km), for example 52.3142,4.9419 1.5.'
    )
    parts = text.split()
    try:
        if len(parts) != 2:
            raise ValueError(text)
        centre = parts[0].split(",")
        if len(centre) != 2:
            raise ValueError(text)
        lat, lon, radius = float(centre[0]), float(centre[1]), float(parts[1])
    except ValueError:
        raise ValidationError(message, code="circle_format") from None
    if not all(math.isfinite(v) for v in (lat, lon, radius)):
        raise ValidationError(message, code="circle_format")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationError(
            _("The circle's centre lies outside the range of coordinates."), code="circle_range"
        )
    if not (0 < radius <= MAX_RADIUS_KM):
        raise ValidationError(
            _("The circle's radius must be more than 0 and at most %(max)s km.")
            % {"max": f"{MAX_RADIUS_KM:g}"},
            code="circle_radius",
        )
    return lat, lon, radius


def format_circle(circle: tuple[float, float, float] | None) -> str:
    if circle is None:
        return ""
    lat, lon, radius = circle
    return f"{lat:g},{lon:g} {radius:g}"


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance (haversine) on the mean Earth sphere."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def circle_contains(circle: tuple[float, float, float], lat: float, lon: float) -> bool:
    clat, clon, radius = circle
    return distance_km(clat, clon, lat, lon) <= radius


def circle_box(circle: tuple[float, float, float]) -> tuple[float, float, float, float]:
    """(south, west, north, east) enclosing the circle: the latitude span is exact; the
    longitude span is taken at the latitude nearest a pole, where a kilometre spans most."""
    lat, lon, radius = circle
    dlat = math.degrees(radius / EARTH_RADIUS_KM)
    south, north = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    widest = max(abs(south), abs(north))
    if widest >= 89.9:
        return south, -180.0, north, 180.0
    dlon = math.degrees(radius / (EARTH_RADIUS_KM * math.cos(math.radians(widest))))
    return south, max(-180.0, lon - dlon), north, min(180.0, lon + dlon)


# --- the area as a whole: polygons (drawn or of chosen regions) and circles -------------------


@dataclass(frozen=True)
class Area:
    """The union of polygons and circles; a point is in the area when it is in any of them."""

    polygons: tuple[tuple[tuple[float, float], ...], ...] = ()
    circles: tuple[tuple[float, float, float], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.polygons or self.circles)

    def boxes(self) -> list[tuple[float, float, float, float]]:
        """(south, west, north, east) of each part: the prefilter the database applies."""
        return [bounding_box(list(p)) for p in self.polygons] + [
            circle_box(c) for c in self.circles
        ]

    def contains(self, lat: float, lon: float) -> bool:
        return any(contains(list(p), lat, lon) for p in self.polygons) or any(
            circle_contains(c, lat, lon) for c in self.circles
        )


def _orientation(a, b, c) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _on_segment(a, b, c) -> bool:
    """c, collinear with a-b, lies within its box."""
    return min(a[0], b[0]) <= c[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= c[1] <= max(a[1], b[1])


def segments_cross(p1, p2, q1, q2) -> bool:
    """Whether segment p1-p2 and segment q1-q2 have a point in common (touching counts)."""
    d1, d2 = _orientation(q1, q2, p1), _orientation(q1, q2, p2)
    d3, d4 = _orientation(p1, p2, q1), _orientation(p1, p2, q2)
    if ((d1 > 0) != (d2 > 0) and d1 != 0 and d2 != 0) and (
        (d3 > 0) != (d4 > 0) and d3 != 0 and d4 != 0
    ):
        return True
    return (
        (d1 == 0 and _on_segment(q1, q2, p1))
        or (d2 == 0 and _on_segment(q1, q2, p2))
        or (d3 == 0 and _on_segment(p1, p2, q1))
        or (d4 == 0 and _on_segment(p1, p2, q2))
    )


def _segment_distance_km(circle, a, b) -> float:
    """Distance from the circle's centre to segment a-b, on a plane tangent at the centre
    (equirectangular: exact enough over the tens of kilometres of an event's route)."""
    clat, clon, _radius = circle
    k = math.cos(math.radians(clat))
    km = math.radians(1) * EARTH_RADIUS_KM
    ax, ay = (a[1] - clon) * k * km, (a[0] - clat) * km
    bx, by = (b[1] - clon) * k * km, (b[0] - clat) * km
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length))
    return math.hypot(ax + t * dx, ay + t * dy)


def _polygon_touches(polygon, route, closed) -> bool:
    ring = list(polygon)
    if any(contains(ring, lat, lon) for lat, lon in route):
        return True
    if closed and any(contains(list(route), lat, lon) for lat, lon in ring):
        return True  # the area lies inside the perimeter
    return any(
        segments_cross(p1, p2, q1, q2) for p1, p2 in pairwise(route) for q1, q2 in pairwise(ring)
    )


def _circle_touches(circle, route, closed) -> bool:
    if closed and contains(list(route), circle[0], circle[1]):
        return True
    if len(route) == 1:
        return circle_contains(circle, *route[0])
    return any(_segment_distance_km(circle, a, b) <= circle[2] for a, b in pairwise(route))


def area_touches(area: Area, route: list[tuple[float, float]]) -> bool:
    """Whether an event's route (a line) or perimeter (closed: an area) meets the area."""
    closed = len(route) >= 4 and route[0] == route[-1]
    return any(_polygon_touches(p, route, closed) for p in area.polygons) or any(
        _circle_touches(c, route, closed) for c in area.circles
    )


def area_of(alert) -> Area:
    """The alert's area: its drawn polygon and circle and the outlines of its chosen regions."""
    from alerts.regions import regions

    polygons = []
    if alert.area_polygon:
        polygons.append(tuple(parse_polygon(alert.area_polygon)))
    known = regions()
    polygons += [known[code].polygon for code in alert.area_regions or [] if code in known]
    circle = parse_circle(alert.area_circle)
    return Area(polygons=tuple(polygons), circles=(circle,) if circle else ())
