"""``/api/v1/contacts/`` (the contact log) and ``/api/v1/actions/`` (follow-up actions): read for
members; write for members whose role allows writing, and NCTV staff."""

from __future__ import annotations

import json
import uuid

import django_filters
from django.db import connection
from django.db.models import F, Prefetch, TextField
from django.db.models.expressions import RawSQL
from django.db.models.manager import BaseManager
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from partnerships.api.examples import ACTION, CONTACT, CONTACT_CREATE
from partnerships.drf import (
    OrganisationField,
    OrganisationRefSerializer,
    PartnershipRefSerializer,
    VisiblePartnershipField,
)
from partnerships.models import Action, ContactEntry
from partnerships.policy import can_write_contacts, require
from partnerships.selectors import actions_visible_to, contacts_visible_to
from partnerships.services.contacts import action_set_done, contact_create
from partnerships.sharing.drf import AuditSensitiveReadsMixin, SharedUnderField
from partnerships.sharing.partner import with_shared_under
from ppsportal.api.common import PortalViewSetMixin, UserRefSerializer, errors

# --- Reading ------------------------------------------------------------------------------------


class ActionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    partnership = PartnershipRefSerializer(read_only=True)
    contact = serializers.SlugRelatedField(
        slug_field="public_id",
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("The id of the contact-log entry that agreed the action."),
    )
    owner = OrganisationRefSerializer(read_only=True)
    done = serializers.BooleanField(source="is_done", read_only=True)

    class Meta:
        model = Action
        fields = [
            "id",
            "partnership",
            "contact",
            "description",
            "owner",
            "due_on",
            "done",
            "done_on",
            "created_at",
        ]
        read_only_fields = fields


class ContactActionSerializer(ActionSerializer):
    """An action inside its contact-log entry: partnership and contact are the entry's own."""

    class Meta(ActionSerializer.Meta):
        fields = ["id", "description", "owner", "due_on", "done", "done_on"]
        read_only_fields = fields


class ContactListSerializer(serializers.ListSerializer):
    """A page of contact-log entries as ``ContactSerializer`` shows each, built from the rows
    the list fetched (with ``select_related``) and their participants and actions as plain
    values: read in the page's own query where the list asked for them (``with_related_rows``),
    else by two queries: no model instance, queryset clone or DRF field per related row.
    DRF's field machinery per row and field (nested serializers, ``get_attribute`` inspecting
    the signature of every callable source, ``get_FOO_display`` per row) and Django's prefetch
    (a queryset cloned per entry) cost more than the page's queries (docs/benchmarks.md, B4).
    The same JSON, key for key and value for value:
    ``tests/partnerships/api/test_contact_list_items.py`` holds it equal to the serializer's
    own output. The schema still comes from ``ContactSerializer``."""

    def to_representation(self, data):
        # a manager is read (as DRF's own ListSerializer does); a queryset or a page is listed
        # from its rows as they are, with what the read door set on them (``shared_under``)
        entries = list(data.all() if isinstance(data, BaseManager) else data)
        if entries and all(hasattr(e, ACTION_ROWS) for e in entries):
            participants, actions = _related_rows_of(entries)
        else:
            ids = [e.pk for e in entries]
            participants = _participants_of(ids)
            actions = _actions_of(ids)
        created_at = self.child.fields["created_at"].to_representation
        kinds = _labels(ContactEntry._meta.get_field("kind").flatchoices)
        levels = _labels(ContactEntry._meta.get_field("tlp").flatchoices)
        return [
            {
                "id": str(e.public_id),
                "partnership": _ref(e.partnership),
                "occurred_on": _date(e.occurred_on),
                "kind": e.kind,
                "kind_label": kinds.get(e.kind, e.kind),
                "participants": participants.get(e.pk, []),
                "summary": e.summary,
                "tlp": e.tlp,
                "tlp_label": levels.get(e.tlp, e.tlp),
                "owner_organisation": _ref(e.owner_organisation),
                "created_by": _user_ref(e.created_by),
                "created_at": created_at(e.created_at) if e.created_at else None,
                "actions": actions.get(e.pk, []),
                "shared_under": _shared_under(e),
            }
            for e in entries
        ]


# The columns of a page of the list: the entry's (the door and the audit read its level and
# owner), and the names of its partnership, owner and author.
LIST_COLUMNS = (
    "public_id",
    "partnership__public_id",
    "partnership__name",
    "occurred_on",
    "kind",
    "summary",
    "tlp",
    "owner_organisation__public_id",
    "owner_organisation__name",
    "created_by__username",
    "created_by__first_name",
    "created_by__last_name",
    "created_at",
)


# The annotations ``with_related_rows`` puts on each entry: its participants and its actions as
# the page's own query read them, an array of rows each.
PARTICIPANT_ROWS = "list_participant_rows"
ACTION_ROWS = "list_action_rows"


