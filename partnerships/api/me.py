"""Who am I: the signed-in user, their organisation and their role."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from partnerships.drf import OrganisationRefSerializer
from partnerships.selectors import actor_for
from ppsportal.api.common import errors


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    organisation = OrganisationRefSerializer(allow_null=True)
    role = serializers.CharField(
        allow_null=True, help_text=_("admin, member, viewer or integrator")
    )
    role_label = serializers.CharField(allow_null=True)
    is_nctv_staff = serializers.BooleanField()


class MeView(APIView):
    """The signed-in user, their organisation and their role."""

    @extend_schema(
        operation_id="me_retrieve",
        summary="Who am I",
        responses={200: MeSerializer, **errors(401)},
        examples=[
            OpenApiExample(
                "Integrator of the ArenA",
                value={
                    "username": "arena-integrator",
                    "full_name": "ArenA integration",
                    "organisation": {
                        "id": "7d7f0b55-1c1e-4f57-9a43-0d1a9d0d6a10",
                        "name": "Johan Cruijff ArenA",
                    },
                    "role": "integrator",
                    "role_label": "Integrator (API account)",
                    "is_nctv_staff": False,
                },
            )
        ],
        tags=["me"],
    )
    def get(self, request):
        actor = actor_for(request.user)
        membership = actor.membership
        data = {
            "username": request.user.get_username(),
            "full_name": request.user.get_full_name(),
            "organisation": membership.organisation if membership else None,
            "role": membership.role if membership else None,
            "role_label": membership.get_role_display() if membership else None,
            "is_nctv_staff": actor.is_nctv_staff,
        }
        return Response(MeSerializer(data).data)
