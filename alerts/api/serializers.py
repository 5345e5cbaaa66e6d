"""Serializers of ``/api/v1/alerts/``: the alert as staff and partners read it, as staff write
it, and an organisation's acknowledgement.

Partners never see who else received an alert: their ``audience`` keeps only the parts that
concern their own organisation, and ``counts``, ``author`` and ``approver`` are for NCTV staff.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alerts import policy
from alerts.channels import messages
from alerts.models import (
    Acknowledgement,
    Alert,
    AlertTemplate,
    Certainty,
    Severity,
    StatusReport,
    Unreachable,
    Urgency,
)
from alerts.regions import regions as known_regions
from partnerships.drf import OrganisationField, OrganisationRefSerializer, PartnershipRefSerializer
from partnerships.models import Partnership
from partnerships.selectors import actor_for
from partnerships.sharing.drf import SharedUnderField
from ppsportal.api.common import PublicIdField, UserRefSerializer
from ppsportal.api.fields import CodeLabelSerializer, code_labels
from ppsportal.sensitivity import TLP
from threats.drf import SectorField, SectorRefSerializer
from threats.models import AlertLevel, Measure, ThreatAssessment
from threats.selectors import level_context_for

# --- Reading ------------------------------------------------------------------------------------


class AudienceSerializer(serializers.Serializer):
    sectors = SectorRefSerializer(many=True, read_only=True)
    regions = serializers.ListField(child=serializers.CharField(), read_only=True)
    partnerships = PartnershipRefSerializer(many=True, read_only=True)
    organisations = OrganisationRefSerializer(many=True, read_only=True)


class CountsSerializer(serializers.Serializer):
    recipients = serializers.IntegerField(
        read_only=True, help_text=gettext_lazy("Organisations the alert was sent to.")
    )
    delivered = serializers.IntegerField(
        read_only=True, help_text=gettext_lazy("Messages sent, all channels together.")
    )
    pending = serializers.IntegerField(
        read_only=True, help_text=gettext_lazy("Messages waiting to be sent or retried.")
    )
    failed = serializers.IntegerField(read_only=True)
    acknowledged = serializers.IntegerField(
        read_only=True, help_text=gettext_lazy("Organisations that acknowledged.")
    )


class AcknowledgementSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation = OrganisationRefSerializer(read_only=True)
    by = UserRefSerializer(source="user", read_only=True, allow_null=True)
    measures_taken = serializers.SerializerMethodField()

    class Meta:
        model = Acknowledgement
        fields = ["id", "organisation", "by", "note", "measures_taken", "at"]
        read_only_fields = fields

    @extend_schema_field(CodeLabelSerializer(many=True))
    def get_measures_taken(self, ack) -> list[dict]:
        return code_labels(Measure, [m for m in ack.measures_taken if m in Measure.values])


class StatusReportSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation = OrganisationRefSerializer(read_only=True)
    by = UserRefSerializer(source="user", read_only=True, allow_null=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = StatusReport
        fields = ["id", "organisation", "by", "status", "status_label", "note", "first_at", "at"]
        read_only_fields = fields


class StatusReportWriteSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=StatusReport.Status.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class OwnAuthorityLevelSerializer(serializers.Serializer):
    authority = serializers.CharField(help_text=gettext_lazy("The reader's own authority."))
    level = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("Null: none set."))
    label = serializers.CharField()


def _level_context(context):
    """The reader's ``LevelContext`` (``threats.jurisdictions``), once per response."""
    if "level_context" not in context:
        actor = context.get("actor")
        if actor is None and context.get("request") is not None:
            actor = actor_for(context["request"].user)
        context["level_context"] = level_context_for(getattr(actor, "organisation", None))
    return context["level_context"]


class ReaderLevelMixin(serializers.Serializer):
    """The ATb level as the reader reads it: for a reader under another authority than the NCTV
    (OCAM/OCAD), labelled as the NCTV's Dutch sector level, with their own authority's level."""

    atb_level_label = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "The ATb level's label; for a reader under another authority than the NCTV, marked "
            "as the NCTV's (Dutch) sector level."
        )
    )
    own_authority_level = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "For a reader under another authority than the NCTV (Belgium: OCAM/OCAD): that "
            "authority's current level. Null for a reader under the NCTV."
        )
    )

    def get_atb_level_label(self, alert) -> str:
        return _level_context(self.context).atb(alert.get_atb_level_display())

    @extend_schema_field(OwnAuthorityLevelSerializer(allow_null=True))
    def get_own_authority_level(self, alert) -> dict | None:
        context = _level_context(self.context)
        if not context.foreign:
            return None
        return {
            "authority": context.authority.name,
            "level": context.own_level,
            "label": context.authority.label(context.own_level),
        }


