"""How the API names threats' objects, for every app's API: sectors written as codes and shown
by name, soft targets as references (``{"id", "name"}``).

The app's published integration for other apps' faces (alerts, preparedness), like
``partnerships.drf``: no rule, no face imported. Generic fields (codes with labels, coordinates)
are in ``ppsportal.api.fields``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ppsportal.api.common import PublicRefSerializer
from threats.models import Sector, SoftTarget


class SectorRefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(
        source="display_name", read_only=True, help_text=_("In the request's language.")
    )

    class Meta:
        model = Sector
        fields = ["code", "name"]
        read_only_fields = fields


class SoftTargetRefSerializer(PublicRefSerializer):
    class Meta:
        model = SoftTarget
        fields = ["id", "name"]


class SectorField(serializers.SlugRelatedField):
    """A sector (soft-target category) written as its code, e.g. ``football_stadium``."""

    default_error_messages = {"does_not_exist": _("There is no category with code {value}.")}

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Sector.objects.all(), **kwargs)
