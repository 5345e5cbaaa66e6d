"""``/api/v1/soft-targets/``: operators register and change their own soft targets; NCTV staff
read all; members of the same partnership see each other's by name, category, place and size
only (never vulnerability notes, measures, evidence, security contact or scale-up scenario)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.widgets import BooleanWidget
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from partnerships.policy import require
from partnerships.roles import Capability
from partnerships.sharing.reads import read_many
from ppsportal.api.common import PortalViewSetMixin, errors
from threats.api.examples import SOFT_TARGET, SOFT_TARGET_CREATE, SOFT_TARGET_PEER
from threats.api.target_serializers import (
    SoftTargetCreateSerializer,
    SoftTargetReadSerializer,
    SoftTargetUpdateSerializer,
    soft_target_schema,
)
from threats.models import CapacityTier, SoftTarget
from threats.selectors import (
    details_visible_ids,
    soft_targets_in_tier,
    soft_targets_visible_to,
    with_register_data,
)
from threats.services_checks import may_change_soft_target
from threats.services_register import soft_target_register, soft_target_register_update


class SoftTargetFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(
        field_name="category__code", label=gettext_lazy("Sector code")
    )
    region = django_filters.CharFilter(lookup_expr="iexact")
    municipality = django_filters.CharFilter(lookup_expr="iexact")
    tier = django_filters.ChoiceFilter(
        choices=CapacityTier.choices, method="filter_tier", label=gettext_lazy("Capacity tier")
    )
    is_event = django_filters.BooleanFilter(widget=BooleanWidget)
    operator = django_filters.UUIDFilter(
        field_name="operator__public_id", label=gettext_lazy("Operator organisation id")
    )

    class Meta:
        model = SoftTarget
        fields = ["category", "region", "municipality", "tier", "is_event", "operator"]

    def filter_tier(self, queryset, name, value):
        return soft_targets_in_tier(queryset, value)


_FORMS = (
    "The full form for your own organisation's targets, NCTV staff and where the details were "
    "shared with you; partnership peers get `id`, `name`, `category`, `municipality`, "
    "`latitude`, `longitude`, `capacity_tier` and `operator` only."
)
_examples = [
    OpenApiExample("Your own (full)", value=SOFT_TARGET, response_only=True),
    OpenApiExample("A partnership peer's", value=SOFT_TARGET_PEER, response_only=True),
]
_bad_input = OpenApiExample(
    "Not on Earth",
    value={"latitude": ["Ensure this value is less than or equal to 90."]},
    response_only=True,
    status_codes=["400"],
)


@extend_schema_view(
    list=extend_schema(
        summary="List soft targets",
        description="Your organisation's own, those of the partnerships it sits in, and all "
        "for NCTV staff. " + _FORMS,
        responses={200: soft_target_schema(many=True), **errors(400, 401)},
        examples=_examples,
    ),
    retrieve=extend_schema(
        summary="Get a soft target",
        description=_FORMS + " Not visible to you answers 404.",
        responses={200: soft_target_schema(), **errors(401, 404)},
        examples=_examples,
    ),
    create=extend_schema(
        summary="Register a soft target",
        description="For your own organisation (roles that may write); NCTV staff may name the "
        "operator. The scale-up scenario starts from the sector's measure packages; `scale_up` "
        "tailors it. Nothing is saved unless everything is valid.",
        request=SoftTargetCreateSerializer,
        responses={201: soft_target_schema(), **errors(400, 401, 403)},
        examples=[
            OpenApiExample("The ArenA", value=SOFT_TARGET_CREATE, request_only=True),
            OpenApiExample("Registered", value=SOFT_TARGET, response_only=True),
            _bad_input,
        ],
    ),
    update=extend_schema(
        summary="Replace a soft target's data (its operator)",
        request=SoftTargetUpdateSerializer,
        responses={200: soft_target_schema(), **errors(400, 401, 403, 404)},
        examples=[
            OpenApiExample("The ArenA", value=SOFT_TARGET_CREATE, request_only=True),
            OpenApiExample("Changed", value=SOFT_TARGET, response_only=True),
        ],
    ),
    partial_update=extend_schema(
        summary="Change a soft target (its operator)",
        description="Measures given are set (others stay); scale-up levels given replace that "
        "level's measures. A partnership peer's target answers 403, an unknown one 404.",
        request=SoftTargetUpdateSerializer,
        responses={200: soft_target_schema(), **errors(400, 401, 403, 404)},
        examples=[
            OpenApiExample(
                "Training done",
                value={
                    "measures": [
                        {
                            "measure": "staff_training",
                            "status": "in_place",
                            "last_reviewed": "2026-02-01",
                        }
                    ],
                    "scale_up": {"hoge_dreiging": ["bag_checks", "hostile_vehicle_barriers"]},
                },
                request_only=True,
            ),
            OpenApiExample("Changed", value=SOFT_TARGET, response_only=True),
        ],
    ),
)
@extend_schema(tags=["soft-targets"])
class SoftTargetViewSet(
    PortalViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    filterset_class = SoftTargetFilter
    search_fields = ["name", "municipality"]
    ordering_fields = ["name", "municipality"]
    ordering = ["name"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SoftTarget.objects.none()
        return with_register_data(soft_targets_visible_to(self.actor))

    def get_serializer_class(self):
        if self.action == "create":
            return SoftTargetCreateSerializer
        if self.action in {"update", "partial_update"}:
            return SoftTargetUpdateSerializer
        return SoftTargetReadSerializer

    # --- reading: the form per object, and an audit entry for the details shown

    def list(self, request, *args, **kwargs):
        rows = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._represent(rows, purpose="api list"))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._represent([self.get_object()], purpose="api detail")[0])

    def _represent(self, targets, *, purpose: str | None) -> list:
        """Each target in the form its reader may see; reads (``purpose``) of details at AMBER
        and above are audited (the answer to a write only repeats what was written)."""
        targets = list(targets)
        full_ids = details_visible_ids(self.actor, targets)
        if purpose is not None:
            read_many(
                actor=self.actor,
                objects=[t for t in targets if t.pk in full_ids],
                request=self.request,
                purpose=purpose,
            )
        context = {**self.get_serializer_context(), "full_ids": full_ids}
        return SoftTargetReadSerializer(targets, many=True, context=context).data

    # --- writing

    def create(self, request, *args, **kwargs):
        require(self.actor.is_nctv_staff or self.actor.can(Capability.WRITE))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        measures, scale_up = _register_arguments(data)
        target = soft_target_register(by=request.user, measures=measures, scale_up=scale_up, **data)
        return Response(self._one(target), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        target = self.get_object()
        require(
            may_change_soft_target(self.actor, target),
            _("Only the operator of this soft target may change it."),
        )
        serializer = self.get_serializer(data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        measures, scale_up = _register_arguments(data)
        soft_target_register_update(
            soft_target=target, by=request.user, changes=data, measures=measures, scale_up=scale_up
        )
        return Response(self._one(target))

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def _one(self, target) -> dict:
        return self._represent([self.reread(target)], purpose=None)[0]


def _register_arguments(data: dict) -> tuple[dict, dict]:
    """The request's measures and scale-up levels, taken out of ``data``, in the register
    service's shape: a review date left out keeps the stored one; scale-up levels given replace
    their measures, explanations given replace a level's (``threats.services_register``)."""
    measures = {
        row["measure"]: {key: value for key, value in row.items() if key != "measure"}
        for row in data.pop("measures", [])
    }
    steps: dict[str, dict] = {
        level: {"measures": chosen} for level, chosen in data.pop("scale_up", {}).items()
    }
    for level, reasons in data.pop("scale_up_omissions", {}).items():
        steps.setdefault(level, {})["omissions"] = reasons
    return measures, steps
