"""Admin for threat assessments: staff write them here (saved through ``assessment_create`` and
``assessment_update``) and share them through the sharing engine (the *Shares* page)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from partnerships.sharing.admin import AuditedReadsMixin, ShareableAdminMixin
from ppsportal.admin.base import ServiceAdmin
from ppsportal.admin.common import ListOfTextField, checkboxes
from threats import services
from threats.markdown import render_markdown
from threats.models import AssessmentFacet, Measure, ModusOperandi, Motive, Sector, ThreatAssessment

ASSESSMENT_FIELDS = (
    "title",
    "summary",
    "body",
    "tlp",
    "valid_from",
    "valid_until",
    "regions",
    "recommended_measures",
)


class ThreatAssessmentForm(forms.ModelForm):
    motives = checkboxes(Motive.choices, _("motives"))
    modi = checkboxes(ModusOperandi.choices, _("modus operandi"))
    target_categories = forms.ModelMultipleChoiceField(
        queryset=Sector.objects.all(),
        label=_("target categories"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    regions = ListOfTextField(
        label=_("regions"),
        required=False,
        help_text=_("Separate regions with commas; leave empty for the whole country."),
    )
    recommended_measures = checkboxes(Measure.choices, _("recommended measures"))

    class Meta:
        model = ThreatAssessment
        fields = [*ASSESSMENT_FIELDS, "target_categories"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            facets = list(self.instance.facets.all())
            kind = AssessmentFacet.Kind
            self.initial["motives"] = [f.code for f in facets if f.kind == kind.MOTIVE]
            self.initial["modi"] = [f.code for f in facets if f.kind == kind.MODUS]


class ValidNowFilter(admin.SimpleListFilter):
    title = _("validity")
    parameter_name = "validity"

    def lookups(self, request, model_admin):
        return [("now", _("Valid now")), ("expired", _("Expired")), ("future", _("Not yet valid"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "now":
            return queryset.filter(valid_from__lte=today).filter(
                Q(valid_until__isnull=True) | Q(valid_until__gte=today)
            )
        if self.value() == "expired":
            return queryset.filter(valid_until__lt=today)
        if self.value() == "future":
            return queryset.filter(valid_from__gt=today)
        return queryset


def facet_filter(kind: str, choices, title, parameter: str):
    class FacetFilter(admin.SimpleListFilter):
        parameter_name = parameter

        def lookups(self, request, model_admin):
            return choices

        def queryset(self, request, queryset):
            if not self.value():
                return queryset
            return queryset.filter(
                pk__in=AssessmentFacet.objects.filter(kind=kind, code=self.value()).values(
                    "assessment_id"
                )
            )

    FacetFilter.title = title
    return FacetFilter


@admin.register(ThreatAssessment)
class ThreatAssessmentAdmin(AuditedReadsMixin, ShareableAdminMixin, ServiceAdmin):
    form = ThreatAssessmentForm
    list_display = [
        "title",
        "tlp",
        "valid_from",
        "valid_until",
        "is_valid_now",
        "categories",
        "motives_display",
        "modi_display",
    ]
    list_filter = [
        "tlp",
        ValidNowFilter,
        facet_filter(AssessmentFacet.Kind.MOTIVE, Motive.choices, _("motive"), "motive"),
        facet_filter(
            AssessmentFacet.Kind.MODUS, ModusOperandi.choices, _("modus operandi"), "modus"
        ),
        "target_categories",
    ]
    search_fields = ["title", "summary", "body"]
    date_hierarchy = "valid_from"
    readonly_fields = [
        "body_preview",
        "owner_organisation",
        "created_by",
        "created_at",
        "public_id",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("owner_organisation", "created_by")
            .prefetch_related("facets", "target_categories")
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ["title", "summary", "body", "tlp", "valid_from", "valid_until"]}),
            (
                _("Threat"),
                {"fields": ["motives", "modi", "target_categories", "regions"]},
            ),
            (_("Recommended measures"), {"fields": ["recommended_measures"]}),
        ]
        if obj is not None:
            fieldsets += [
                (_("Body as partners see it"), {"fields": ["body_preview"]}),
                (
                    _("Record"),
                    {
                        "fields": ["owner_organisation", "created_by", "created_at", "public_id"],
                        "classes": ["collapse"],
                    },
                ),
            ]
        return fieldsets

    def _facets(self, obj, kind) -> str:
        labels = dict(
            Motive.choices if kind == AssessmentFacet.Kind.MOTIVE else ModusOperandi.choices
        )
        return ", ".join(
            str(labels.get(f.code, f.code)) for f in obj.facets.all() if f.kind == kind
        )

    @admin.display(description=_("motives"))
    def motives_display(self, obj):
        return self._facets(obj, AssessmentFacet.Kind.MOTIVE) or "—"

    @admin.display(description=_("modus operandi"))
    def modi_display(self, obj):
        return self._facets(obj, AssessmentFacet.Kind.MODUS) or "—"

    @admin.display(description=_("target categories"))
    def categories(self, obj):
        return ", ".join(sector.display_name for sector in obj.target_categories.all()) or "—"

    @admin.display(description=_("valid now"), boolean=True)
    def is_valid_now(self, obj):
        today = timezone.localdate()
        return obj.valid_from <= today and (obj.valid_until is None or obj.valid_until >= today)

    @admin.display(description=_("body"))
    def body_preview(self, obj):
        return mark_safe(render_markdown(obj.body))  # noqa: S308  # nosec B308 B703  # nh3-sanitised

    def write(self, request, obj, data, changed):
        if obj is None:
            return services.assessment_create(
                by=request.user,
                motives=data["motives"],
                modi=data["modi"],
                target_categories=list(data["target_categories"]),
                **{name: data[name] for name in ASSESSMENT_FIELDS},
            )
        return services.assessment_update(
            assessment=obj,
            by=request.user,
            motives=data["motives"] if "motives" in changed else None,
            modi=data["modi"] if "modi" in changed else None,
            target_categories=(
                list(data["target_categories"]) if "target_categories" in changed else None
            ),
            **{name: data[name] for name in changed if name in ASSESSMENT_FIELDS},
        )
