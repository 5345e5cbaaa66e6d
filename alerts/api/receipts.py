"""``/api/v1/sms-receipts/``: the SMS gateway tells what became of a text. No token: the
gateway signs each receipt (``alerts.receipts``); the signature is checked before anything else."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import receipts
from alerts.models import Delivery
from ppsportal.api.common import ErrorSerializer


class ReceiptSerializer(serializers.Serializer):
    """For the schema: the view reads the signed body as it came."""

    reference = serializers.UUIDField(help_text=_("The delivery id the portal sent as reference."))
    status = serializers.ChoiceField(choices=sorted(receipts.STATUSES))
    message_id = serializers.CharField(required=False, help_text=_("The provider's message id."))
    error = serializers.CharField(required=False, help_text=_("Why it was not delivered."))


class ReceiptResultSerializer(serializers.Serializer):
    reference = serializers.UUIDField()
    receipt = serializers.ChoiceField(choices=Delivery.Receipt.values)


_REFUSALS = {
    "signature": exceptions.PermissionDenied,
    "invalid": exceptions.ValidationError,
    "unknown": exceptions.NotFound,
}


class SmsReceiptView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes: list = []  # the body is read raw: the signature covers its bytes

    @extend_schema(
        operation_id="sms_receipt_create",
        summary="Record an SMS delivery receipt (the SMS gateway)",
        description="Called by the SMS provider, not by partners. The body is signed: "
        "`X-Receipt-Timestamp` (Unix seconds) and `X-Receipt-Signature` = `v1=` + hex "
        "HMAC-SHA256 over `{timestamp}.{body}` with the shared receipt secret. A missing, wrong "
        "or stale signature answers 403 and changes nothing; a body that is no receipt 400; a "
        "reference that is no SMS delivery 404.",
        request=ReceiptSerializer,
        parameters=[
            OpenApiParameter(
                receipts.TIMESTAMP_HEADER, str, OpenApiParameter.HEADER, required=True
            ),
            OpenApiParameter(
                receipts.SIGNATURE_HEADER, str, OpenApiParameter.HEADER, required=True
            ),
        ],
        responses={
            200: ReceiptResultSerializer,
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="Not a receipt."),
            403: OpenApiResponse(ErrorSerializer, description="Not signed by the gateway."),
            404: OpenApiResponse(ErrorSerializer, description="No SMS delivery by that id."),
        },
        examples=[
            OpenApiExample(
                "Delivered",
                value={
                    "reference": "6f1c2a9e-3b9d-4c55-9a57-2f0f5f0c8d11",
                    "status": "delivered",
                    "message_id": "msg-8841",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Recorded",
                value={"reference": "6f1c2a9e-3b9d-4c55-9a57-2f0f5f0c8d11", "receipt": "delivered"},
                response_only=True,
            ),
        ],
        tags=["alerts"],
    )
    def post(self, request):
        try:
            delivery = receipts.sms_receipt_record(
                body=request.body,
                timestamp=request.headers.get(receipts.TIMESTAMP_HEADER, "").strip(),
                signature=request.headers.get(receipts.SIGNATURE_HEADER, ""),
            )
        except receipts.ReceiptRefused as refused:
            error = _REFUSALS[refused.code]
            if error is exceptions.ValidationError:
                raise error({"detail": str(refused)}) from refused
            raise error(str(refused)) from refused
        return Response({"reference": str(delivery.public_id), "receipt": delivery.receipt})
