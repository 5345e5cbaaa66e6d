"""``/api/v1/stix/``: the caller's threat picture as one STIX 2.1 bundle."""

from __future__ import annotations

import json

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from interop import services, stix
from interop.models import AssessmentDraft
from interop.selectors import feed_for, feed_objects
from partnerships.selectors import actor_for
from ppsportal.api.common import errors
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


class DraftSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    assessment = serializers.UUIDField(
        source="assessment.public_id", read_only=True, allow_null=True
    )

    class Meta:
        model = AssessmentDraft
        fields = [
            "id",
            "stix_id",
            "title",
            "summary",
            "tlp",
            "valid_from",
            "valid_until",
            "motives",
            "modi",
            "target_categories",
            "regions",
            "status",
            "assessment",
        ]
        read_only_fields = fields


class ImportResultSerializer(serializers.Serializer):
    drafts = DraftSerializer(many=True)
    skipped = serializers.ListField(child=serializers.DictField())


class StixImportView(APIView):
    @extend_schema(
        operation_id="stix_import",
        summary="Import a STIX 2.1 bundle as draft assessments (NCTV staff)",
        description="Each report becomes a draft; nothing is published until staff publish the "
        "draft. Reports that cannot be mapped (no TLP marking, an unknown motive, modus "
        "operandi or target category) are listed under `skipped` with the reason; a bundle of "
        "which nothing can be mapped is refused (400) with those reasons.",
        request=OpenApiTypes.OBJECT,
        responses={201: ImportResultSerializer, **errors(400, 401, 403)},
        examples=[OpenApiExample("A bundle", value=BUNDLE_EXAMPLE, request_only=True)],
        tags=["stix"],
    )
    def post(self, request):
        result = services.stix_bundle_import(bundle=request.data, by=request.user, request=request)
        data = ImportResultSerializer({"drafts": result.drafts, "skipped": result.skipped}).data
        return Response(data, status=status.HTTP_201_CREATED)


class DraftPublishView(APIView):
    @extend_schema(
        operation_id="stix_draft_publish",
        summary="Publish an imported draft as a threat assessment (NCTV staff)",
        description="Publishing twice changes nothing and answers the same draft.",
        request=None,
        responses={200: DraftSerializer, **errors(401, 403, 404)},
        tags=["stix"],
    )
    def post(self, request, id):
        if not actor_for(request.user).is_nctv_staff:
            raise exceptions.NotFound()
        draft = AssessmentDraft.objects.filter(public_id=id).first()
        if draft is None:
            raise exceptions.NotFound()
        services.assessment_draft_publish(draft=draft, by=request.user, request=request)
        draft.refresh_from_db()
        return Response(DraftSerializer(draft).data)
