"""Partners share too, through the API: share an object of your own with another organisation
under a covenant both signed, list and withdraw what you shared, list what was shared with you.

Every rule is the sharing service's (``may_share``, the two-sided footing, the clause); these
views parse, call and answer. An object you may not see answers 404; one you see but may not
share, 403; a refusal of the footing, 400 with the reason.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from partnerships.drf import OrganisationField, OrganisationRefSerializer
from partnerships.models import Covenant, Organisation
from partnerships.selectors import actor_for
from partnerships.sharing import services as sharing
from partnerships.sharing.drf import SharedCovenantRefSerializer, SharedUnderSerializer
from partnerships.sharing.partner import (
    partner_object,
    share_row,
    shares_made_by,
    shares_received_by,
)
from partnerships.sharing.reads import record_reads
from partnerships.sharing.registry import spec_for
from ppsportal.api.common import PublicIdField, errors

OBJECT_TYPES = [
    ("contact_entry", _("Contact-log entry")),
    ("soft_target", _("Soft-target details")),
    ("report", _("Report")),
]

_ARENA = {"id": "7d7f0b55-1c1e-4f57-9a43-0d1a9d0d6a10", "name": "Johan Cruijff ArenA"}
_POLICE = {"id": "0b8e4a8e-2f4c-4f0a-8d7e-3c1f2d9e6b11", "name": "Politie Amsterdam"}
_COVENANT = {"id": "5a0c2c8e-8a59-4d0e-9d55-0f5b1e3b9a22", "title": "Convenant ArenA"}
SHARE = {
    "object_type": "contact_entry",
    "object": {"id": "3f1d7c2a-6a43-4b5e-8f0e-2d4b9c7a1e33", "name": "2026-11-20: Meeting"},
    "tlp": "amber",
    "organisation": _POLICE,
    "shared_by": _ARENA,
    "covenant": _COVENANT,
    "shared_under": {"covenant": _COVENANT, "purpose": "Veiligheid rond evenementen"},
    "reason": "Voor de briefing van zaterdag.",
    "granted_by": "arena-operator",
    "granted_at": "2026-11-21T09:30:00+01:00",
    "in_effect": True,
}


class ObjectRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(source="__str__", read_only=True)


class PartnerShareSerializer(serializers.Serializer):
    """One share of an organisation's own object with another organisation."""

    object_type = serializers.ChoiceField(choices=OBJECT_TYPES, source="kind", read_only=True)
    object = ObjectRefSerializer(source="obj", read_only=True)
    tlp = serializers.SerializerMethodField()
    organisation = OrganisationRefSerializer(read_only=True, help_text=_("Shared with."))
    shared_by = OrganisationRefSerializer(source="sharer", read_only=True)
    covenant = serializers.SerializerMethodField()
    shared_under = serializers.SerializerMethodField()
    reason = serializers.CharField(read_only=True)
    granted_by = serializers.SerializerMethodField()
    granted_at = serializers.DateTimeField(read_only=True)
    in_effect = serializers.BooleanField(
        source="valid",
        read_only=True,
        help_text=_("False once the covenant no longer gives the footing or its retention ended."),
    )

    def get_tlp(self, row) -> str:
        return getattr(row.obj, row.spec.tlp_field)

    @extend_schema_field(SharedCovenantRefSerializer)
    def get_covenant(self, row) -> dict:
        return {"id": str(row.covenant.public_id), "title": row.covenant.title}

    @extend_schema_field(SharedUnderSerializer)
    def get_shared_under(self, row) -> dict:
        return {"covenant": self.get_covenant(row), "purpose": row.covenant.purpose}

    def get_granted_by(self, row) -> str | None:
        return row.granted_by.get_username() if row.granted_by is not None else None


class ShareCreateSerializer(serializers.Serializer):
    object_type = serializers.ChoiceField(choices=OBJECT_TYPES)
    object = serializers.UUIDField(help_text=_("The id of your own object."))
    organisation = OrganisationField(help_text=_("The organisation to share with."))
    covenant = PublicIdField(
        queryset=Covenant.objects.all(),
        help_text=_("A covenant in force that both organisations signed."),
    )
    reason = serializers.CharField(max_length=300)


def _actor(request):
    return actor_for(request.user)


def _object(request, object_type, object_id):
    """Visible (else 404) and ours to share (else 403, by the service's own words)."""
    from django.http import Http404

    actor = _actor(request)
    try:
        obj = partner_object(actor, object_type, object_id)
    except Http404:
        raise NotFound() from None
    sharing.require_may_share(actor, spec_for(obj), obj)
    return obj


