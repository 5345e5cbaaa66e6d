"""An event's route or perimeter: "latitude,longitude" pairs (WGS 84) separated by spaces, as
CAP writes a polygon. Two or more points make a route (a line); four or more with the last the
same as the first make a perimeter (an area). Its bounding box is stored beside it so that the
database can find the events near an alert's area."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_POINTS = 2000  # a drawn route, not a GPS track


def parse_route(text: str) -> list[tuple[float, float]]:
    """The points of a route or perimeter (empty: none); ``ValidationError`` saying what is
    wrong otherwise."""
    text = (text or "").strip()
    if not text:
        return []
    pairs = text.split()
    if len(pairs) > MAX_POINTS:
        raise ValidationError(
            _("A route has at most %(max)s points.") % {"max": MAX_POINTS}, code="route_long"
        )
    points = []
    for number, pair in enumerate(pairs, start=1):
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
                code="route_point",
            ) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValidationError(
                _("Point %(number)s (%(pair)s) lies outside the range of coordinates.")
                % {"number": number, "pair": pair[:40]},
                code="route_range",
            )
        points.append((lat, lon))
    if len(points) < 2:
        raise ValidationError(_("A route needs at least two points."), code="route_short")
    return points


def is_perimeter(points: list[tuple[float, float]]) -> bool:
    return len(points) >= 4 and points[0] == points[-1]


def format_route(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{lat:g},{lon:g}" for lat, lon in points)


def route_box(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    lats = [lat for lat, _lon in points]
    lons = [lon for _lat, lon in points]
    return min(lats), min(lons), max(lats), max(lons)
