"""``/api/v1/stix/``: the caller's threat picture as one STIX 2.1 bundle."""

from __future__ import annotations

import json

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView

from interop import stix
from interop.selectors import feed_for, feed_objects
from partnerships.api.common import errors
from partnerships.selectors import actor_for
from ppsportal.sensitivity import TLP

BUNDLE_EXAMPLE = {
    "type": "bundle",
    "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
    "objects": [
        {
            "type": "report",
            "spec_version": "2.1",
            "id": "report--3f0c2b1e-8d4a-4f6b-9c1e-2a7d5e9b0c11",
            "name": "Dreiging tegen stadions",
            "report_types": ["threat-report"],
            "published": "2026-05-01T10:00:00.000Z",
            "object_refs": ["identity--…", "threat-actor--…", "attack-pattern--…"],
            "object_marking_refs": [stix.TLP_MARKING_IDS[TLP.AMBER]],
            "x_pps_kind": "threat-assessment",
        }
    ],
}


class StixBundleView(APIView):
    @extend_schema(
        operation_id="stix_bundle",
        summary="Export what you may see as a STIX 2.1 bundle",
        description="Threat assessments and alerts visible to you (the same rule as their "
        "lists) as STIX 2.1 reports with their identities, threat actors (motives) and attack "
        "patterns (modi operandi), marked with the official TLP 2.0 marking definitions and "
        "the covenants they were shared under. Reading AMBER and above is written to the "
        "audit log.",
        parameters=[
            OpenApiParameter(
                "tlp",
                OpenApiTypes.STR,
                enum=TLP.values,
                description=str(gettext_lazy("Only objects at this TLP level.")),
            )
        ],
        responses={200: OpenApiTypes.OBJECT, **errors(400, 401)},
        examples=[OpenApiExample("A bundle", value=BUNDLE_EXAMPLE, response_only=True)],
        tags=["stix"],
    )
    def get(self, request):
        level = request.query_params.get("tlp") or None
        if level is not None and level not in TLP.values:
            raise exceptions.ValidationError(
                {
                    "tlp": [
                        gettext_lazy("Choose one of: %(levels)s.")
                        % {"levels": ", ".join(TLP.values)}
                    ]
                }
            )
        entries = feed_for(
            actor_for(request.user), level=level, request=request, purpose="stix export"
        )
        bundle = stix.bundle(obj for _added, obj in feed_objects(entries))
        return Response(json.loads(bundle.serialize()))
