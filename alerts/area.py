"""The alert's area in CAP 1.2 form: a polygon as whitespace-separated "latitude,longitude"
pairs (WGS 84), at least four, the first and last the same (CAP 1.2, section 3.2.4)."""

from __future__ import annotations

from itertools import pairwise

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def parse_polygon(text: str) -> list[tuple[float, float]]:
    """The points of a CAP polygon; ``ValidationError`` saying what is wrong otherwise.
    An empty text is no polygon (an empty list)."""
    text = (text or "").strip()
    if not text:
        return []
    points: list[tuple[float, float]] = []
    for number, pair in enumerate(text.split(), start=1):
        parts = pair.split(",")
        try:
            if len(parts) != 2:
                raise ValueError(pair)
            lat, lon = float(parts[0]), float(parts[1])
        except ValueError:
            raise ValidationError(
                _(
                    'Point %(number)s (%(pair)s) is not "latitude,longitude", '
                    "for example 52.37,4.89."
                )
                % {"number": number, "pair": pair[:40]},
                code="area_point",
            ) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValidationError(
                _("Point %(number)s (%(pair)s) lies outside the range of coordinates.")
                % {"number": number, "pair": pair[:40]},
                code="area_range",
            )
        points.append((lat, lon))
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


def format_polygon(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{lat:g},{lon:g}" for lat, lon in points)


def bounding_box(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    """(south, west, north, east) of the points: the prefilter the database applies."""
    lats = [lat for lat, _lon in points]
    lons = [lon for _lat, lon in points]
    return min(lats), min(lons), max(lats), max(lons)


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
