"""``/api/v1/preferences/``: the channels the caller receives alerts on; and
``/api/v1/organisation-defaults/``: the defaults an organisation's administrators set for
members without a choice of their own."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from alerts.api.examples import ORGANISATION_DEFAULTS, PREFERENCE_SMS, PREFERENCES
from alerts.models import USER_CHANNELS, Channel
from alerts.preferences import (
    Source,
    organisation_default_set,
    organisation_defaults_of,
    preference_set,
    preferences_of,
)
from partnerships.selectors import actor_for
from ppsportal.api.common import errors

CHANNEL_CHOICES = [(str(c), Channel(c).label) for c in USER_CHANNELS]
SOURCE_CHOICES = [
    (Source.USER, _("Your own choice")),
    (Source.ORGANISATION, _("Your organisation's default")),
    (Source.DEFAULT, _("The portal's default")),
]
CHANNEL_PARAMETER = OpenApiParameter(
    "channel",
    str,
    OpenApiParameter.PATH,
    enum=[str(c) for c in USER_CHANNELS],
    description="in_app, email or sms (webhooks are per organisation: /api/v1/webhooks/).",
)


class PreferenceSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=CHANNEL_CHOICES, read_only=True)
    label = serializers.CharField(read_only=True)
    enabled = serializers.BooleanField(
        help_text=_("Whether you receive alerts on this channel (the effective value).")
    )
    source = serializers.ChoiceField(
        choices=SOURCE_CHOICES,
        read_only=True,
        help_text=_(
            "user: your own choice; organisation: your organisation's default; default: in "
            "the portal and by email."
        ),
    )
    address = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text=_("For SMS: the phone number, +31612345678. Omitted: the stored one is kept."),
    )


class OrganisationDefaultSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=CHANNEL_CHOICES, read_only=True)
    label = serializers.CharField(read_only=True)
    enabled = serializers.BooleanField()
    source = serializers.ChoiceField(
        choices=SOURCE_CHOICES[1:],
        read_only=True,
        help_text=_("organisation: set by an administrator; default: the portal's."),
    )


def _row(rows: list[dict], channel: str) -> dict:
    for row in rows:
        if row["channel"] == channel:
            return row
    raise NotFound()


@extend_schema(tags=["preferences"])
class PreferenceViewSet(viewsets.ViewSet):
    lookup_field = "channel"
    lookup_value_regex = "[a-z_]+"
    serializer_class = PreferenceSerializer

    @extend_schema(
        summary="Your channels",
        description="Per channel whether you receive alerts on it, and where that comes from.",
        responses={200: PreferenceSerializer(many=True), **errors(401)},
        examples=[OpenApiExample("Channels", value=PREFERENCES, response_only=True)],
    )
    def list(self, request):
        return Response(PreferenceSerializer(preferences_of(request.user), many=True).data)

    @extend_schema(
        summary="One of your channels",
        parameters=[CHANNEL_PARAMETER],
        responses={200: PreferenceSerializer, **errors(401, 404)},
        examples=[OpenApiExample("SMS", value=PREFERENCE_SMS, response_only=True)],
    )
    def retrieve(self, request, channel=None):
        return Response(PreferenceSerializer(_row(preferences_of(request.user), channel)).data)

    @extend_schema(
        summary="Choose a channel",
        description="Switch a channel on or off for yourself. SMS needs a phone number.",
        parameters=[CHANNEL_PARAMETER],
        request=PreferenceSerializer,
        responses={200: PreferenceSerializer, **errors(400, 401, 404)},
        examples=[
            OpenApiExample(
                "SMS on", value={"enabled": True, "address": "+31612345678"}, request_only=True
            ),
            OpenApiExample("Chosen", value=PREFERENCE_SMS, response_only=True),
            OpenApiExample(
                "No number",
                value={"address": ["Give the phone number that should receive the SMS messages."]},
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    def update(self, request, channel=None, partial=False):
        current = _row(preferences_of(request.user), channel)
        serializer = PreferenceSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        preference_set(
            user=request.user,
            channel=channel,
            enabled=data.get("enabled", current["enabled"]),
            address=data.get("address", current["address"]),
        )
        return Response(PreferenceSerializer(_row(preferences_of(request.user), channel)).data)

    @extend_schema(
        summary="Change a channel",
        description="As PUT; what is left out stays as it is.",
        parameters=[CHANNEL_PARAMETER],
        request=PreferenceSerializer,
        responses={200: PreferenceSerializer, **errors(400, 401, 404)},
        examples=[
            OpenApiExample("Email off", value={"enabled": False}, request_only=True),
            OpenApiExample(
                "Changed",
                value={**PREFERENCES[1], "source": "user"},
                response_only=True,
            ),
        ],
    )
    def partial_update(self, request, channel=None):
        return self.update(request, channel=channel, partial=True)


@extend_schema(tags=["preferences"])
class OrganisationDefaultViewSet(viewsets.ViewSet):
    lookup_field = "channel"
    lookup_value_regex = "[a-z_]+"
    serializer_class = OrganisationDefaultSerializer

    def _organisation(self):
        organisation = actor_for(self.request.user).organisation
        if organisation is None:
            raise NotFound()
        return organisation

    @extend_schema(
        summary="Your organisation's channel defaults",
        description="What members receive on when they chose nothing themselves.",
        responses={200: OrganisationDefaultSerializer(many=True), **errors(401, 404)},
        examples=[OpenApiExample("Defaults", value=ORGANISATION_DEFAULTS, response_only=True)],
    )
    def list(self, request):
        rows = organisation_defaults_of(self._organisation())
        return Response(OrganisationDefaultSerializer(rows, many=True).data)

    @extend_schema(
        summary="One of your organisation's channel defaults",
        parameters=[CHANNEL_PARAMETER],
        responses={200: OrganisationDefaultSerializer, **errors(401, 404)},
        examples=[
            OpenApiExample("Email", value=ORGANISATION_DEFAULTS[1], response_only=True),
        ],
    )
    def retrieve(self, request, channel=None):
        rows = organisation_defaults_of(self._organisation())
        return Response(OrganisationDefaultSerializer(_row(rows, channel)).data)

    @extend_schema(
        summary="Set a channel default (organisation administrators)",
        parameters=[CHANNEL_PARAMETER],
        request=OrganisationDefaultSerializer,
        responses={200: OrganisationDefaultSerializer, **errors(400, 401, 403, 404)},
        examples=[
            OpenApiExample("Email off", value={"enabled": False}, request_only=True),
            OpenApiExample("Set", value=ORGANISATION_DEFAULTS[1], response_only=True),
        ],
    )
    def update(self, request, channel=None, partial=False):
        organisation = self._organisation()
        _row(organisation_defaults_of(organisation), channel)  # an unknown channel is 404
        serializer = OrganisationDefaultSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        organisation_default_set(  # a PATCH without `enabled` changes nothing, for those who may
            organisation=organisation,
            channel=channel,
            enabled=serializer.validated_data.get("enabled"),
            by=request.user,
        )
        rows = organisation_defaults_of(organisation)
        return Response(OrganisationDefaultSerializer(_row(rows, channel)).data)

    @extend_schema(
        summary="Change a channel default (organisation administrators)",
        description="As PUT: `enabled` is the only field; left out, nothing changes.",
        parameters=[CHANNEL_PARAMETER],
        request=OrganisationDefaultSerializer,
        responses={200: OrganisationDefaultSerializer, **errors(400, 401, 403, 404)},
        examples=[
            OpenApiExample("SMS on", value={"enabled": True}, request_only=True),
            OpenApiExample(
                "Set",
                value={**ORGANISATION_DEFAULTS[2], "enabled": True, "source": "organisation"},
                response_only=True,
            ),
        ],
    )
    def partial_update(self, request, channel=None):
        return self.update(request, channel=channel, partial=True)
