"""``/api/v1/procedures/``, ``/training-records/``, ``/courses/``, ``/exercises/`` and
``/action-items/``: an operator reads and writes the preparedness of its own soft targets, NCTV
staff read all (and manage the course catalogue in the admin). Another organisation's items
answer 404, exactly like missing ones."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from alerts.models import Alert
from alerts.selectors import alerts_visible_to
from partnerships.policy import require
from partnerships.selectors import actor_for
from ppsportal.api.common import PortalViewSetMixin, PublicIdField, errors
from preparedness import selectors, services
from preparedness.models import (
    ActionItem,
    Course,
    Exercise,
    ExerciseStatus,
    Procedure,
    ProcedureKind,
    ProcedureState,
    TrainingRecord,
)
from threats.drf import SoftTargetRefSerializer
from threats.models import SoftTarget

# --- Fields -------------------------------------------------------------------------------------


class OwnSoftTargetField(PublicIdField):
    """A soft target whose preparedness the caller sees; any other id is unknown."""

    default_error_messages = {
        "does_not_exist": gettext_lazy("There is no soft target with id {value}.")
    }

    def __init__(self, **kwargs):
        super().__init__(queryset=SoftTarget.objects.all(), **kwargs)

    def get_queryset(self):
        actor = actor_for(self.context["request"].user)
        return selectors.preparedness_targets_visible_to(actor)


class VisibleAlertField(PublicIdField):
    """An alert the caller may see; any other id is unknown (the service checks its kind)."""

    default_error_messages = {"does_not_exist": gettext_lazy("There is no alert with id {value}.")}

    def __init__(self, **kwargs):
        super().__init__(queryset=Alert.objects.all(), **kwargs)

    def get_queryset(self):
        return alerts_visible_to(actor_for(self.context["request"].user))


class CourseField(PublicIdField):
    default_error_messages = {"does_not_exist": gettext_lazy("There is no course with id {value}.")}

    def __init__(self, **kwargs):
        super().__init__(queryset=Course.objects.all(), **kwargs)


class CourseSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Course
        fields = ["id", "code", "name", "validity_months", "counts_for_coverage"]
        read_only_fields = fields


# --- Procedures ---------------------------------------------------------------------------------


class ProcedureSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    soft_target = SoftTargetRefSerializer(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Procedure
        fields = [
            "id",
            "soft_target",
            "kind",
            "kind_label",
            "title",
            "steps",
            "owner",
            "state",
            "state_label",
            "review_due",
            "updated_at",
        ]
        read_only_fields = fields


class ProcedureWriteSerializer(serializers.Serializer):
    soft_target = OwnSoftTargetField()
    kind = serializers.ChoiceField(choices=ProcedureKind.choices)
    title = serializers.CharField(max_length=200)
    steps = serializers.CharField(allow_blank=True, required=False, default="")
    owner = serializers.CharField(max_length=200)
    state = serializers.ChoiceField(choices=ProcedureState.choices, default=ProcedureState.DRAFT)
    review_due = serializers.DateField()


class ProcedureFilter(django_filters.FilterSet):
    soft_target = django_filters.UUIDFilter(
        field_name="soft_target__public_id", label=gettext_lazy("Soft target id")
    )
    kind = django_filters.ChoiceFilter(choices=ProcedureKind.choices)
    state = django_filters.ChoiceFilter(choices=ProcedureState.choices)

    class Meta:
        model = Procedure
        fields = ["soft_target", "kind", "state"]


_PROCEDURE = {
    "id": "0b6f4d6e-2f0c-4a7b-9d7e-3c1f5a2b8e11",
    "soft_target": {"id": "6c1d0a52-1b8e-4c55-a0a4-5d2d1f0e7a10", "name": "Johan Cruijff ArenA"},
    "kind": "evacuation",
    "kind_label": "Evacuation",
    "title": "Ontruimingsplan ArenA",
    "steps": "1. Omroep. 2. Stewards openen nooduitgangen. 3. Verzamelpunt P1.",
    "owner": "Hoofd veiligheid",
    "state": "approved",
    "state_label": "Approved",
    "review_due": "2027-03-01",
    "updated_at": "2026-11-02T10:00:00+01:00",
}


@extend_schema_view(
    list=extend_schema(
        summary="List procedures",
        description="Of your organisation's own soft targets; NCTV staff see all.",
        responses={200: ProcedureSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Get a procedure",
        responses={200: ProcedureSerializer, **errors(401, 404)},
        examples=[OpenApiExample("Evacuation", value=_PROCEDURE, response_only=True)],
    ),
    create=extend_schema(
        summary="Write a procedure",
        description="One per kind and soft target: writing a kind again replaces it.",
        request=ProcedureWriteSerializer,
        responses={201: ProcedureSerializer, **errors(400, 401, 403)},
        examples=[OpenApiExample("Written", value=_PROCEDURE, response_only=True)],
    ),
)
@extend_schema(tags=["preparedness"])
class ProcedureViewSet(
    PortalViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    filterset_class = ProcedureFilter
    search_fields = ["title", "soft_target__name"]
    ordering_fields = ["review_due", "kind"]
    ordering = ["review_due"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Procedure.objects.none()
        return selectors.procedures_visible_to(self.actor)

    def get_serializer_class(self):
        return ProcedureWriteSerializer if self.action == "create" else ProcedureSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        procedure = services.procedure_save(by=request.user, **serializer.validated_data)
        data = ProcedureSerializer(self.reread(procedure)).data
        return Response(data, status=status.HTTP_201_CREATED)


# --- Training -----------------------------------------------------------------------------------


class TrainingRecordSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    soft_target = SoftTargetRefSerializer(read_only=True)
    course = CourseSerializer(read_only=True)

    class Meta:
        model = TrainingRecord
        fields = [
            "id",
            "soft_target",
            "course",
            "role",
            "trained_count",
            "staff_total",
            "held_on",
            "valid_until",
        ]
        read_only_fields = fields


class TrainingRecordWriteSerializer(serializers.Serializer):
    soft_target = OwnSoftTargetField()
    course = CourseField()
    role = serializers.CharField(max_length=100)
    trained_count = serializers.IntegerField(min_value=0)
    staff_total = serializers.IntegerField(min_value=1)
    held_on = serializers.DateField()
    valid_until = serializers.DateField(
        required=False, help_text=gettext_lazy("Default: the course's validity.")
    )


class TrainingRecordFilter(django_filters.FilterSet):
    soft_target = django_filters.UUIDFilter(
        field_name="soft_target__public_id", label=gettext_lazy("Soft target id")
    )
    course = django_filters.CharFilter(field_name="course__code", label=gettext_lazy("Course code"))

    class Meta:
        model = TrainingRecord
        fields = ["soft_target", "course"]


@extend_schema_view(
    list=extend_schema(
        summary="List training records",
        responses={200: TrainingRecordSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Get a training record",
        responses={200: TrainingRecordSerializer, **errors(401, 404)},
    ),
    create=extend_schema(
        summary="Record a training",
        request=TrainingRecordWriteSerializer,
        responses={201: TrainingRecordSerializer, **errors(400, 401, 403)},
    ),
)
@extend_schema(tags=["preparedness"])
class TrainingRecordViewSet(
    PortalViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    filterset_class = TrainingRecordFilter
    ordering_fields = ["held_on", "valid_until"]
    ordering = ["-held_on"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TrainingRecord.objects.none()
        return selectors.training_records_visible_to(self.actor)

    def get_serializer_class(self):
        return (
            TrainingRecordWriteSerializer if self.action == "create" else TrainingRecordSerializer
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = services.training_record_create(by=request.user, **serializer.validated_data)
        data = TrainingRecordSerializer(self.reread(record)).data
        return Response(data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="List the course catalogue", responses={200: CourseSerializer}),
    retrieve=extend_schema(
        summary="Get a course", responses={200: CourseSerializer, **errors(401, 404)}
    ),
)
@extend_schema(tags=["preparedness"])
class CourseViewSet(
    PortalViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = CourseSerializer
    ordering_fields = ["name"]
    ordering = ["name"]

    def get_queryset(self):
        return selectors.course_catalogue()


# --- Exercises ----------------------------------------------------------------------------------


class ActionItemSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = ActionItem
        fields = ["id", "description", "owner", "due_on", "done_on"]
        read_only_fields = fields


class AcknowledgementTimeSerializer(serializers.Serializer):
    organisation = serializers.CharField(read_only=True)
    seconds = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="Seconds from the alert's publication to the organisation's first "
        "acknowledgement; null if it did not acknowledge.",
    )


class ExerciseSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    soft_target = SoftTargetRefSerializer(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    action_items = ActionItemSerializer(many=True, read_only=True)
    alert = serializers.UUIDField(
        source="alert.public_id",
        read_only=True,
        allow_null=True,
        help_text="The linked alert of kind exercise, if any.",
    )
    acknowledgement_times = serializers.SerializerMethodField(
        help_text="Per organisation in the linked alert's audience, by name: all of them for "
        "NCTV staff, the caller's own organisation for a partner."
    )

    @extend_schema_field(AcknowledgementTimeSerializer(many=True))
    def get_acknowledgement_times(self, exercise) -> list[dict]:
        return [
            {"organisation": row["organisation"], "seconds": row["seconds"]}
            for row in selectors.acknowledgement_times(
                exercise, actor_for(self.context["request"].user)
            )
        ]

    class Meta:
        model = Exercise
        fields = [
            "id",
            "soft_target",
            "scenario",
            "planned_for",
            "participants",
            "status",
            "status_label",
            "held_on",
            "outcome",
            "action_items",
            "alert",
            "acknowledgement_times",
        ]
        read_only_fields = fields


class ExercisePlanSerializer(serializers.Serializer):
    soft_target = OwnSoftTargetField()
    scenario = serializers.CharField(max_length=300)
    planned_for = serializers.DateField()
    participants = serializers.CharField(allow_blank=True, required=False, default="")
    alert = VisibleAlertField(required=False, allow_null=True, default=None)


class ExerciseHeldSerializer(serializers.Serializer):
    held_on = serializers.DateField()
    outcome = serializers.CharField()


class ActionItemWriteSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=500)
    owner = serializers.CharField(max_length=200)
    due_on = serializers.DateField()


class ExerciseFilter(django_filters.FilterSet):
    soft_target = django_filters.UUIDFilter(
        field_name="soft_target__public_id", label=gettext_lazy("Soft target id")
    )
    status = django_filters.ChoiceFilter(choices=ExerciseStatus.choices)

    class Meta:
        model = Exercise
        fields = ["soft_target", "status"]


@extend_schema_view(
    list=extend_schema(
        summary="List exercises",
        description="With their after-action items.",
        responses={200: ExerciseSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Get an exercise", responses={200: ExerciseSerializer, **errors(401, 404)}
    ),
    create=extend_schema(
        summary="Plan an exercise",
        request=ExercisePlanSerializer,
        responses={201: ExerciseSerializer, **errors(400, 401, 403)},
    ),
)
@extend_schema(tags=["preparedness"])
class ExerciseViewSet(
    PortalViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    filterset_class = ExerciseFilter
    search_fields = ["scenario", "soft_target__name"]
    ordering_fields = ["planned_for"]
    ordering = ["-planned_for"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Exercise.objects.none()
        return selectors.exercises_visible_to(self.actor)

    def get_serializer_class(self):
        return {
            "create": ExercisePlanSerializer,
            "held": ExerciseHeldSerializer,
            "action_items": ActionItemWriteSerializer,
        }.get(self.action, ExerciseSerializer)

    def get_serializer(self, *args, **kwargs):
        if kwargs.get("many") and args:
            # a page of exercises: every acknowledgement time in one query, not one per row
            selectors.load_acknowledgement_times(args[0], self.actor)
        return super().get_serializer(*args, **kwargs)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        exercise = services.exercise_plan(by=request.user, **serializer.validated_data)
        return Response(self._read(exercise), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record what happened at an exercise",
        request=ExerciseHeldSerializer,
        responses={200: ExerciseSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def held(self, request, *args, **kwargs):
        exercise = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.exercise_record_held(
            exercise=exercise, by=request.user, **serializer.validated_data
        )
        return Response(self._read(exercise))

    @extend_schema(
        summary="Add an after-action item",
        request=ActionItemWriteSerializer,
        responses={201: ExerciseSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="action-items")
    def action_items(self, request, *args, **kwargs):
        exercise = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.action_item_add(exercise=exercise, by=request.user, **serializer.validated_data)
        return Response(self._read(exercise), status=status.HTTP_201_CREATED)

    def _read(self, exercise) -> dict:
        return ExerciseSerializer(self.reread(exercise), context=self.get_serializer_context()).data


@extend_schema(tags=["preparedness"])
class ActionItemViewSet(PortalViewSetMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ActionItemSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ActionItem.objects.none()
        return selectors.action_items_visible_to(self.actor)

    @extend_schema(
        summary="Get an after-action item",
        responses={200: ActionItemSerializer, **errors(401, 404)},
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="Mark an after-action item done",
        description="Done twice changes nothing the second time.",
        request=None,
        responses={200: ActionItemSerializer, **errors(401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, *args, **kwargs):
        item = self.get_object()
        require(services.may_change_preparedness(self.actor, item.exercise.soft_target))
        services.action_item_complete(item=item, by=request.user)
        return Response(ActionItemSerializer(item).data)
