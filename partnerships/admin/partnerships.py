"""Admin for partnerships: members, covenants, contact log, actions and costs on one page, with
the health computed from them. Writes go through ``partnerships.services.partnerships`` and the
services of each inline; the forms validate by dry-running the same calls."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partnerships.admin.contacts import (
    ContactLinkInline,
    CostItemInline,
    CostShareInline,
    PartnershipActionInline,
    cost_overview_html,
)
from partnerships.admin.covenants import CovenantLinkInline
from partnerships.health import (
    HealthStatus,
    assess,
    partnerships_with_health_data,
    severity_of,
)
from partnerships.health_sql import with_health_status
from partnerships.models import (
    DEFAULT_REQUIRED_ROLES,
    VARIANT_MEANINGS,
    PartnerRole,
    Partnership,
    PartnershipKind,
    PartnershipMember,
)
from partnerships.selectors import (
    cost_summary,
    partnership_member_organisations,
)
from partnerships.services import partnerships as partnership_services
from ppsportal.admin.base import (
    LockedWhenSavedForm,
    ServiceAdmin,
    ServiceFormSet,
    ServiceInline,
    fresh,
)

PARTNERSHIP_FIELDS = (
    "name",
    "description",
    "kind",
    "region",
    "variant",
    "status",
    "sponsor",
    "contact_frequency_days",
    "required_roles",
)

_HEALTH_COLOURS = {
    HealthStatus.HEALTHY: "#1a7f37",
    HealthStatus.ATTENTION: "#b35900",
    HealthStatus.AT_RISK: "#c62828",
}


# --- Members ------------------------------------------------------------------------------------


class MemberForm(LockedWhenSavedForm):
    # A member's organisation, role and joining date are fixed; it leaves once, on a date.
    locked = ("organisation", "role", "joined_on")
    lock_once_set = ("left_on",)

    class Meta:
        model = PartnershipMember
        fields = ["organisation", "role", "joined_on", "left_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and "joined_on" in self.fields:
            self.fields["joined_on"].initial = timezone.localdate

    def clean(self):
        cleaned = super().clean()
        joined, left = cleaned.get("joined_on"), cleaned.get("left_on")
        if joined and left and left < joined:
            # partnership_member_leave's refusal, before the database constraint answers
            self.add_error("left_on", gettext("An organisation cannot leave before it joined."))
        return cleaned


class MemberFormSet(ServiceFormSet):
    def write_row(self, form, parent):
        data = form.cleaned_data
        if form.instance.pk is None:
            member = partnership_services.partnership_member_add(
                partnership=parent,
                organisation=data["organisation"],
                role=data["role"],
                joined_on=data["joined_on"],
            )
            if data.get("left_on"):
                partnership_services.partnership_member_leave(
                    member=member, left_on=data["left_on"]
                )
            return ("new", member)
        if "left_on" in form.changed_data and data.get("left_on"):
            member = fresh(form.instance)
            partnership_services.partnership_member_leave(member=member, left_on=data["left_on"])
            return ("changed", member, ["left_on"])
        return None


class MemberInline(ServiceInline):
    model = PartnershipMember
    form = MemberForm
    formset = MemberFormSet
    fields = ["organisation", "role", "joined_on", "left_on"]
    autocomplete_fields = ["organisation"]
    can_delete = False  # a member leaves on a date; its seat at the table stays on record

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation")


# --- Partnerships -------------------------------------------------------------------------------


def _default_roles_text() -> str:
    return "; ".join(
        f"{PartnershipKind(kind).label}: "
        + ", ".join(str(PartnerRole(role).label) for role in roles)
        for kind, roles in DEFAULT_REQUIRED_ROLES.items()
    )


class PartnershipForm(forms.ModelForm):
    required_roles = forms.MultipleChoiceField(
        label=_("required roles"),
        choices=PartnerRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Partnership
        fields = [*PARTNERSHIP_FIELDS, "liaison"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["required_roles"].help_text = format_lazy(
            "{} {}",
            _("Leave all unticked for the default of the kind."),
            _default_roles_text(),
        )


class RegionFilter(admin.SimpleListFilter):
    """Regions from a plain query: the field filter would read them through the changelist's
    queryset, with its health joins."""

    title = _("region")
    parameter_name = "region"

    def lookups(self, request, model_admin):
        regions = (
            Partnership.objects.exclude(region="")
            .order_by("region")
            .values_list("region", flat=True)
            .distinct()
        )
        return [(region, region) for region in regions]

    def queryset(self, request, queryset):
        return queryset.filter(region=self.value()) if self.value() else queryset


class HealthFilter(admin.SimpleListFilter):
    """By health status: the rule's SQL form (``health_sql.with_health_status``), so the database
    filters and pages before the rows shown are assessed for their reasons."""

    title = _("health")
    parameter_name = "health"

    def lookups(self, request, model_admin):
        return HealthStatus.choices

    def queryset(self, request, queryset):
        if self.value() in HealthStatus.values:
            return queryset.filter(health_severity=severity_of(self.value()))
        return queryset


def _liaison_label(user) -> str:
    name = user.get_full_name() or user.get_username()
    membership = getattr(user, "membership", None)
    return f"{name} ({membership.organisation})" if membership else name


@admin.register(Partnership)
class PartnershipAdmin(ServiceAdmin):
    form = PartnershipForm
    list_display = [
        "name",
        "kind",
        "variant",
        "status",
        "region",
        "health_display",
        "health_reasons_text",
        "liaison",
    ]
    list_select_related = ["liaison"]
    list_filter = ["status", "variant", "kind", RegionFilter, HealthFilter]
    search_fields = ["name", "description", "region"]
    autocomplete_fields = ["sponsor"]
    readonly_fields = [
        "variant_meanings",
        "health_display",
        "health_reasons",
        "missing_roles",
        "cost_overview",
        "partner_shares",
        "public_id",
        "created_at",
    ]

    def get_queryset(self, request):
        # Health reads annotations and prefetches: a fixed number of queries for any page.
        # and the status as the rule's SQL form, to order and filter by (``HealthFilter``)
        today = timezone.localdate()
        return with_health_status(
            partnerships_with_health_data(super().get_queryset(request), today), today
        )

    def get_inlines(self, request, obj):
        # Members first: everything else in a partnership needs its members to exist.
        if obj is None:
            return [MemberInline]
        return [
            MemberInline,
            CovenantLinkInline,
            ContactLinkInline,
            PartnershipActionInline,
            CostItemInline,
            CostShareInline,
        ]

    def get_fieldsets(self, request, obj=None):
        pps = ["variant", "variant_meanings", "sponsor", "contact_frequency_days", "required_roles"]
        if obj is None:
            return [
                (None, {"fields": ["name", "description", "kind", "region", "status"]}),
                (
                    _("Partnership"),
                    {
                        "fields": pps,
                        "description": _(
                            "Save the partnership with its members first; then choose the "
                            "liaison, who must be a user of a member organisation."
                        ),
                    },
                ),
            ]
        return [
            (None, {"fields": ["name", "description", "kind", "region", "status"]}),
            (_("Partnership"), {"fields": [*pps[:3], "liaison", *pps[3:]]}),
            (
                _("Health"),
                {
                    "fields": [
                        "health_display",
                        "health_reasons",
                        "missing_roles",
                        "cost_overview",
                        "partner_shares",
                    ]
                },
            ),
            (_("Record"), {"fields": ["public_id", "created_at"], "classes": ["collapse"]}),
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "liaison" in form.base_fields and obj is not None:
            # The liaison is a user of a current member organisation (the service checks it).
            field = form.base_fields["liaison"]
            field.queryset = (
                get_user_model()
                .objects.filter(
                    Q(
                        is_active=True,
                        membership__organisation__in=partnership_member_organisations(obj),
                    )
                    | Q(pk=obj.liaison_id)
                )
                .select_related("membership__organisation")
                .order_by("username")
            )
            field.label_from_instance = _liaison_label
        return form

    # --- health, computed from the records ------------------------------------------------

    def _health(self, obj):
        report = getattr(obj, "_health_report", None)
        if report is None:
            report = obj._health_report = assess(obj, timezone.localdate())
        return report

    @admin.display(description=_("health"), ordering="health_severity")
    def health_display(self, obj):
        report = self._health(obj)
        return format_html(
            '<span style="color: {}">●</span> {}',
            _HEALTH_COLOURS[report.status],
            report.status_label,
        )

    @admin.display(description=_("reasons"))
    def health_reasons_text(self, obj):
        return " ".join(reason.text for reason in self._health(obj).reasons) or "—"

    @admin.display(description=_("reasons"))
    def health_reasons(self, obj):
        reasons = self._health(obj).reasons
        if not reasons:
            return gettext("No concerns: contact, covenant, members, liaison and actions are fine.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li>{}</li>", ((reason.text,) for reason in reasons)),
        )

    @admin.display(description=_("missing roles"))
    def missing_roles(self, obj):
        missing = self._health(obj).missing_roles
        return ", ".join(str(PartnerRole(role).label) for role in missing) or "—"

    @admin.display(description=_("costs"))
    def cost_overview(self, obj):
        return cost_overview_html(cost_summary(obj))

    @admin.display(description=_("Shares between partners"))
    def partner_shares(self, obj):
        """How many shares between partners count under its covenants: a number, no content."""
        from partnerships.sharing.partner import partner_share_counts

        return partner_share_counts().get(obj.pk, 0)

    @admin.display(description=_("PPS variants"))
    def variant_meanings(self, obj):
        return format_html(
            "<dl>{}</dl>",
            format_html_join(
                "",
                "<dt>{}</dt><dd>{}</dd>",
                ((variant.label, meaning) for variant, meaning in VARIANT_MEANINGS.items()),
            ),
        )

    # --- writes ---------------------------------------------------------------------------

    def write(self, request, obj, data, changed):
        if obj is None:
            return partnership_services.partnership_create(
                **{name: data[name] for name in PARTNERSHIP_FIELDS if name in data}
            )
        changes = {name: data[name] for name in changed if name in (*PARTNERSHIP_FIELDS, "liaison")}
        if not changes:
            return obj
        return partnership_services.partnership_update(partnership=obj, **changes)
