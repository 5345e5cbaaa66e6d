"""``/api/v1/alerts/``: partners read the alerts sent to their organisation, acknowledge them and
take them as CAP 1.2 or Atom; NCTV staff draft, approve (four eyes), publish, update, cancel and
give the all clear. The rules are the services'; a refusal for the alert's state answers 409."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from alerts import preview, services
from alerts.api.common import (
    CONFLICT_RESPONSE,
    ConflictMixin,
    FirstRendererNegotiation,
    document,
)
from alerts.api.examples import (
    ACKNOWLEDGE,
    ACKNOWLEDGEMENT,
    ALERT,
    ALERT_CREATE,
    ALERT_FOR_PARTNER,
    ATOM,
    AUDIENCE_PREVIEW,
    CAP,
    DRAFT,
    STATUS_REPORT,
    STATUS_REPORT_REQUEST,
)
from alerts.api.serializers import (
    AcknowledgementSerializer,
    AcknowledgeSerializer,
    AlertSerializer,
    AlertWriteSerializer,
    AudiencePreviewSerializer,
    StatusReportSerializer,
    StatusReportWriteSerializer,
)
from alerts.cap import (
    ATOM_MEDIA_TYPE,
    CAP_MEDIA_TYPE,
    FEED_SIZE,
    FeedEntry,
    alert_to_cap,
    alerts_feed,
    web_url,
)
from alerts.models import Acknowledgement, Alert
from alerts.selectors import alerts_visible_to, recipient_alert_with_ack, with_counts
from partnerships.models import PartnershipMember
from partnerships.policy import require
from partnerships.sharing.drf import AuditSensitiveReadsMixin
from partnerships.sharing.reads import read_many
from ppsportal.api.common import PortalViewSetMixin, errors
from ppsportal.api.fields import staff_only
from ppsportal.sensitivity import TLP
from threats.models import AlertLevel


class AlertFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Alert.Status.choices)
    kind = django_filters.ChoiceFilter(choices=Alert.Kind.choices)
    atb_level = django_filters.ChoiceFilter(choices=AlertLevel.choices)
    tlp = django_filters.ChoiceFilter(choices=TLP.choices)

    class Meta:
        model = Alert
        fields = ["status", "kind", "atb_level", "tlp"]


FEED_FILTERS = [
    OpenApiParameter(name, str, enum=list(choices.values), description=description)
    for name, choices, description in (
        ("status", Alert.Status, "Only alerts in this state."),
        ("kind", Alert.Kind, "actual, exercise or test."),
        ("atb_level", AlertLevel, "Only alerts at this ATb level."),
        ("tlp", TLP, "Only alerts at this TLP level."),
    )
]

_read = [
    OpenApiExample("As NCTV staff see it", value=ALERT, response_only=True),
    OpenApiExample("As a recipient sees it", value=ALERT_FOR_PARTNER, response_only=True),
]
_staff_action = {200: AlertSerializer, 409: CONFLICT_RESPONSE, **errors(400, 401, 403, 404)}


def _staff_action_schema(summary: str, description: str, result: dict, conflict: str):
    return extend_schema(
        summary=summary,
        description=description,
        request=None,
        responses=_staff_action,
        examples=[
            OpenApiExample("Done", value=result, response_only=True),
            OpenApiExample(
                "Not in that state",
                value={"detail": conflict},
                response_only=True,
                status_codes=["409"],
            ),
        ],
    )


@extend_schema_view(
    list=extend_schema(
        summary="List alerts",
        description="The alerts you may see: for partners the published (and ended) alerts "
        "sent to their organisation, AMBER and above only while the covenant carries them; "
        "for NCTV staff every alert, drafts included. Newest publication first. Lists with "
        "AMBER and above are written to the audit log.",
        responses={200: AlertSerializer, **errors(400, 401)},
        examples=_read,
    ),
    retrieve=extend_schema(
        summary="Get an alert",
        description="An alert you may not see answers 404, exactly like a missing one.",
        responses={200: AlertSerializer, **errors(401, 404)},
        examples=_read,
    ),
    create=extend_schema(
        summary="Draft an alert (NCTV staff)",
        description="A draft; another staff member approves it before it can be published. "
        "Urgency, severity, certainty and the acknowledgement deadline follow from the ATb "
        "level unless given. With an `Idempotency-Key` header a retry returns the alert the first "
        "request made (200) instead of drafting a second.",
        request=AlertWriteSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Any string of at most 100 characters, unique per alert you draft.",
            )
        ],
        responses={
            201: AlertSerializer,
            200: OpenApiResponse(AlertSerializer, description="A retry: the earlier draft."),
            **errors(400, 401, 403),
        },
        examples=[
            OpenApiExample("An AMBER alert", value=ALERT_CREATE, request_only=True),
            OpenApiExample("Drafted", value=DRAFT, response_only=True),
            OpenApiExample(
                "RED",
                value={
                    "tlp": ["Alerts go to organisations; TLP:RED is shared with named users only."]
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
    ),
)
@extend_schema(tags=["alerts"])
class AlertViewSet(
    ConflictMixin,
    AuditSensitiveReadsMixin,
    PortalViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    filterset_class = AlertFilter
    search_fields = ["headline", "description"]
    ordering_fields = ["published_at", "created_at", "expires_at"]
    ordering = ["-published_at", "-created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Alert.objects.none()
        qs = (
            alerts_visible_to(self.actor)
            .select_related("owner_organisation", "previous", "author", "approver")
            .prefetch_related("sectors", "partnerships", "organisations")
        )
        if self.actor.is_nctv_staff:
            return with_counts(qs)
        own = Acknowledgement.objects.filter(organisation=self.actor.organisation)
        # a partner learns of the previous version only if it may see that one too
        qs = qs.annotate(
            previous_visible=Exists(
                alerts_visible_to(self.actor).filter(pk=OuterRef("previous_id"))
            )
        )
        return qs.prefetch_related(
            Prefetch(
                "acknowledgements",
                queryset=own.select_related("organisation", "user"),
                to_attr="own_acknowledgements",
            )
        )

    def get_serializer_class(self):
        if self.action in {"create", "new_version"}:
            return AlertWriteSerializer
        if self.action == "acknowledge":
            return AcknowledgeSerializer
        if self.action == "report_status":
            return StatusReportWriteSerializer
        return AlertSerializer

    # The answers of these actions never show an alert, so they need no partnerships.
    _WITHOUT_PARTNERSHIPS = frozenset({"acknowledge", "report_status"})

    def get_serializer_context(self):
        """Built once per request (DRF asks for it for the body and again for the answer);
        ``partnership_ids`` only where the answer shows an alert to a partner."""
        context = getattr(self, "_serializer_context", None)
        if context is None:
            context = {**super().get_serializer_context(), "actor": self.actor}
            if not self.actor.is_nctv_staff and self.action not in self._WITHOUT_PARTNERSHIPS:
                context["partnership_ids"] = self._own_partnership_ids()
            self._serializer_context = context
        return dict(context)

    def _own_partnership_ids(self) -> set[int]:
        if self.actor.organisation is None:
            return set()
        return set(
            PartnershipMember.objects.filter(
                organisation=self.actor.organisation, left_on__isnull=True
            ).values_list("partnership_id", flat=True)
        )

    def _show(self, alert, *, code=status.HTTP_200_OK) -> Response:
        """The alert as the detail shows it (after a lifecycle step: to NCTV staff)."""
        data = AlertSerializer(self.reread(alert), context=self.get_serializer_context()).data
        return Response(data, status=code)

    # --- NCTV staff: the lifecycle -------------------------------------------------------------

    def create(self, request, *args, **kwargs):
        require(self.actor.is_nctv_staff, staff_only())
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > 100 or not key.isprintable():
            raise serializers.ValidationError(
                {
                    "detail": _(
                        "The Idempotency-Key header must be at most 100 printable characters."
                    )
                }
            )
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        template = data.pop("template", None)
        if template is not None:
            alert = services.alert_create_from_template(
                by=request.user, template=template, idempotency_key=key, **data
            )
        else:
            alert = services.alert_create(by=request.user, idempotency_key=key, **data)
        created = getattr(alert, "created", True)
        return self._show(alert, code=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def _staff_transition(self, service):
        alert = self.get_object()
        require(self.actor.is_nctv_staff, staff_only())
        return self._show(service(alert=alert, by=self.request.user))

    @_staff_action_schema(
        "Approve a draft (NCTV staff, not its author)",
        "The second pair of eyes: a staff member other than the author approves.",
        {**DRAFT, "status": "approved", "status_label": "Approved"},
        "You wrote this alert; another staff member must approve it.",
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def approve(self, request, *args, **kwargs):
        return self._staff_transition(services.alert_approve)

    @_staff_action_schema(
        "Publish an approved alert (NCTV staff)",
        "In one step: the recipients and their shares, the sector levels it raises and one "
        "message per recipient and channel. An audience that resolves to nobody answers 400 "
        "with the reason.",
        ALERT,
        "Only an approved alert can be published; a second staff member approves first.",
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def publish(self, request, *args, **kwargs):
        return self._staff_transition(services.alert_publish)

    @extend_schema(
        summary="Update a published alert: a new version (NCTV staff)",
        description="A new draft, version + 1, referring to this one; give only the fields "
        "that change (lists replace). It is approved and published like any draft, and "
        "publishing it supersedes this version.",
        request=AlertWriteSerializer(partial=True),
        responses={201: AlertSerializer, 409: CONFLICT_RESPONSE, **errors(400, 401, 403, 404)},
        examples=[
            OpenApiExample(
                "Raise the level",
                value={"atb_level": "hoge_dreiging", "headline": "High threat: stadiums"},
                request_only=True,
            ),
            OpenApiExample(
                "New version drafted", value={**DRAFT, "version": 2}, response_only=True
            ),
            OpenApiExample(
                "Already updated",
                value={"detail": "This alert already has a newer version; update that one."},
                response_only=True,
                status_codes=["409"],
            ),
        ],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="update",
        url_name="update",
        filter_backends=[],
        pagination_class=None,
    )
    def new_version(self, request, *args, **kwargs):
        alert = self.get_object()
        require(self.actor.is_nctv_staff, staff_only())
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        new = services.alert_update(alert=alert, by=request.user, **serializer.validated_data)
        return self._show(new, code=status.HTTP_201_CREATED)

    @_staff_action_schema(
        "Cancel an alert (NCTV staff)",
        "A draft, approved or published alert is withdrawn; messages not yet sent are not sent.",
        {**ALERT, "status": "cancelled", "status_label": "Cancelled"},
        "This alert is Cancelled and cannot become Cancelled.",
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def cancel(self, request, *args, **kwargs):
        return self._staff_transition(services.alert_cancel)

    @_staff_action_schema(
        "Give the all clear (NCTV staff)",
        "The threat is over: a published alert ends; messages not yet sent are not sent.",
        {**ALERT, "status": "all_clear", "status_label": "All clear"},
        "This alert is Draft and cannot become All clear.",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="all-clear",
        url_name="all-clear",
        filter_backends=[],
        pagination_class=None,
    )
    def all_clear(self, request, *args, **kwargs):
        return self._staff_transition(services.alert_all_clear)

    @extend_schema(
        summary="Preview the audience (NCTV staff)",
        description="What publishing the alert now would reach: organisations, users and "
        "messages per channel, and how many organisations are left out for want of a covenant "
        "that allows its TLP level. Nothing is written.",
        responses={200: AudiencePreviewSerializer, **errors(401, 403, 404)},
        examples=[OpenApiExample("Preview", value=AUDIENCE_PREVIEW, response_only=True)],
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="audience-preview",
        url_name="audience-preview",
        filter_backends=[],
        pagination_class=None,
    )
    def audience_preview(self, request, *args, **kwargs):
        alert = self.get_object()
        require(self.actor.is_nctv_staff, staff_only())
        return Response(AudiencePreviewSerializer(preview.audience_preview(alert)).data)

    # --- Recipients ----------------------------------------------------------------------------

    @extend_schema(
        summary="Acknowledge an alert for your organisation",
        description="By a user whose role may write, of an organisation the alert was sent to, "
        "with an optional note and the codes of the scale-up measures taken. Once per "
        "organisation: the first answers 201, every later call 200 with that same "
        "acknowledgement (whatever its body). Not sent to your organisation: 404; a read-only "
        "role: 403; an alert that has ended: 409.",
        request=AcknowledgeSerializer,
        responses={
            201: AcknowledgementSerializer,
            200: AcknowledgementSerializer,
            409: CONFLICT_RESPONSE,
            **errors(400, 401, 403, 404),
        },
        examples=[
            OpenApiExample("Measures taken", value=ACKNOWLEDGE, request_only=True),
            OpenApiExample(
                "Acknowledged", value=ACKNOWLEDGEMENT, response_only=True, status_codes=["201"]
            ),
            OpenApiExample(
                "Already acknowledged",
                value=ACKNOWLEDGEMENT,
                response_only=True,
                status_codes=["200"],
            ),
        ],
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def acknowledge(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # the service loads the alert through the read door itself, with the existing
        # acknowledgement, in one query (a missing, invisible or malformed id: 404)
        ack, created = services.alert_acknowledge(
            alert_public_id=self.kwargs["id"], by=request.user, **serializer.validated_data
        )
        data = AcknowledgementSerializer(ack, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def _recipient_alert(self) -> Alert:
        """The alert sent to the caller's organisation, through the read door once (the
        compiled ``recipient_alert_with_ack``); missing, not visible or a malformed id: 404.
        The service checks it again."""
        alert = recipient_alert_with_ack(self.actor, public_id=self.kwargs["id"])
        if alert is None:
            raise services.AlertNotFound()
        return alert

    @extend_schema(
        summary="Report your organisation's status on an alert",
        description="Besides the acknowledgement: measures_in_place, need_assistance, closed "
        "(closed or evacuated) or not_affected, with an optional note. A later report replaces "
        "the earlier one while the alert is published; NCTV staff see the latest per "
        "organisation on the board. Not sent to your organisation: 404; a read-only role: 403; "
        "an alert that has ended: 409.",
        request=StatusReportWriteSerializer,
        responses={
            200: StatusReportSerializer,
            409: CONFLICT_RESPONSE,
            **errors(400, 401, 403, 404),
        },
        examples=[
            OpenApiExample("Measures in place", value=STATUS_REPORT_REQUEST, request_only=True),
            OpenApiExample("Reported", value=STATUS_REPORT, response_only=True),
        ],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="status",
        filter_backends=[],
        pagination_class=None,
    )
    def report_status(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.alert_report_status(
            alert=self._recipient_alert(), by=request.user, **serializer.validated_data
        )
        return Response(StatusReportSerializer(report, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="The alert as CAP 1.2",
        description="An OASIS Common Alerting Protocol 1.2 document (`application/cap+xml`), "
        "scope Restricted with the TLP level as restriction. Version 1 is an Alert, later "
        "versions an Update referencing the version before; a cancelled alert is a Cancel, "
        "the all clear an Update with responseType AllClear. Drills have status Exercise or "
        "Test.",
        responses={
            **document(CAP_MEDIA_TYPE, "The CAP 1.2 document (UTF-8 XML).", CAP),
            **errors(401, 404),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        pagination_class=None,
        renderer_classes=[JSONRenderer],
        content_negotiation_class=FirstRendererNegotiation,
    )
    def cap(self, request, *args, **kwargs):
        alert = self.get_object()
        read_many(actor=self.actor, objects=[alert], request=request, purpose="cap")
        previous_visible = getattr(alert, "previous_visible", True)  # annotated for partners
        return HttpResponse(
            alert_to_cap(alert, request=request, previous_visible=previous_visible),
            content_type=CAP_MEDIA_TYPE,
        )

    @extend_schema(
        summary="The alerts as an Atom feed with their CAP messages",
        description=f"The newest {FEED_SIZE} published alerts you may see, for a CAP client, a "
        "feed reader or an integration that polls (send your token). Each entry carries the "
        'alert\'s current CAP 1.2 message inline (`<content type="application/cap+xml">`), links '
        'to the CAP document (`rel="alternate"`) and to the alert\'s page (`rel="related"`). '
        "Takes the list's filters. Feeds with AMBER and above are written to the audit log.",
        parameters=FEED_FILTERS,
        responses={
            **document(ATOM_MEDIA_TYPE, "An Atom 1.0 feed (UTF-8 XML).", ATOM),
            **errors(400, 401),
        },
    )
    @action(
        detail=False,
        methods=["get"],
        pagination_class=None,
        renderer_classes=[JSONRenderer],
        content_negotiation_class=FirstRendererNegotiation,
    )
    def feed(self, request, *args, **kwargs):
        qs = alerts_visible_to(self.actor).select_related("owner_organisation", "previous")
        if not self.actor.is_nctv_staff:
            qs = qs.annotate(
                previous_visible=Exists(
                    alerts_visible_to(self.actor).filter(pk=OuterRef("previous_id"))
                )
            )
        alerts = list(self.filter_queryset(qs).filter(published_at__isnull=False)[:FEED_SIZE])
        read_many(actor=self.actor, objects=alerts, request=request, purpose="feed")
        entries = [
            FeedEntry(
                alert=alert,
                cap_url=request.build_absolute_uri(
                    reverse("api:alert-cap", kwargs={"id": alert.public_id})
                ),
                page_url=web_url(alert, request),
                previous_visible=getattr(alert, "previous_visible", True),
            )
            for alert in alerts
        ]
        document_ = alerts_feed(
            entries,
            request=request,
            title=_("PPS Portal alerts"),
            page_url=request.build_absolute_uri(reverse("alert-inbox")),
        )
        return HttpResponse(document_, content_type=f"{ATOM_MEDIA_TYPE}; charset=utf-8")
