"""``/api/v1/threat-level/`` (the national threat level, DTN) and ``/api/v1/sectors/`` (sectors
with their alert level, ATb, and measure packages): read for every member; NCTV staff add sectors
and set their levels."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from partnerships.models import Jurisdiction
from partnerships.policy import require
from partnerships.selectors import actor_for
from ppsportal.api.common import PortalViewSetMixin, UserRefSerializer, errors
from ppsportal.api.fields import CodeLabelSerializer, code_labels, staff_only
from threats.api.examples import (
    SECTOR,
    SECTOR_DETAIL,
    THREAT_LEVEL_OCAM,
    THREAT_LEVEL_OVERVIEW,
)
from threats.jurisdictions import authority_for, jurisdiction_of
from threats.models import (
    AlertLevel,
    Measure,
    MeasurePackage,
    Sector,
    SectorAlertLevel,
)
from threats.selectors import (
    sectors_with_levels,
    threat_level_current,
    threat_level_history,
    threat_levels_regional,
)
from threats.services import sector_create, sector_level_set, threat_level_set

HISTORY_DEFAULT = 20
HISTORY_MAX = 200
SECTOR_HISTORY = 20

# --- The national threat level ------------------------------------------------------------------


class ThreatLevelSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    jurisdiction = serializers.ChoiceField(choices=Jurisdiction.choices, read_only=True)
    level = serializers.IntegerField(
        read_only=True,
        help_text=gettext_lazy(
            "In the jurisdiction's own levels: the Netherlands (NCTV, DTN) 1 minimal to "
            "5 critical; Belgium (OCAM/OCAD) 1 low to 4 very serious."
        ),
    )
    level_label = serializers.CharField(read_only=True)
    region = serializers.CharField(
        read_only=True, help_text=gettext_lazy("Empty for the national level.")
    )
    rationale = serializers.CharField(read_only=True)
    on_behalf_of = serializers.CharField(
        read_only=True,
        help_text=gettext_lazy(
            "The authority whose level this is, when a mandated user recorded it on its behalf; "
            "empty when its own authority set it."
        ),
    )
    set_by = UserRefSerializer(read_only=True)
    set_at = serializers.DateTimeField(read_only=True)


class ThreatLevelOverviewSerializer(serializers.Serializer):
    jurisdiction = serializers.ChoiceField(choices=Jurisdiction.choices, read_only=True)
    authority = serializers.CharField(
        read_only=True, help_text=gettext_lazy("Whose levels these are: NCTV or OCAM/OCAD.")
    )
    national = ThreatLevelSerializer(read_only=True, allow_null=True)
    regional = ThreatLevelSerializer(
        many=True,
        read_only=True,
        help_text=gettext_lazy("The current level of each region that has one of its own."),
    )
    history = ThreatLevelSerializer(
        many=True, read_only=True, help_text=gettext_lazy("Every decision, newest first.")
    )


class HistoryLimitSerializer(serializers.Serializer):
    limit = serializers.IntegerField(
        required=False, min_value=0, max_value=HISTORY_MAX, default=HISTORY_DEFAULT
    )
    jurisdiction = serializers.ChoiceField(choices=Jurisdiction.choices, required=False)


class ThreatLevelSetSerializer(serializers.Serializer):
    jurisdiction = serializers.ChoiceField(choices=Jurisdiction.choices, default=Jurisdiction.NL)
    level = serializers.IntegerField(
        help_text=gettext_lazy("In the jurisdiction's own levels (1 to 5 Dutch, 1 to 4 Belgian).")
    )
    region = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    rationale = serializers.CharField()


class ThreatLevelView(APIView):
    """The current threat level of a jurisdiction, its regional ones and the history of
    decisions; NCTV staff record a new decision."""

    @extend_schema(
        operation_id="threat_level_retrieve",
        summary="Current threat level and its history",
        description="The threat level of a jurisdiction as its own authority last set it: in "
        "the Netherlands the NCTV's DTN (1 minimal to 5 critical), in Belgium OCAM/OCAD's level "
        "(1 low to 4 very serious). Without `jurisdiction`, the caller's organisation's own. "
        "With the current level of each region that has its own, and the decisions before, "
        "newest first. `national` is null until a level is set.",
        parameters=[
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 0, "maximum": HISTORY_MAX},
                description=f"How many past decisions to show (default {HISTORY_DEFAULT}, "
                f"at most {HISTORY_MAX}; 0 for none).",
            ),
            OpenApiParameter(
                "jurisdiction",
                {"type": "string", "enum": list(Jurisdiction.values)},
                description="nl or be; default: your organisation's.",
            ),
        ],
        responses={200: ThreatLevelOverviewSerializer, **errors(400, 401)},
        examples=[OpenApiExample("Substantial", value=THREAT_LEVEL_OVERVIEW, response_only=True)],
        tags=["threat-level"],
    )
    def get(self, request):
        query = HistoryLimitSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        jurisdiction = query.validated_data.get("jurisdiction") or jurisdiction_of(
            actor_for(request.user).organisation
        )
        return Response(self._overview(jurisdiction, query.validated_data["limit"]))

    @extend_schema(
        operation_id="threat_level_set",
        summary="Record a threat level (NCTV staff; a Belgian level only with a mandate)",
        description="A new decision on a jurisdiction's level; the earlier ones stay in the "
        "history. NCTV staff set the Dutch DTN. The NCTV cannot set a Belgian level: only a "
        "user mandated to record OCAM/OCAD's levels on its behalf may (403 otherwise), and the "
        "row says so (`on_behalf_of`). A level outside the jurisdiction's own is a 400.",
        request=ThreatLevelSetSerializer,
        responses={201: ThreatLevelOverviewSerializer, **errors(400, 401, 403)},
        examples=[
            OpenApiExample(
                "OCAM level 3",
                value={"jurisdiction": "be", "level": 3, "rationale": "OCAM/OCAD: level 3."},
                request_only=True,
            ),
            OpenApiExample(
                "Recorded",
                value={
                    "jurisdiction": "be",
                    "authority": "OCAM/OCAD",
                    "national": THREAT_LEVEL_OCAM,
                    "regional": [],
                    "history": [THREAT_LEVEL_OCAM],
                },
                response_only=True,
                status_codes=["201"],
            ),
        ],
        tags=["threat-level"],
    )
    def post(self, request):
        serializer = ThreatLevelSetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = threat_level_set(by=request.user, **serializer.validated_data)
        return Response(
            self._overview(row.jurisdiction, HISTORY_DEFAULT), status=status.HTTP_201_CREATED
        )

    def _overview(self, jurisdiction: str, limit: int) -> dict:
        overview = {
            "jurisdiction": jurisdiction,
            "authority": authority_for(jurisdiction).name,
            "national": threat_level_current(jurisdiction=jurisdiction),
            "regional": list(threat_levels_regional(jurisdiction)),
            "history": list(threat_level_history(limit=limit, jurisdiction=jurisdiction)),
        }
        return ThreatLevelOverviewSerializer(overview).data


# --- Sectors ------------------------------------------------------------------------------------


class MeasurePackageSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=AlertLevel.choices, read_only=True)
    level_label = serializers.CharField(read_only=True)
    measures = CodeLabelSerializer(many=True, read_only=True)
    notes = serializers.CharField(read_only=True)


class SectorSerializer(serializers.ModelSerializer):
    """A sector with its current alert level and, for every level, its measure package."""

    name = serializers.CharField(
        source="display_name", read_only=True, help_text=gettext_lazy("In the request's language.")
    )
    name_nl = serializers.CharField(source="name", read_only=True)
    level = serializers.ChoiceField(
        source="current_level_or_basic", choices=AlertLevel.choices, read_only=True
    )
    level_label = serializers.SerializerMethodField()
    level_set_at = serializers.DateTimeField(
        source="current_level_set_at", read_only=True, allow_null=True
    )
    measure_packages = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "For each alert level, lowest first: what venues are expected to do."
        )
    )

    class Meta:
        model = Sector
        fields = [
            "code",
            "name",
            "name_nl",
            "name_en",
            "level",
            "level_label",
            "level_set_at",
            "measure_packages",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        instance.current_level_or_basic = (
            getattr(instance, "current_level", None) or AlertLevel.BASISNIVEAU
        )
        return super().to_representation(instance)

    def get_level_label(self, sector) -> str:
        return str(AlertLevel(sector.current_level_or_basic).label)

    @extend_schema_field(MeasurePackageSerializer(many=True))
    def get_measure_packages(self, sector) -> list[dict]:
        packages = {p.level: p for p in sector.packages.all()}  # prefetched
        rows = []
        for level in AlertLevel:
            package = packages.get(level.value)
            rows.append(
                {
                    "level": level.value,
                    "level_label": str(level.label),
                    "measures": code_labels(Measure, package.measures if package else []),
                    "notes": package.notes if package else "",
                }
            )
        return rows


class SectorLevelSerializer(serializers.ModelSerializer):
    """One decision on a sector's alert level."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    set_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = SectorAlertLevel
        fields = ["id", "level", "level_label", "rationale", "set_by", "set_at"]
        read_only_fields = fields


