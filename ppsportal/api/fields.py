"""API building blocks several apps show: codes with labels, coordinates, the staff-only
refusal. References to an app's own objects are that app's ``drf`` module (``threats.drf``:
sectors and soft targets); ``ppsportal.api.common`` supplies the rest (ids, errors)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from django.utils.translation import gettext
from rest_framework import serializers


def staff_only() -> str:
    """The refusal for what only NCTV staff may do (the services' own words)."""
    return gettext("Only NCTV staff may do this.")


class CodeLabelSerializer(serializers.Serializer):
    """An enumeration value as its stable code and the label a person reads."""

    code = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)


def code_labels(choices, codes) -> list[dict]:
    """``[{"code", "label"}]`` for ``codes`` of a TextChoices class, in the given order."""
    return [{"code": code, "label": str(choices(code).label)} for code in codes]


class CoordinateField(serializers.DecimalField):
    """Degrees, rounded to six decimals (about 10 cm) rather than refused for more; a value
    outside ``±limit`` is refused (a latitude of 91 is not on Earth)."""

    _STEP = Decimal("0.000001")

    def __init__(self, *, limit: int, **kwargs):
        super().__init__(
            max_digits=9,
            decimal_places=6,
            min_value=Decimal(-limit),
            max_value=Decimal(limit),
            rounding=ROUND_HALF_EVEN,
            coerce_to_string=False,
            **kwargs,
        )

    def validate_precision(self, value):
        if value > self.max_value:
            self.fail("max_value", max_value=self.max_value)
        if value < self.min_value:
            self.fail("min_value", min_value=self.min_value)
        return super().validate_precision(value.quantize(self._STEP, rounding=self.rounding))
