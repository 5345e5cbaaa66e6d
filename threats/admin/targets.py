"""Admin for the soft-target register: every target with its measures, scale-up scenario and
gaps. Writes go through ``threats.services`` (``soft_target_create``, ``soft_target_update``,
``soft_target_set_measure``, ``scale_up_set``); the vulnerability details are shared through the
sharing engine (the *Shares* page), and reading them is audited."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partnerships.sharing.admin import AuditedReadsMixin, ShareableAdminMixin
from ppsportal.admin.base import (
    LockedWhenSavedForm,
    NoAddMixin,
    ServiceAdmin,
    ServiceFormSet,
    ServiceInline,
)
from ppsportal.admin.common import checkboxes, distinct_values_filter
from threats import services
from threats.forms import omissions_text, parse_omissions
from threats.labels import measures_text
from threats.models import CapacityTier, Measure, ScaleUpStep, SecurityMeasure, SoftTarget
from threats.rules import gaps_for
from threats.selectors import with_register_data
from threats.services import SOFT_TARGET_FIELDS

TARGET_FIELDS = SOFT_TARGET_FIELDS

# The capacity range of each tier, as ``CapacityTier.for_capacity`` draws it (a test holds the
# two in step at 199/200 and 799/800).
TIER_RANGES = {
    CapacityTier.BELOW: Q(capacity__lt=200),
    CapacityTier.STANDARD: Q(capacity__gte=200, capacity__lt=800),
    CapacityTier.ENHANCED: Q(capacity__gte=800),
}


class _ByRequestUser:
    """Inlines whose services need ``by``: the formset class carries the request's user."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"user": request.user})


# --- Measures -----------------------------------------------------------------------------------


class MeasureForm(LockedWhenSavedForm):
    locked = ("measure",)

    class Meta:
        model = SecurityMeasure
        fields = ["measure", "status", "last_reviewed"]


class MeasureFormSet(ServiceFormSet):
    def write_row(self, form, parent):
        data = form.cleaned_data
        row = services.soft_target_set_measure(
            soft_target=parent,
            by=self.user,
            measure=form.instance.measure if form.instance.pk else data["measure"],
            status=data["status"],
            last_reviewed=data.get("last_reviewed"),
        )
        return ("changed", row, form.changed_data) if form.instance.pk else ("new", row)


class MeasureInline(_ByRequestUser, ServiceInline):
    """The measures checklist; evidence is uploaded by the operator and shown here on file."""

    model = SecurityMeasure
    form = MeasureForm
    formset = MeasureFormSet
    fields = ["measure", "status", "last_reviewed", "evidence_link"]
    readonly_fields = ["evidence_link"]
    can_delete = False  # a measure is set to "not applicable", not removed

    @admin.display(description=_("evidence"))
    def evidence_link(self, obj):
        if obj.pk is None or not obj.evidence:
            return "—"
        try:
            url = reverse("soft-target-evidence", args=[obj.soft_target.public_id, obj.measure])
        except NoReverseMatch:
            return gettext("PDF on file")
        return format_html('<a href="{}">{}</a>', url, gettext("PDF on file"))


# --- Scale-up scenario --------------------------------------------------------------------------


class ScaleUpForm(LockedWhenSavedForm):
    locked = ("level",)
    measures = checkboxes(Measure.choices, _("measures"))
    omissions = forms.CharField(
        label=_("omissions explained"),
        help_text=_("One a line: “measure: reason”."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 30}),
    )

    class Meta:
        model = ScaleUpStep
        fields = ["level", "measures", "omissions", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2, "cols": 30})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["omissions"] = omissions_text(self.instance.omissions or {})

    def clean_omissions(self):
        return parse_omissions(self.cleaned_data.get("omissions", ""))


