"""The alert admin: NCTV staff write a draft here (``alert_create``, the author is the user),
a colleague approves it, and the publish page shows the audience preview before the button.

A saved alert is a record: its page is read-only, with buttons for the next steps of its life
(``alerts.admin.lifecycle``). To correct a draft, cancel it and start a new draft from it.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.db.models import Count, Exists, OuterRef
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alerts import services
from alerts.admin.forms import ALERT_FIELDS, MANY, AlertForm, service_arguments
from alerts.admin.lifecycle import AlertLifecycleMixin, drill_badge
from alerts.models import (
    TEMPLATE_FIELDS,
    Acknowledgement,
    Alert,
    AlertRecipient,
    AlertTemplate,
    Channel,
    Delivery,
    EscalationStep,
)
from alerts.selectors import with_counts
from partnerships.selectors import actor_for
from partnerships.sharing.admin import AuditedReadsMixin
from ppsportal.admin.base import (
    NoChangeMixin,
    NoDeleteMixin,
    ReadOnlyInlineMixin,
    ServiceAdmin,
)
from threats.labels import measures_text

RECORD_FIELDS = [
    "status_display",
    "version",
    "previous_link",
    "template",
    "template_version",
    "author",
    "approver",
    "approved_at",
    "published_at",
    "ended_at",
    "owner_organisation",
    "public_id",
    "created_at",
]


# --- Inlines: what publication and acknowledgement left on record ----------------------------


class RecipientInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = AlertRecipient
    fields = ["organisation", "covenant", "acknowledged", "created_at"]
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        acknowledged = Acknowledgement.objects.filter(
            alert=OuterRef("alert"), organisation=OuterRef("organisation")
        )
        return (
            super()
            .get_queryset(request)
            .select_related("organisation", "covenant")
            .annotate(is_acknowledged=Exists(acknowledged))
            .order_by("organisation__name")
        )

    @admin.display(description=_("acknowledged"), boolean=True)
    def acknowledged(self, obj):
        return obj.is_acknowledged


class AcknowledgementInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = Acknowledgement
    fields = ["organisation", "user", "at", "note", "measures"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation", "user")

    @admin.display(description=_("measures taken"))
    def measures(self, obj):
        return measures_text(obj.measures_taken)


class EscalationInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = EscalationStep
    fields = ["organisation", "step", "at"]
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation")


# --- Alerts ------------------------------------------------------------------------------------


# A saved alert changes only through the steps of its life (NoChange), and is never deleted.
@admin.register(Alert)
class AlertAdmin(
    NoChangeMixin, NoDeleteMixin, AlertLifecycleMixin, AuditedReadsMixin, ServiceAdmin
):
    form = AlertForm
    change_form_template = "admin/alerts/alert/change_form.html"
    list_display = [
        "headline",
        "version",
        "kind_display",
        "atb_level",
        "tlp",
        "status",
        "published_at",
        "sent_count",
        "failed_count",
        "acknowledgement_count",
    ]
    list_filter = ["status", "kind", "tlp", "atb_level"]
    search_fields = ["headline", "description"]
    autocomplete_fields = ["partnerships", "organisations", "assessment"]

    def get_queryset(self, request):
        return with_counts(
            super()
            .get_queryset(request)
            .select_related("author", "approver", "owner_organisation", "previous")
        )

    # --- pages --------------------------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ["headline", "description", "instruction", "kind"]}),
            (
                _("In English"),
                {
                    "fields": ["headline_en", "description_en", "instruction_en"],
                    "description": _(
                        "For readers who chose English; left empty, they receive the Dutch text "
                        "marked as such."
                    ),
                },
            ),
            (_("Level"), {"fields": ["atb_level", "tlp", "raises_sectors"]}),
            (
                _("Audience"),
                {
                    "fields": ["sectors", "regions", "partnerships", "organisations"],
                    "description": _(
                        "The organisations in the sectors and regions, the members of the "
                        "partnerships and the named organisations. For TLP:AMBER and above only "
                        "those that signed a covenant in force allowing the level; the publish "
                        "page shows who that is."
                    ),
                },
            ),
            (
                _("Area"),
                {
                    "fields": [
                        "area_description",
                        "area_polygon",
                        "area_circle",
                        "area_regions",
                        "area_targets",
                        "target_categories",
                        "target_min_capacity",
                    ]
                },
            ),
            (
                _("CAP details and acknowledgement"),
                {
                    "fields": [
                        "assessment",
                        "urgency",
                        "severity",
                        "certainty",
                        "expires_at",
                        "ack_deadline_minutes",
                    ],
                    "classes": ["collapse"] if obj is None else [],
                },
            ),
        ]
        if obj is not None:
            fieldsets += [
                (_("Record"), {"fields": RECORD_FIELDS}),
                (_("Deliveries"), {"fields": ["deliveries_summary"]}),
            ]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [*ALERT_FIELDS, *RECORD_FIELDS, "deliveries_summary"]

    def get_inlines(self, request, obj):
        return [RecipientInline, AcknowledgementInline, EscalationInline] if obj else []

    def get_changeform_initial_data(self, request):
        """``?copy_of=<id>``: a new draft starts from an existing alert (to correct a draft,
        cancel it and write it anew from itself)."""
        initial = super().get_changeform_initial_data(request)
        initial.pop("copy_of", None)
        source = None
        if request.GET.get("copy_of"):
            source = self.get_object(request, request.GET["copy_of"])
        if source is not None:
            initial.update({n: getattr(source, n) for n in ALERT_FIELDS if n not in MANY})
            initial.update({n: list(getattr(source, n).all()) for n in MANY})
        initial.pop("template", None)
        template = self.template_of(request)
        if template is not None:
            initial.update(
                {n: getattr(template, n) for n in TEMPLATE_FIELDS if getattr(template, n)}
            )
        return initial

    def template_of(self, request) -> AlertTemplate | None:
        """``?template=<id>``: the draft starts from an offered template (and records it)."""
        key = request.GET.get("template", "")
        if not key.isdigit():
            return None
        return AlertTemplate.objects.filter(pk=int(key), active=True).first()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["alert_tools"] = self.alert_tools(obj, actor_for(request.user))
            context["alert_state"] = self.state_note(obj)
            context["deliveries_url"] = (
                reverse("admin:alerts_delivery_changelist") + f"?alert__id__exact={obj.pk}"
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_add(self, request, obj, post_url_continue=None):
        if "_addanother" in request.POST or IS_POPUP_VAR in request.POST:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(
            request,
            gettext(
                "Draft saved: %(headline)s. Another staff member approves it; then it can be "
                "published."
            )
            % {"headline": obj.headline},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self.alert_url(obj))

    def state_note(self, alert: Alert) -> str:
        if alert.status == Alert.Status.DRAFT:
            return gettext("Draft by %(author)s, awaiting approval by another staff member.") % {
                "author": alert.author
            }
        if alert.status == Alert.Status.APPROVED:
            return gettext("Approved by %(approver)s; ready to publish.") % {
                "approver": alert.approver
            }
        when = (
            date_format(timezone.localtime(alert.published_at), "DATETIME_FORMAT")
            if alert.published_at
            else "—"
        )
        return gettext("%(status)s. Published: %(when)s.") % {
            "status": alert.get_status_display(),
            "when": when,
        }

    # --- columns and record fields ------------------------------------------------------------

    @admin.display(description=_("kind"), ordering="kind")
    def kind_display(self, obj):
        return drill_badge(obj)

    @admin.display(description=_("sent"), ordering="delivered_count")
    def sent_count(self, obj):
        return obj.delivered_count

    @admin.display(description=_("failed"), ordering="failed_count")
    def failed_count(self, obj):
        return obj.failed_count

    @admin.display(description=_("acknowledgements"), ordering="acknowledged_count")
    def acknowledgement_count(self, obj):
        return obj.acknowledged_count

    @admin.display(description=_("status"))
    def status_display(self, obj):
        return format_html("{} — {}", obj.get_status_display(), drill_badge(obj))

    @admin.display(description=_("previous version"))
    def previous_link(self, obj):
        if obj.previous is None:
            return "—"
        return format_html(
            '<a href="{}">{} (v{})</a>',
            self.alert_url(obj.previous),
            obj.previous.headline,
            obj.previous.version,
        )

    @admin.display(description=_("deliveries"))
    def deliveries_summary(self, obj):
        """Counts per purpose and channel, one column per status; deliveries are never edited
        by hand, their own list shows each row."""
        counts = (
            Delivery.objects.filter(alert=obj)
            .values_list("purpose", "channel", "status")
            .annotate(n=Count("pk"))
            .order_by()
        )
        table: dict[tuple[str, str], dict[str, int]] = {}
        for purpose, channel, status, n in counts:
            table.setdefault((purpose, channel), {})[status] = n
        if not table:
            return gettext("None: the alert has not been published.")
        statuses = Delivery.Status
        purposes, channels = dict(Delivery.Purpose.choices), dict(Channel.choices)
        head = format_html_join("", "<th>{}</th>", ((label,) for _value, label in statuses.choices))
        rows = format_html_join(
            "",
            "<tr><td>{} — {}</td>{}</tr>",
            (
                (
                    purposes.get(purpose, purpose),
                    channels.get(channel, channel),
                    format_html_join(
                        "", "<td>{}</td>", ((by_status.get(s, 0),) for s in statuses.values)
                    ),
                )
                for (purpose, channel), by_status in sorted(table.items())
            ),
        )
        link = reverse("admin:alerts_delivery_changelist") + f"?alert__id__exact={obj.pk}"
        return format_html(
            "<table><thead><tr><th></th>{}</tr></thead><tbody>{}</tbody></table>"
            '<p><a href="{}">{}</a></p>',
            head,
            rows,
            link,
            gettext("Every delivery of this alert"),
        )

    # --- writing ------------------------------------------------------------------------------

    def write(self, request, obj, data, changed):
        if obj is not None:
            return obj  # a saved alert is read-only; its steps have their own pages
        return services.alert_create(
            by=request.user,
            template=self.template_of(request),
            **service_arguments(data, ALERT_FIELDS),
        )


# Alerts refer to a template: switch "offered to staff" off instead of deleting it (NoDelete).
@admin.register(AlertTemplate)
class AlertTemplateAdmin(NoDeleteMixin, ServiceAdmin):
    """Templates for recurring situations; saving through ``template_save`` raises the version.
    "Start an alert" opens a new draft filled from the template."""

    list_display = ["name", "atb_level", "tlp", "kind", "version", "active", "start_link"]
    list_filter = ["active", "kind", "atb_level"]
    search_fields = ["name", "headline"]
    fields = ["name", "active", *TEMPLATE_FIELDS, "version"]
    readonly_fields = ["version"]

    @admin.display(description=_("start an alert"))
    def start_link(self, obj):
        if not obj.active:
            return "—"
        url = reverse("admin:alerts_alert_add") + f"?template={obj.pk}"
        return format_html('<a class="button" href="{}">{}</a>', url, gettext("Start an alert"))

    def write(self, request, obj, data, changed):
        names = ["name", "active", *TEMPLATE_FIELDS]
        fields = {n: data[n] for n in names if n in data}
        return services.template_save(by=request.user, template=obj, **fields)