class AlertSerializer(ReaderLevelMixin, serializers.ModelSerializer):
    """An alert with its codes and labels. Context: ``actor`` and, for partners,
    ``partnership_ids`` (the current partnerships of their organisation)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    previous = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "The version this one updates (for partners: only if that version reached them)."
        )
    )
    tlp_label = serializers.CharField(source="get_tlp_display", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    ack_deadline = serializers.SerializerMethodField(
        help_text=gettext_lazy("Publication plus the acknowledgement deadline.")
    )
    sender = OrganisationRefSerializer(source="owner_organisation", read_only=True)
    audience = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "Who the alert is for. Partners see only what concerns their own organisation."
        )
    )
    my_acknowledgement = serializers.SerializerMethodField(
        help_text=gettext_lazy("Your organisation's acknowledgement, if it gave one.")
    )
    author = serializers.SerializerMethodField(help_text=gettext_lazy("NCTV staff only."))
    approver = serializers.SerializerMethodField(help_text=gettext_lazy("NCTV staff only."))
    counts = serializers.SerializerMethodField(help_text=gettext_lazy("NCTV staff only."))
    shared_under = SharedUnderField()

    class Meta:
        model = Alert
        fields = [
            "id",
            "version",
            "previous",
            "headline",
            "description",
            "instruction",
            "headline_en",
            "description_en",
            "instruction_en",
            "atb_level",
            "atb_level_label",
            "own_authority_level",
            "tlp",
            "tlp_label",
            "kind",
            "kind_label",
            "status",
            "status_label",
            "urgency",
            "severity",
            "certainty",
            "expires_at",
            "ack_deadline_minutes",
            "ack_deadline",
            "area_description",
            "area_polygon",
            "area_circle",
            "area_regions",
            "area_targets",
            "target_min_capacity",
            "sender",
            "audience",
            "my_acknowledgement",
            "author",
            "approver",
            "counts",
            "shared_under",
            "created_at",
            "approved_at",
            "published_at",
            "ended_at",
        ]
        read_only_fields = fields

    @property
    def _is_staff(self) -> bool:
        return self.context["actor"].is_nctv_staff

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_ack_deadline(self, alert):
        deadline = policy.ack_deadline(alert)
        return None if deadline is None else serializers.DateTimeField().to_representation(deadline)

    @extend_schema_field(AudienceSerializer)
    def get_audience(self, alert) -> dict:
        sectors = list(alert.sectors.all())  # prefetched, as are the two below
        regions = list(alert.regions or [])
        partnerships = list(alert.partnerships.all())
        organisations = list(alert.organisations.all())
        if not self._is_staff:
            own = self.context["actor"].organisation
            mine = self.context.get("partnership_ids", set())
            sectors = [s for s in sectors if own is not None and s.code == own.sector]
            regions = [r for r in regions if own is not None and r == own.region]
            partnerships = [p for p in partnerships if p.pk in mine]
            organisations = [o for o in organisations if own is not None and o.pk == own.pk]
        return AudienceSerializer(
            {
                "sectors": sectors,
                "regions": regions,
                "partnerships": partnerships,
                "organisations": organisations,
            },
            context=self.context,
        ).data

    @extend_schema_field(AcknowledgementSerializer(allow_null=True))
    def get_my_acknowledgement(self, alert) -> dict | None:
        own = getattr(alert, "own_acknowledgements", None)  # prefetched for partners
        if not own:
            return None
        return AcknowledgementSerializer(own[0], context=self.context).data

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_previous(self, alert) -> str | None:
        if alert.previous_id is None or not getattr(alert, "previous_visible", True):
            return None
        return str(alert.previous.public_id)

    @extend_schema_field(UserRefSerializer(allow_null=True))
    def get_author(self, alert) -> dict | None:
        return UserRefSerializer(alert.author).data if self._is_staff else None

    @extend_schema_field(UserRefSerializer(allow_null=True))
    def get_approver(self, alert) -> dict | None:
        if not self._is_staff or alert.approver is None:
            return None
        return UserRefSerializer(alert.approver).data

    @extend_schema_field(CountsSerializer(allow_null=True))
    def get_counts(self, alert) -> dict | None:
        if not self._is_staff:
            return None
        return {
            name: getattr(alert, f"{name}_count", 0) or 0
            for name in ("recipients", "delivered", "pending", "failed", "acknowledged")
        }


class AlertSummarySerializer(ReaderLevelMixin, serializers.ModelSerializer):
    """An alert in a list of something else (the inbox): what to show in one line."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    headline = serializers.SerializerMethodField(
        help_text=gettext_lazy("With [EXERCISE] or [TEST] in front for drills.")
    )
    tlp_label = serializers.CharField(source="get_tlp_display", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    shared_under = SharedUnderField()

    class Meta:
        model = Alert
        fields = [
            "id",
            "version",
            "headline",
            "atb_level",
            "atb_level_label",
            "own_authority_level",
            "tlp",
            "tlp_label",
            "kind",
            "kind_label",
            "status",
            "status_label",
            "shared_under",
            "published_at",
        ]
        read_only_fields = fields

    def get_headline(self, alert) -> str:
        return messages.marked(alert, alert.headline)


class AreaTargetSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    latitude = serializers.FloatField(read_only=True)
    longitude = serializers.FloatField(read_only=True)
    operator = serializers.CharField(
        read_only=True, help_text=gettext_lazy("Empty if the operator is not reached.")
    )


class UnreachableSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    reason = serializers.ChoiceField(choices=Unreachable.choices, read_only=True)
    reason_label = serializers.CharField(read_only=True)


class AudiencePreviewSerializer(serializers.Serializer):
    organisations = serializers.IntegerField(read_only=True)
    users = serializers.IntegerField(read_only=True)
    channels = serializers.DictField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text=gettext_lazy("Messages per channel: in_app, email, sms, webhook."),
    )
    deliveries = serializers.IntegerField(read_only=True)
    audience_before_entitlement = serializers.IntegerField(read_only=True)
    excluded_not_entitled = serializers.IntegerField(
        read_only=True,
        help_text=gettext_lazy(
            "Organisations in the audience left out for want of a covenant in force that "
            "allows the TLP level."
        ),
    )
    organisation_names = serializers.ListField(child=serializers.CharField(), read_only=True)
    unreachable_organisations = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=gettext_lazy(
            "Organisations in the audience with no active user on any channel and no webhook: "
            "nobody there would be told."
        ),
    )
    unreachable = UnreachableSerializer(
        many=True,
        read_only=True,
        help_text=gettext_lazy(
            "The same organisations, each with the reason; publishing tells the NCTV duty "
            "officer of them at once."
        ),
    )
    area_targets = AreaTargetSerializer(many=True, read_only=True)
    tlp = serializers.ChoiceField(choices=TLP.choices, read_only=True)