class ScaleUpFormSet(ServiceFormSet):
    """The levels are written together (``scale_up_replace``): the scenario must climb as a
    whole, so a measure taken away from two levels at once is not refused halfway."""

    def write_row(self, form, parent):
        return ("changed", form.instance, form.changed_data)

    def write_all(self, parent, rows: list[dict]) -> None:
        steps = {
            form.instance.level: {
                "measures": form.cleaned_data["measures"],
                "notes": form.cleaned_data.get("notes", ""),
                "omissions": form.cleaned_data.get("omissions") or {},
            }
            for form in self.changed_forms()
        }
        services.scale_up_replace(soft_target=parent, by=self.user, steps=steps)


class ScaleUpInline(_ByRequestUser, NoAddMixin, ServiceInline):
    """One row per ATb level, started from the sector's measure package."""

    model = ScaleUpStep
    form = ScaleUpForm
    formset = ScaleUpFormSet
    fields = ["level", "measures", "omissions", "notes"]
    can_delete = False


# --- Soft targets -------------------------------------------------------------------------------


class SoftTargetForm(forms.ModelForm):
    class Meta:
        model = SoftTarget
        fields = ["operator", *TARGET_FIELDS]


class TierFilter(admin.SimpleListFilter):
    title = _("capacity tier")
    parameter_name = "tier"

    def lookups(self, request, model_admin):
        return CapacityTier.choices

    def queryset(self, request, queryset):
        if self.value() in TIER_RANGES:
            return queryset.filter(TIER_RANGES[self.value()])
        return queryset


@admin.register(SoftTarget)
class SoftTargetAdmin(AuditedReadsMixin, ShareableAdminMixin, ServiceAdmin):
    form = SoftTargetForm
    list_display = [
        "name",
        "operator",
        "category",
        "municipality",
        "region",
        "capacity",
        "tier",
        "is_event",
        "gap_count",
    ]
    list_select_related = ["operator", "category"]
    list_filter = [
        "category",
        distinct_values_filter("region", _("region")),
        ("operator", admin.RelatedOnlyFieldListFilter),
        TierFilter,
        "is_event",
    ]
    search_fields = ["name", "municipality", "address", "region", "operator__name"]
    autocomplete_fields = ["operator", "partnership"]
    record_fields = ["tier", "gaps", "created_by", "created_at", "updated_at", "public_id"]

    def get_queryset(self, request):
        return with_register_data(super().get_queryset(request))

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ["operator", "name", "category", "capacity"]}),
            (
                _("Location"),
                {"fields": ["address", "municipality", "region", "latitude", "longitude"]},
            ),
            (_("Event"), {"fields": ["is_event", "event_start", "event_end", "route"]}),
            (
                _("Partnership and 24/7 contact"),
                {"fields": ["partnership", "security_contact_name", "security_contact_phone"]},
            ),
            (
                _("Vulnerabilities (operator and NCTV only, unless shared)"),
                {"fields": ["vulnerability_notes", "vulnerability_tlp"]},
            ),
        ]
        if obj is None:
            fieldsets[0][1]["description"] = _(
                "Save the soft target first; then record its measures and tailor its scale-up "
                "scenario, which starts from its sector's measure packages."
            )
        else:
            fieldsets.append((_("Tier and gaps"), {"fields": self.record_fields}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        # No service moves a soft target to another operator.
        return ["operator", *self.record_fields] if obj else self.record_fields

    def get_inlines(self, request, obj):
        return [MeasureInline, ScaleUpInline] if obj else []

    @admin.display(description=_("capacity tier"))
    def tier(self, obj):
        return obj.capacity_tier_label

    @admin.display(description=_("gaps"))
    def gap_count(self, obj):
        return len(gaps_for(obj, obj.measures.all()))

    @admin.display(description=_("gaps"))
    def gaps(self, obj):
        return measures_text(gaps_for(obj, obj.measures.all()))

    def write(self, request, obj, data, changed):
        if obj is None:
            return services.soft_target_create(
                by=request.user,
                operator=data["operator"],
                **{name: data[name] for name in TARGET_FIELDS},
            )
        changes = {name: data[name] for name in changed if name in TARGET_FIELDS}
        if not changes:
            return obj
        return services.soft_target_update(soft_target=obj, by=request.user, **changes)