class _SharesView(GenericAPIView):
    serializer_class = PartnerShareSerializer
    queryset = Organisation.objects.none()  # for the schema only: the rows are shares
    rows_of = None  # for a list: organisation -> its shares (made or received)

    def list_page(self, request):
        """A page of the caller's organisation's shares; each AMBER+ object listed is a read."""
        actor = _actor(request)
        rows = type(self).rows_of(actor.organisation) if actor.organisation is not None else []
        page = self.paginate_queryset(rows)
        record_reads(actor, page, request=request, purpose="api list")
        return self.get_paginated_response(PartnerShareSerializer(page, many=True).data)


class ShareListView(_SharesView):
    rows_of = staticmethod(shares_made_by)

    def get_serializer_class(self):
        return ShareCreateSerializer if self.request.method == "POST" else PartnerShareSerializer

    @extend_schema(
        operation_id="shares_list",
        summary="What your organisation shared",
        description="Your organisation's own contact-log entries, soft-target details and "
        "reports shared with other organisations, newest first, each with the covenant and "
        "its purpose and whether it is still in effect. Every AMBER+ object listed is a read "
        "and is written to the audit log.",
        responses={200: PartnerShareSerializer(many=True), **errors(401)},
        examples=[OpenApiExample("A contact entry with the police", value=SHARE)],
        tags=["shares"],
    )
    def get(self, request):
        return self.list_page(request)

    @extend_schema(
        operation_id="shares_create",
        summary="Share an object of your own",
        description="With a named organisation, under a covenant in force that both your "
        "organisation and theirs signed and whose information clause allows the object's "
        "level (AMBER; AMBER+STRICT with one organisation). Your role must allow writing. "
        "Sharing twice changes nothing. An object you may not see answers 404; one that is "
        "not your organisation's, 403.",
        request=ShareCreateSerializer,
        responses={201: PartnerShareSerializer, **errors(400, 401, 403, 404)},
        examples=[
            OpenApiExample(
                "Share a contact entry",
                value={
                    "object_type": "contact_entry",
                    "object": SHARE["object"]["id"],
                    "organisation": _POLICE["id"],
                    "covenant": _COVENANT["id"],
                    "reason": "Voor de briefing van zaterdag.",
                },
                request_only=True,
            ),
            OpenApiExample("Shared", value=SHARE, response_only=True),
            OpenApiExample(
                "The other party did not sign",
                value={
                    "organisation": [
                        "Politie Amsterdam has not signed the covenant 'Convenant ArenA'."
                    ]
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
        tags=["shares"],
    )
    def post(self, request):
        serializer = ShareCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        obj = _object(request, data["object_type"], data["object"])
        grant = sharing.share_with_organisation(
            obj=obj,
            organisation=data["organisation"],
            covenant=data["covenant"],
            by=request.user,
            reason=data["reason"],
            request=request,
        )
        row = share_row(spec_for(obj), grant)
        return Response(PartnerShareSerializer(row).data, status=status.HTTP_201_CREATED)


class SharesReceivedView(_SharesView):
    rows_of = staticmethod(shares_received_by)

    @extend_schema(
        operation_id="shares_received",
        summary="What other organisations shared with yours",
        description="Contact-log entries, soft-target details and reports shared with your "
        "organisation that you may see today: from whom, under which covenant and for what "
        "purpose. Every AMBER+ object listed is a read and is written to the audit log, which "
        "its owner sees.",
        responses={200: PartnerShareSerializer(many=True), **errors(401)},
        examples=[OpenApiExample("From the ArenA", value=SHARE)],
        tags=["shares"],
    )
    def get(self, request):
        return self.list_page(request)


class ShareDetailView(_SharesView):
    @extend_schema(
        operation_id="shares_destroy",
        summary="Withdraw a share",
        description="The organisation no longer sees the object, at once. Withdrawing what is "
        "not shared changes nothing and answers 204. An object you may not see answers 404; "
        "one that is not your organisation's, 403.",
        responses={204: None, **errors(401, 403, 404)},
        tags=["shares"],
    )
    def delete(self, request, object_type, object_id, organisation_id):
        obj = _object(request, object_type, object_id)
        organisation = Organisation.objects.filter(public_id=organisation_id).first()
        if organisation is None:
            raise NotFound()
        sharing.revoke(obj=obj, by=request.user, organisation=organisation, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)