# --- Writing ------------------------------------------------------------------------------------


class AlertWriteSerializer(serializers.Serializer):
    """A draft as NCTV staff write it; the CAP fields and the deadline follow from the ATb level
    unless given. For an update (a new version), only the fields that change."""

    template = PublicIdField(
        queryset=AlertTemplate.objects.filter(active=True),
        required=False,
        help_text=gettext_lazy(
            "Start from this template: its texts, level, TLP, kind and CAP values fill what is "
            "not given (headline, description and atb_level are then optional)."
        ),
    )
    headline = serializers.CharField(max_length=160, required=False)
    description = serializers.CharField(required=False)
    instruction = serializers.CharField(required=False, allow_blank=True)
    headline_en = serializers.CharField(max_length=160, required=False, allow_blank=True)
    description_en = serializers.CharField(required=False, allow_blank=True)
    instruction_en = serializers.CharField(required=False, allow_blank=True)
    atb_level = serializers.ChoiceField(choices=AlertLevel.choices, required=False)
    tlp = serializers.ChoiceField(
        choices=TLP.choices,
        required=False,
        help_text=gettext_lazy("Default GREEN; RED is refused (alerts go to organisations)."),
    )
    kind = serializers.ChoiceField(choices=Alert.Kind.choices, required=False)
    sectors = SectorField(many=True, required=False, help_text=gettext_lazy("Sector codes."))
    regions = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    partnerships = PublicIdField(queryset=Partnership.objects.all(), many=True, required=False)
    organisations = OrganisationField(many=True, required=False)
    raises_sectors = SectorField(
        many=True,
        required=False,
        help_text=gettext_lazy("Sectors whose ATb level publishing sets to the alert's level."),
    )
    area_description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    area_polygon = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=gettext_lazy('CAP polygon: "latitude,longitude" pairs, closed.'),
    )
    area_circle = serializers.CharField(
        max_length=80,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy('CAP circle: "latitude,longitude radius", radius in km.'),
    )
    area_regions = serializers.ListField(
        child=serializers.ChoiceField(choices=list(known_regions())),
        required=False,
        help_text=gettext_lazy("CBS codes of municipalities (GM…) and safety regions (VR…)."),
    )
    area_targets = serializers.BooleanField(
        required=False,
        help_text=gettext_lazy(
            "Reach the operators of the soft targets inside the area (polygon, circle, regions)."
        ),
    )
    target_categories = SectorField(
        many=True,
        required=False,
        help_text=gettext_lazy("With area_targets: only targets of these categories (codes)."),
    )
    target_min_capacity = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text=gettext_lazy("With area_targets: only targets for at least this many people."),
    )
    assessment = PublicIdField(
        queryset=ThreatAssessment.objects.all(), required=False, allow_null=True
    )
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    certainty = serializers.ChoiceField(choices=Certainty.choices, required=False)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)
    ack_deadline_minutes = serializers.IntegerField(
        min_value=1, max_value=7 * 24 * 60, required=False
    )

    def validate(self, attrs):
        if self.partial:
            if "template" in attrs:
                raise serializers.ValidationError(
                    {"template": gettext_lazy("A new version keeps its template.")}
                )
            return attrs
        if attrs.get("template") is None:
            missing = [n for n in ("headline", "description", "atb_level") if not attrs.get(n)]
            if missing:
                raise serializers.ValidationError(
                    {n: [gettext_lazy("This field is required.")] for n in missing}
                )
        return attrs


class AcknowledgeSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    measures_taken = serializers.ListField(
        child=serializers.ChoiceField(choices=Measure.choices),
        required=False,
        default=list,
        help_text=gettext_lazy("Codes of the scale-up measures your organisation took."),
    )
