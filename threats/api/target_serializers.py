"""Serializers of ``/api/v1/soft-targets/``: the full form (the operator's organisation, NCTV
staff, and those the details were shared with) and the partnership peers' reduced form, chosen
per object; and the write forms with nested measures and scale-up scenario."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from partnerships.drf import (
    OrganisationField,
    OrganisationRefSerializer,
    PartnershipRefSerializer,
    VisiblePartnershipField,
)
from partnerships.sharing.drf import SharedUnderField
from ppsportal.api.fields import CodeLabelSerializer, CoordinateField, code_labels
from threats.drf import SectorField, SectorRefSerializer
from threats.jurisdictions import OcamScaleUpLevel, scale_up_levels
from threats.models import (
    AlertLevel,
    CapacityTier,
    Measure,
    MeasureStatus,
    SecurityMeasure,
    SoftTarget,
)
from threats.rules import gaps_for
from threats.services import SOFT_TARGET_FIELDS

# --- Reading ------------------------------------------------------------------------------------


class SecurityMeasureSerializer(serializers.ModelSerializer):
    measure_label = serializers.CharField(source="get_measure_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    has_evidence = serializers.SerializerMethodField(
        help_text=gettext_lazy("Whether an evidence file is stored (the file is not served here).")
    )

    class Meta:
        model = SecurityMeasure
        fields = ["measure", "measure_label", "status", "status_label", "last_reviewed"]
        fields += ["has_evidence"]
        read_only_fields = fields

    def get_has_evidence(self, row) -> bool:
        return bool(row.evidence)


def _measure_list(**kwargs) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=Measure.choices), required=False, **kwargs
    )


class ScaleUpSerializer(serializers.Serializer):
    """For each level of the target's own authority, the measures this target takes: from the
    sector's measure package, tailored by the operator. A Dutch target climbs the ATb levels
    (`basisniveau` to `hoge_dreiging`), a Belgian one OCAM/OCAD's (`ocam_1` to `ocam_4`); a level
    of another authority is refused. In writing, levels left out keep their measures."""

    basisniveau = _measure_list()
    lichte_dreiging = _measure_list()
    matige_dreiging = _measure_list()
    hoge_dreiging = _measure_list()
    ocam_1 = _measure_list()
    ocam_2 = _measure_list()
    ocam_3 = _measure_list()
    ocam_4 = _measure_list()

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    _("Unknown alert levels: %(levels)s.") % {"levels": ", ".join(unknown)}
                )
        return super().to_internal_value(data)


_OMISSIONS = {
    "type": "object",
    "additionalProperties": {"type": "object", "additionalProperties": {"type": "string"}},
}


def _view_field(view: str):
    """``view``: which form of a soft target this is, ``full`` or ``peer`` (the two shapes of
    ``SoftTargetAnyView`` in the schema; exactly one matches any answer)."""

    @extend_schema_field({"type": "string", "enum": [view], "readOnly": True})
    class ViewField(serializers.Field):
        def __init__(self):
            super().__init__(
                read_only=True,
                source="*",
                help_text=gettext_lazy(
                    "full: every detail (your own, or NCTV staff); peer: what partnership "
                    "peers see."
                ),
            )

        def to_representation(self, _target):
            return view

    return ViewField()


class SoftTargetPeerSerializer(serializers.ModelSerializer):
    """What partnership peers see: name, category, place and size; never the details."""

    view = _view_field("peer")
    id = serializers.UUIDField(source="public_id", read_only=True)
    category = SectorRefSerializer(read_only=True)
    latitude = CoordinateField(limit=90, read_only=True)
    longitude = CoordinateField(limit=180, read_only=True)
    capacity_tier = serializers.ChoiceField(choices=CapacityTier.choices, read_only=True)
    capacity_tier_label = serializers.CharField(read_only=True)
    operator = OrganisationRefSerializer(read_only=True)

    class Meta:
        model = SoftTarget
        fields = [
            "view",
            "id",
            "name",
            "category",
            "municipality",
            "latitude",
            "longitude",
            "capacity_tier",
            "capacity_tier_label",
            "operator",
        ]
        read_only_fields = fields


class SoftTargetSerializer(SoftTargetPeerSerializer):
    """A soft target in full, with its measures, scale-up scenario and gaps."""

    view = _view_field("full")
    partnership = PartnershipRefSerializer(read_only=True, allow_null=True)
    shared_under = SharedUnderField()
    vulnerability_tlp_label = serializers.CharField(
        source="get_vulnerability_tlp_display", read_only=True
    )
    measures = SecurityMeasureSerializer(many=True, read_only=True)
    scale_up = serializers.SerializerMethodField()
    scale_up_omissions = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "Per alert level: why a measure a lower level takes is not needed at this one."
        )
    )
    gaps = serializers.SerializerMethodField(
        help_text=gettext_lazy("Measures the capacity tier needs that are not in place.")
    )

    class Meta(SoftTargetPeerSerializer.Meta):
        fields = [
            *SoftTargetPeerSerializer.Meta.fields,
            "address",
            "region",
            "capacity",
            "is_event",
            "event_start",
            "event_end",
            "route",
            "partnership",
            "security_contact_name",
            "security_contact_phone",
            "vulnerability_notes",
            "vulnerability_tlp",
            "vulnerability_tlp_label",
            "measures",
            "scale_up",
            "scale_up_omissions",
            "gaps",
            "shared_under",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ScaleUpSerializer)
    def get_scale_up(self, target) -> dict:
        steps = {step.level: list(step.measures) for step in target.scale_up.all()}  # prefetched
        return {
            level: steps.get(level, []) for level, _label in scale_up_levels(target.jurisdiction)
        }

    @extend_schema_field(_OMISSIONS)
    def get_scale_up_omissions(self, target) -> dict:
        return {
            step.level: dict(step.omissions) for step in target.scale_up.all() if step.omissions
        }

    @extend_schema_field(CodeLabelSerializer(many=True))
    def get_gaps(self, target) -> list[dict]:
        return code_labels(Measure, gaps_for(target, target.measures.all()))


class SoftTargetReadSerializer(serializers.BaseSerializer):
    """Per object: the full form where ``context["full_ids"]`` holds its key, else the peers'."""

    def to_representation(self, instance):
        full = instance.pk in self.context["full_ids"]
        serializer = SoftTargetSerializer if full else SoftTargetPeerSerializer
        return serializer(instance, context=self.context).data


