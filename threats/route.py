"""An event's route or perimeter: "latitude,longitude" pairs (WGS 84) separated by spaces, as
CAP writes a polygon. Two or more points make a route (a line); four or more with the last the
same as the first make a perimeter (an area). Its bounding box is stored beside it so that the
database can find the events near an alert's area."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ppsportal.geo import bounding_box, format_points, parse_points

MAX_POINTS = 2000  # a drawn route, not a GPS track


def parse_route(text: str) -> list[tuple[float, float]]:
    """The points of a route or perimeter (empty: none); ``ValidationError`` saying what is
    wrong otherwise."""
    text = (text or "").strip()
    if len(text.split()) > MAX_POINTS:
        raise ValidationError(
            _("A route has at most %(max)s points.") % {"max": MAX_POINTS}, code="route_long"
        )
    points = parse_points(text, code_prefix="route")
    if points and len(points) < 2:
        raise ValidationError(_("A route needs at least two points."), code="route_short")
    return points


def is_perimeter(points: list[tuple[float, float]]) -> bool:
    return len(points) >= 4 and points[0] == points[-1]


format_route = format_points
route_box = bounding_box
