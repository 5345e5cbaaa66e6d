"""Points as CAP 1.2 writes them: whitespace-separated "latitude,longitude" pairs (WGS 84).

One parser for every shape built from such pairs: an alert's polygon (``alerts.area``) and an
event's route or perimeter (``threats.route``). Each caller names its own error-code prefix, so
its refusals keep their codes ("area_point", "route_range", …) and one message in Dutch and
English serves all of them.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

Point = tuple[float, float]


def parse_points(text: str, *, code_prefix: str) -> list[Point]:
    """The points of ``text`` (empty text: none); ``ValidationError`` with the code
    ``<code_prefix>_point`` for a pair that is not two numbers and ``<code_prefix>_range`` for
    one outside latitude -90..90 or longitude -180..180, naming the point by its number."""
    text = (text or "").strip()
    if not text:
        return []
    points: list[Point] = []
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
                code=f"{code_prefix}_point",
            ) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValidationError(
                _("Point %(number)s (%(pair)s) lies outside the range of coordinates.")
                % {"number": number, "pair": pair[:40]},
                code=f"{code_prefix}_range",
            )
        points.append((lat, lon))
    return points


def format_points(points: list[Point]) -> str:
    return " ".join(f"{lat:g},{lon:g}" for lat, lon in points)


def bounding_box(points: list[Point]) -> tuple[float, float, float, float]:
    """(south, west, north, east) of the points: the prefilter the database applies."""
    lats = [lat for lat, _lon in points]
    lons = [lon for _lat, lon in points]
    return min(lats), min(lons), max(lats), max(lons)