def with_related_rows(entries):
    """``entries`` (contact-log entries) with their participants and actions read in the same
    query, as correlated subqueries (``ARRAY(SELECT …)`` on PostgreSQL, ``json_group_array`` on
    SQLite): the page needs no query of its own for them (docs/benchmarks.md, B4). The rows come
    in the order of ``_participants_of`` and ``_actions_of`` (``Organisation``'s and
    ``Action``'s ordering); ``ContactListSerializer`` reads them. On another database the
    entries are returned as they are and the serializer asks its two queries."""
    sql = _RELATED_ROWS_SQL.get(connection.vendor)
    if sql is None:
        return entries
    names = _names()
    # table and column names from the models' own metadata; nothing of the caller's in the SQL
    return entries.annotate(
        **{
            name: RawSQL(text.format(**names), [], output_field=TextField())  # noqa: S611  # nosec B611
            for name, text in sql.items()
        }
    )


def _names() -> dict[str, str]:
    quote = connection.ops.quote_name
    participants = ContactEntry._meta.get_field("participants")
    names = {
        "entry": quote(ContactEntry._meta.db_table),
        "through": quote(participants.remote_field.through._meta.db_table),
        "through_entry": quote(participants.m2m_column_name()),
        "through_organisation": quote(participants.m2m_reverse_name()),
        "organisation": quote(participants.related_model._meta.db_table),
        "action": quote(Action._meta.db_table),
    }
    return {
        "participants_from": _PARTICIPANTS_FROM.format(**names),
        "actions_from": _ACTIONS_FROM.format(**names),
    }


# Participants by name (``Organisation``'s ordering), actions by ``Action``'s ordering
# (``done_on``, ``due_on``, ``id``: where NULL sorts is the database's, as in ``_actions_of``).
_PARTICIPANTS_FROM = (
    "FROM {through} t INNER JOIN {organisation} o ON o.id = t.{through_organisation} "
    "WHERE t.{through_entry} = {entry}.id ORDER BY o.name"
)
_ACTIONS_FROM = (
    "FROM {action} a INNER JOIN {organisation} o ON o.id = a.owner_id "
    "WHERE a.contact_id = {entry}.id ORDER BY a.done_on, a.due_on, a.id"
)
_RELATED_ROWS_SQL = {
    # a two-dimensional text array each (a row per participant or action; a date as ISO text)
    "postgresql": {
        PARTICIPANT_ROWS: "ARRAY(SELECT ARRAY[o.public_id::text, o.name] {participants_from})",
        ACTION_ROWS: "ARRAY(SELECT ARRAY[a.public_id::text, a.description, o.public_id::text, "
        "o.name, to_char(a.due_on, 'YYYY-MM-DD'), to_char(a.done_on, 'YYYY-MM-DD')] "
        "{actions_from})",
    },
    # JSON text, an array of rows each; SQLite keeps the order of the subquery it aggregates
    "sqlite": {
        PARTICIPANT_ROWS: "(SELECT json_group_array(json_array(r.public_id, r.name)) FROM "
        "(SELECT o.public_id, o.name {participants_from}) r)",
        ACTION_ROWS: "(SELECT json_group_array(json_array(r.public_id, r.description, "
        "r.owner_public_id, r.owner_name, r.due_on, r.done_on)) FROM "
        "(SELECT a.public_id, a.description, o.public_id AS owner_public_id, "
        "o.name AS owner_name, a.due_on, a.done_on {actions_from}) r)",
    },
}


def _related_rows_of(entries) -> tuple[dict[int, list[dict]], dict[int, list[dict]]]:
    """What ``_participants_of`` and ``_actions_of`` give, from the rows ``with_related_rows``
    put on ``entries``."""
    participants: dict[int, list[dict]] = {}
    actions: dict[int, list[dict]] = {}
    for e in entries:
        participants[e.pk] = [
            {"id": _uuid(public_id), "name": name}
            for public_id, name in _rows(getattr(e, PARTICIPANT_ROWS))
        ]
        actions[e.pk] = [
            {
                "id": _uuid(public_id),
                "description": description,
                "owner": {"id": _uuid(owner_id), "name": owner_name},
                "due_on": due_on,
                "done": done_on is not None,
                "done_on": done_on,
            }
            for public_id, description, owner_id, owner_name, due_on, done_on in _rows(
                getattr(e, ACTION_ROWS)
            )
        ]
    return participants, actions


def _rows(value) -> list:
    # PostgreSQL's driver gives the array as lists; SQLite gives JSON text
    return json.loads(value) if isinstance(value, str) else (value or [])


def _uuid(value: str) -> str:
    # SQLite keeps a UUID as 32 hex digits; PostgreSQL's text form is already the canonical one
    return value if len(value) == 36 else str(uuid.UUID(value))