def soft_target_schema(**kwargs) -> PolymorphicProxySerializer:
    return PolymorphicProxySerializer(
        component_name="SoftTargetAnyView",
        serializers={"full": SoftTargetSerializer, "peer": SoftTargetPeerSerializer},
        resource_type_field_name="view",
        **kwargs,
    )


# --- Writing ------------------------------------------------------------------------------------


class SecurityMeasureWriteSerializer(serializers.Serializer):
    measure = serializers.ChoiceField(choices=Measure.choices)
    status = serializers.ChoiceField(choices=MeasureStatus.choices)
    last_reviewed = serializers.DateField(
        required=False, allow_null=True, help_text=gettext_lazy("Left out: unchanged.")
    )


class SoftTargetUpdateSerializer(serializers.ModelSerializer):
    category = SectorField(help_text=gettext_lazy("The sector code, e.g. football_stadium."))
    latitude = CoordinateField(limit=90)
    longitude = CoordinateField(limit=180)
    partnership = VisiblePartnershipField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("A partnership your organisation is a member of."),
    )
    measures = SecurityMeasureWriteSerializer(
        many=True,
        required=False,
        help_text=gettext_lazy("Measures given are set; measures left out stay as they are."),
    )
    scale_up = ScaleUpSerializer(required=False)
    scale_up_omissions = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField(allow_blank=True)),
        required=False,
        help_text=gettext_lazy(
            "Per alert level, by measure: why a measure a lower level takes is not needed at "
            "this one. A higher level must take every measure of the levels below it unless "
            "the omission is explained here. Levels given replace their explanations."
        ),
    )

    class Meta:
        model = SoftTarget
        fields = [
            *SOFT_TARGET_FIELDS,
            "measures",
            "scale_up",
            "scale_up_omissions",
        ]

    def validate_scale_up_omissions(self, value):
        unknown = sorted(set(value) - {*AlertLevel.values, *OcamScaleUpLevel.values})
        if unknown:
            raise serializers.ValidationError(
                _("Unknown alert levels: %(levels)s.") % {"levels": ", ".join(unknown)}
            )
        return value

    def validate_measures(self, rows):
        codes = [row["measure"] for row in rows]
        if len(codes) != len(set(codes)):
            raise serializers.ValidationError(_("Give each measure once."))
        return rows


class SoftTargetCreateSerializer(SoftTargetUpdateSerializer):
    operator = OrganisationField(
        required=False,
        help_text=gettext_lazy(
            "NCTV staff only: the operator organisation; others register "
            "for their own organisation."
        ),
    )

    class Meta(SoftTargetUpdateSerializer.Meta):
        fields = [*SoftTargetUpdateSerializer.Meta.fields, "operator"]
