"""API tokens: expiring, stored hashed (django-rest-knox)."""

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from knox.models import AuthToken
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from ppsportal import mfa
from ppsportal.lockout import lockout_message, request_was_locked


class SignInLocked(exceptions.Throttled):
    """Too many failed sign-ins for this username from this address (``ppsportal.lockout``)."""

    def __init__(self):
        super().__init__(wait=settings.SIGNIN_LOCKOUT_SECONDS, detail=lockout_message())


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("Username"))
    password = serializers.CharField(label=_("Password"), style={"input_type": "password"})
    otp_token = serializers.CharField(
        label=_("Code"),
        required=False,
        max_length=32,
        help_text=_("NCTV staff only: the code from their authenticator app (or a recovery code)."),
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Send as 'Authorization: Token <token>'."))
    expiry = serializers.DateTimeField(help_text=_("When the token stops working."))


class ObtainTokenView(APIView):
    """Exchange a username and password for an expiring API token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    def get_authenticate_header(self, request):
        return "Token"  # a refused password answers 401, as a missing token does

    @extend_schema(
        operation_id="auth_token_create",
        summary="Obtain an API token",
        request=TokenRequestSerializer,
        responses={
            201: TokenResponseSerializer,
            400: OpenApiResponse(description="username or password missing"),
            401: OpenApiResponse(description="username or password incorrect"),
            429: OpenApiResponse(
                description="too many attempts, or sign-in locked after failed passwords"
            ),
        },
        examples=[
            OpenApiExample(
                "Request",
                value={"username": "arena-integrator", "password": "pps-demo-2026"},
                request_only=True,
            ),
            OpenApiExample(
                "Response",
                value={"token": "3f0c…", "expiry": "2026-12-30T10:00:00+01:00"},
                response_only=True,
            ),
        ],
        tags=["auth"],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None:
            if request_was_locked(request):
                raise SignInLocked()
            raise exceptions.AuthenticationFailed(_("Username or password is incorrect."))
        if mfa.second_factor_required(user) and not mfa.verify(
            request=request,
            user=user,
            token=serializer.validated_data.get("otp_token", ""),
            session=False,
        ):
            raise exceptions.AuthenticationFailed(
                _("NCTV staff need a valid code from their authenticator app (otp_token).")
            )
        instance, token = AuthToken.objects.create(user=user)
        data = TokenResponseSerializer({"token": token, "expiry": instance.expiry}).data
        return Response(data, status=status.HTTP_201_CREATED)


class RevokeTokenView(APIView):
    """Revoke the token this request was made with."""

    @extend_schema(
        operation_id="auth_token_revoke",
        summary="Revoke the current API token",
        request=None,
        responses={204: None, 401: OpenApiResponse(description="not authenticated")},
        tags=["auth"],
    )
    def post(self, request):
        if isinstance(request.auth, AuthToken):
            request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