def _participants_of(ids: list[int]) -> dict[int, list[dict]]:
    """Entry pk -> its participants as references, by name (``Organisation``'s ordering)."""
    through = ContactEntry.participants.through
    rows = (
        through.objects.filter(contactentry_id__in=ids)
        .order_by("organisation__name")
        .values_list("contactentry_id", "organisation__public_id", "organisation__name")
    )
    found: dict[int, list[dict]] = {}
    for entry_id, public_id, name in rows:
        found.setdefault(entry_id, []).append({"id": str(public_id), "name": name})
    return found


def _actions_of(ids: list[int]) -> dict[int, list[dict]]:
    """Entry pk -> its actions as ``ContactActionSerializer`` shows them (``Action``'s ordering)."""
    rows = (
        Action.objects.filter(contact_id__in=ids)
        .order_by(*Action._meta.ordering)
        .values_list(
            "contact_id",
            "public_id",
            "description",
            "owner__public_id",
            "owner__name",
            "due_on",
            "done_on",
        )
    )
    found: dict[int, list[dict]] = {}
    for entry_id, public_id, description, owner_id, owner_name, due_on, done_on in rows:
        found.setdefault(entry_id, []).append(
            {
                "id": str(public_id),
                "description": description,
                "owner": {"id": str(owner_id), "name": owner_name},
                "due_on": _date(due_on),
                "done": done_on is not None,
                "done_on": _date(done_on),
            }
        )
    return found


def _labels(choices) -> dict:
    # the labels in the request's language, once per page (``get_FOO_display`` per row)
    return {value: str(label) for value, label in choices}


def _date(value):
    return value.isoformat() if value else None


def _ref(obj) -> dict | None:
    return None if obj is None else {"id": str(obj.public_id), "name": obj.name}


def _user_ref(user) -> dict | None:
    return None if user is None else {"username": user.username, "full_name": user.get_full_name()}


def _shared_under(obj):
    under = getattr(obj, "shared_under", None)
    return under.as_dict() if under is not None else None


class ContactSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    partnership = PartnershipRefSerializer(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    participants = OrganisationRefSerializer(many=True, read_only=True)
    tlp_label = serializers.CharField(source="get_tlp_display", read_only=True)
    owner_organisation = OrganisationRefSerializer(read_only=True)
    created_by = UserRefSerializer(read_only=True, allow_null=True)
    actions = ContactActionSerializer(many=True, read_only=True)
    shared_under = SharedUnderField()

    class Meta:
        model = ContactEntry
        fields = [
            "id",
            "partnership",
            "occurred_on",
            "kind",
            "kind_label",
            "participants",
            "summary",
            "tlp",
            "tlp_label",
            "owner_organisation",
            "created_by",
            "created_at",
            "actions",
            "shared_under",
        ]
        read_only_fields = fields
        list_serializer_class = ContactListSerializer


# --- Writing ------------------------------------------------------------------------------------


class ActionWriteSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=300)
    owner = OrganisationField(help_text=gettext_lazy("The member organisation that owns it."))
    due_on = serializers.DateField()


class ContactCreateSerializer(serializers.ModelSerializer):
    partnership = VisiblePartnershipField()
    participants = OrganisationField(many=True, allow_empty=False)
    actions = ActionWriteSerializer(
        many=True, required=False, help_text=gettext_lazy("Follow-up actions agreed in it.")
    )

    class Meta:
        model = ContactEntry
        fields = ["partnership", "occurred_on", "kind", "participants", "summary", "tlp", "actions"]


class ActionDoneSerializer(serializers.Serializer):
    done = serializers.BooleanField(help_text=gettext_lazy("Done (true) or open again (false)."))


# --- Filters and views --------------------------------------------------------------------------


class ContactFilter(django_filters.FilterSet):
    partnership = django_filters.UUIDFilter(
        field_name="partnership__public_id", label=gettext_lazy("Partnership id")
    )
    kind = django_filters.ChoiceFilter(choices=ContactEntry.Kind.choices)
    occurred_after = django_filters.DateFilter(
        field_name="occurred_on", lookup_expr="gte", label=gettext_lazy("On or after this date")
    )
    occurred_before = django_filters.DateFilter(
        field_name="occurred_on", lookup_expr="lte", label=gettext_lazy("On or before this date")
    )

    class Meta:
        model = ContactEntry
        fields = ["partnership", "kind", "occurred_after", "occurred_before"]


class ActionFilter(django_filters.FilterSet):
    partnership = django_filters.UUIDFilter(
        field_name="partnership__public_id", label=gettext_lazy("Partnership id")
    )
    owner = django_filters.UUIDFilter(
        field_name="owner__public_id", label=gettext_lazy("Owner organisation id")
    )
    done = django_filters.BooleanFilter(
        field_name="done_on", lookup_expr="isnull", exclude=True, label=gettext_lazy("Done")
    )

    class Meta:
        model = Action
        fields = ["partnership", "owner", "done"]