class SectorDetailSerializer(SectorSerializer):
    history = serializers.SerializerMethodField(
        help_text=gettext_lazy("The latest decisions on the level, newest first.")
    )

    class Meta(SectorSerializer.Meta):
        fields = [*SectorSerializer.Meta.fields, "history"]
        read_only_fields = fields

    @extend_schema_field(SectorLevelSerializer(many=True))
    def get_history(self, sector) -> list[dict]:
        rows = list(sector.alert_levels.all())[:SECTOR_HISTORY]  # prefetched, newest first
        return SectorLevelSerializer(rows, many=True).data


class SectorCreateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["code", "name", "name_en"]
        extra_kwargs = {
            "code": {"help_text": gettext_lazy("Lowercase letters, digits and _; never changes.")},
            "name": {"help_text": gettext_lazy("The name in Dutch.")},
        }


class SectorLevelSetSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=AlertLevel.choices)
    rationale = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(
        summary="List sectors with their alert level",
        description="Every sector (soft-target category) with its current alert level (ATb: "
        "basic, low, moderate, high threat) and, for each level, the measure package expected "
        "of venues in it.",
        responses={200: SectorSerializer, **errors(400, 401)},
        examples=[OpenApiExample("Football stadiums", value=SECTOR, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="Get a sector",
        description="With the latest decisions on its alert level.",
        responses={200: SectorDetailSerializer, **errors(401, 404)},
        examples=[OpenApiExample("Football stadiums", value=SECTOR_DETAIL, response_only=True)],
    ),
    create=extend_schema(
        summary="Add a sector (NCTV staff)",
        description="It starts at the basic alert level, with empty measure packages.",
        request=SectorCreateSerializer,
        responses={201: SectorDetailSerializer, **errors(400, 401, 403)},
        examples=[
            OpenApiExample(
                "Theatres",
                value={"code": "theatre", "name": "Theater", "name_en": "Theatre"},
                request_only=True,
            ),
            OpenApiExample(
                "Code taken",
                value={"code": ["Sector with this code already exists."]},
                response_only=True,
                status_codes=["400"],
            ),
        ],
    ),
)
@extend_schema(tags=["sectors"])
class SectorViewSet(
    PortalViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    lookup_field = "code"
    lookup_url_kwarg = "code"
    lookup_value_regex = r"[a-z][a-z0-9_]*"
    search_fields = ["name", "name_en", "code"]
    ordering_fields = ["name", "code"]
    ordering = ["name"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Sector.objects.none()
        queryset = sectors_with_levels().prefetch_related(
            Prefetch("packages", queryset=MeasurePackage.objects.order_by("level"))
        )
        if self.action != "list":
            queryset = queryset.prefetch_related(
                Prefetch(
                    "alert_levels",
                    queryset=SectorAlertLevel.objects.select_related("set_by").order_by(
                        "-set_at", "-id"
                    ),
                )
            )
        return queryset

    def get_serializer_class(self):
        if self.action == "create":
            return SectorCreateSerializer
        if self.action == "level":
            return SectorLevelSetSerializer
        if self.action == "list":
            return SectorSerializer
        return SectorDetailSerializer

    def create(self, request, *args, **kwargs):
        require(self.actor.is_nctv_staff, staff_only())
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sector = sector_create(by=request.user, **serializer.validated_data)
        return Response(self._detail(sector), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Set a sector's alert level (NCTV staff)",
        description="Records a new decision; the previous levels stay in the history.",
        request=SectorLevelSetSerializer,
        responses={200: SectorDetailSerializer, **errors(400, 401, 403, 404)},
        examples=[
            OpenApiExample(
                "Moderate threat",
                value={"level": "matige_dreiging", "rationale": "Calls to attack stadiums."},
                request_only=True,
            ),
            OpenApiExample(
                "Set",
                value={**SECTOR_DETAIL, "level": "matige_dreiging"},
                response_only=True,
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def level(self, request, *args, **kwargs):
        sector = self.get_object()
        require(self.actor.is_nctv_staff, staff_only())
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sector_level_set(sector=sector, by=request.user, **serializer.validated_data)
        return Response(self._detail(sector))

    def _detail(self, sector) -> dict:
        return SectorDetailSerializer(
            self.reread(sector), context=self.get_serializer_context()
        ).data
