"""Serializers of ``/api/v1/threat-assessments/``: the assessment as partners read it (codes
with labels, the body as Markdown and as sanitised HTML), as NCTV staff write it, and its shares."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partnerships.drf import CovenantRefSerializer, OrganisationField, OrganisationRefSerializer
from partnerships.models import Covenant
from partnerships.sharing.drf import SharedUnderField
from ppsportal.api.common import PublicIdField, UsernameField, UserRefSerializer
from ppsportal.api.fields import CodeLabelSerializer, code_labels
from ppsportal.sensitivity import TLP
from threats.drf import SectorField, SectorRefSerializer
from threats.markdown import render_markdown
from threats.models import AssessmentFacet, Measure, ModusOperandi, Motive, ThreatAssessment

# --- Reading ------------------------------------------------------------------------------------


def _facet_codes(assessment, kind: str, choices) -> list[dict]:
    present = {f.code for f in assessment.facets.all() if f.kind == kind}  # prefetched
    return code_labels(choices, [code for code in choices.values if code in present])


class AssessmentSerializer(serializers.ModelSerializer):
    """An assessment: body as Markdown source and as sanitised HTML, codes with their labels."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    body = serializers.CharField(read_only=True, help_text=gettext_lazy("Markdown source."))
    body_html = serializers.SerializerMethodField(
        help_text=gettext_lazy("The body rendered to HTML and sanitised: safe to show as is.")
    )
    motives = serializers.SerializerMethodField()
    modus_operandi = serializers.SerializerMethodField()
    target_categories = SectorRefSerializer(many=True, read_only=True)
    regions = serializers.ListField(child=serializers.CharField(), read_only=True)
    tlp_label = serializers.CharField(source="get_tlp_display", read_only=True)
    recommended_measures = serializers.SerializerMethodField()
    owner_organisation = OrganisationRefSerializer(read_only=True)
    shared_under = SharedUnderField()

    class Meta:
        model = ThreatAssessment
        fields = [
            "id",
            "title",
            "summary",
            "body",
            "body_html",
            "motives",
            "modus_operandi",
            "target_categories",
            "regions",
            "tlp",
            "tlp_label",
            "valid_from",
            "valid_until",
            "recommended_measures",
            "owner_organisation",
            "shared_under",
            "created_at",
        ]
        read_only_fields = fields

    def get_body_html(self, assessment) -> str:
        return render_markdown(assessment.body)

    @extend_schema_field(CodeLabelSerializer(many=True))
    def get_motives(self, assessment) -> list[dict]:
        return _facet_codes(assessment, AssessmentFacet.Kind.MOTIVE, Motive)

    @extend_schema_field(CodeLabelSerializer(many=True))
    def get_modus_operandi(self, assessment) -> list[dict]:
        return _facet_codes(assessment, AssessmentFacet.Kind.MODUS, ModusOperandi)

    @extend_schema_field(CodeLabelSerializer(many=True))
    def get_recommended_measures(self, assessment) -> list[dict]:
        return code_labels(Measure, assessment.recommended_measures)


class ShareRowSerializer(serializers.Serializer):
    """One share of an assessment, and whether it counts today."""

    kind = serializers.ChoiceField(
        choices=[("organisation", gettext_lazy("Organisation")), ("user", gettext_lazy("User"))],
        read_only=True,
    )
    organisation = OrganisationRefSerializer(read_only=True)
    user = serializers.SerializerMethodField(help_text=gettext_lazy("Username, for a user share."))
    covenant = CovenantRefSerializer(read_only=True)
    granted_by = UserRefSerializer(read_only=True, allow_null=True)
    granted_at = serializers.DateTimeField(read_only=True)
    reason = serializers.CharField(read_only=True)
    valid = serializers.BooleanField(
        read_only=True,
        help_text=gettext_lazy(
            "False once the covenant, a signature or the clause no longer carries it."
        ),
    )

    def get_user(self, share) -> str | None:
        return share.user.get_username() if share.user is not None else None


# --- Writing ------------------------------------------------------------------------------------


class AssessmentWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField()
    body = serializers.CharField(
        required=False, allow_blank=True, help_text=gettext_lazy("Markdown.")
    )
    tlp = serializers.ChoiceField(choices=TLP.choices, required=False)
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(required=False, allow_null=True)
    motives = serializers.ListField(
        child=serializers.ChoiceField(choices=Motive.choices), required=False
    )
    modus_operandi = serializers.ListField(
        child=serializers.ChoiceField(choices=ModusOperandi.choices), required=False
    )
    target_categories = SectorField(
        many=True, required=False, help_text=gettext_lazy("Sector codes.")
    )
    regions = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    recommended_measures = serializers.ListField(
        child=serializers.ChoiceField(choices=Measure.choices), required=False
    )


class ShareSerializer(serializers.Serializer):
    organisation = OrganisationField(
        required=False, help_text=gettext_lazy("The organisation's id (AMBER, AMBER+STRICT).")
    )
    user = UsernameField(
        required=False, help_text=gettext_lazy("A username instead (AMBER and above; RED only).")
    )
    covenant = PublicIdField(
        queryset=Covenant.objects.all(),
        help_text=gettext_lazy("The covenant in force that allows this share."),
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if ("organisation" in attrs) == ("user" in attrs):
            raise serializers.ValidationError(
                _("Name either an organisation or a user."), code="one_recipient"
            )
        return attrs


class RevokeSerializer(serializers.Serializer):
    organisation = OrganisationField(required=False)
    user = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.all(),
        required=False,
        help_text=gettext_lazy("Username (also of a user no longer active)."),
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if ("organisation" in attrs) == ("user" in attrs):
            raise serializers.ValidationError(
                _("Name either an organisation or a user to revoke."), code="one_recipient"
            )
        return attrs