@extend_schema_view(
    list=extend_schema(
        summary="List contact-log entries",
        description="Meetings, calls, exercises and debriefs of the partnerships you may see, "
        "newest first, with their follow-up actions.",
        responses={200: ContactSerializer, **errors(400, 401)},
        examples=[OpenApiExample("A meeting", value=CONTACT, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="Get a contact-log entry",
        responses={200: ContactSerializer, **errors(401, 404)},
        examples=[OpenApiExample("A meeting", value=CONTACT, response_only=True)],
    ),
    create=extend_schema(
        summary="Log a contact, with its follow-up actions",
        description="For members whose role allows writing, and NCTV staff. Participants and "
        "action owners must be current members of the partnership; the date cannot be in the "
        "future. Nothing is saved unless everything is valid.",
        request=ContactCreateSerializer,
        responses={201: ContactSerializer, **errors(400, 401, 403)},
        examples=[
            OpenApiExample("A meeting with an action", value=CONTACT_CREATE, request_only=True),
            OpenApiExample("Logged", value=CONTACT, response_only=True),
            OpenApiExample(
                "In the future",
                value={"occurred_on": ["A contact cannot take place in the future."]},
                response_only=True,
                status_codes=["400"],
            ),
        ],
    ),
)
@extend_schema(tags=["contacts"])
class ContactViewSet(
    AuditSensitiveReadsMixin,
    PortalViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    filterset_class = ContactFilter
    search_fields = ["summary", "partnership__name"]
    ordering_fields = ["occurred_on", "created_at"]
    ordering = ["-occurred_on"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ContactEntry.objects.none()
        entries = contacts_visible_to(self.actor).select_related(
            "partnership", "owner_organisation", "created_by"
        )
        if self.action == "list":
            # what ContactListSerializer and the read door read, no more: participants,
            # actions and the covenants of grants (``shared_under``) in the page's own query
            entries = with_shared_under(self.actor, entries.only(*LIST_COLUMNS), today=self.today)
            return with_related_rows(entries)
        return entries.prefetch_related(
            "participants",
            Prefetch("actions", queryset=Action.objects.select_related("owner")),
        )

    def get_serializer_class(self):
        return ContactCreateSerializer if self.action == "create" else ContactSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        partnership = data.pop("partnership")
        require(
            can_write_contacts(self.actor, partnership),
            _("Your role does not allow adding to the contact log."),
        )
        entry = contact_create(
            partnership=partnership,
            by=request.user,
            actions=[dict(a) for a in data.pop("actions", [])],
            **data,
        )
        data = ContactSerializer(self.reread(entry), context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="List follow-up actions",
        description="Of the partnerships you may see: open ones first, by due date.",
        responses={200: ActionSerializer, **errors(400, 401)},
        examples=[OpenApiExample("An open action", value=ACTION, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="Get a follow-up action",
        responses={200: ActionSerializer, **errors(401, 404)},
        examples=[OpenApiExample("An open action", value=ACTION, response_only=True)],
    ),
    partial_update=extend_schema(
        summary="Mark an action done or open",
        description="For members whose role allows writing, and NCTV staff.",
        request=ActionDoneSerializer,
        responses={200: ActionSerializer, **errors(400, 401, 403, 404)},
        examples=[
            OpenApiExample("Done", value={"done": True}, request_only=True),
            OpenApiExample(
                "Marked done",
                value={**ACTION, "done": True, "done_on": "2026-03-20"},
                response_only=True,
            ),
        ],
    ),
)
@extend_schema(tags=["actions"])
class ActionViewSet(
    PortalViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    filterset_class = ActionFilter
    search_fields = ["description", "partnership__name"]
    ordering_fields = ["due_on", "done_on", "created_at"]
    ordering = None  # by default open actions first, then by due date: see get_queryset
    ordering_default_description = "open actions first, then by due date"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Action.objects.none()
        return (
            actions_visible_to(self.actor)
            .select_related("partnership", "owner", "contact")
            .order_by(F("done_on").asc(nulls_first=True), "due_on", "pk")
        )

    def get_serializer_class(self):
        return ActionDoneSerializer if self.action == "partial_update" else ActionSerializer

    def partial_update(self, request, *args, **kwargs):
        action = self.get_object()
        require(
            can_write_contacts(self.actor, action.partnership),
            _("Your role does not allow changing actions."),
        )
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "done" in serializer.validated_data:
            action_set_done(action=action, done=serializer.validated_data["done"])
        data = ActionSerializer(self.reread(action), context=self.get_serializer_context()).data
        return Response(data)
