"""Admin for the national threat level (DTN), the sectors with their alert levels (ATb) and the
measure packages. A level is a decision on record: it is set (a new row), never rewritten; the
newest row is the current level. Writes go through ``threats.services``."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ppsportal.admin.base import ReadOnlyInlineMixin
from ppsportal.admin.common import HistoryAdmin, checkboxes, distinct_values_filter
from threats import services, services_levels
from threats.jurisdictions import AUTHORITIES
from threats.labels import measures_text
from threats.models import (
    AlertLevel,
    LevelMandate,
    Measure,
    MeasurePackage,
    NationalThreatLevel,
    Sector,
    SectorAlertLevel,
)
from threats.selectors import sectors_with_levels


def alert_level_label(level) -> str:
    return str(AlertLevel(level).label) if level in AlertLevel.values else "—"


# --- National threat level (DTN) ------------------------------------------------------------------


class NationalThreatLevelForm(forms.ModelForm):
    level = forms.TypedChoiceField(
        label=_("threat level"),
        coerce=int,
        choices=[
            (
                str(authority.name),
                [
                    (level, format_lazy("{}: {}", authority.name, label))
                    for level, label in authority.levels.items()
                ],
            )
            for authority in AUTHORITIES.values()
        ],
        help_text=_("In the jurisdiction's own levels: the NCTV's 1 to 5, OCAM/OCAD's 1 to 4."),
    )

    class Meta:
        model = NationalThreatLevel
        fields = ["jurisdiction", "level", "region", "rationale"]


@admin.register(NationalThreatLevel)
class NationalThreatLevelAdmin(HistoryAdmin):
    """Setting the level adds a row; the list is the history, newest first. Each jurisdiction's
    level is its own authority's: a Belgian level only by a user mandated for OCAM/OCAD."""

    form = NationalThreatLevelForm
    list_display = [
        "jurisdiction",
        "level_display",
        "region_display",
        "is_current",
        "set_at",
        "set_by",
        "on_behalf_of",
        "rationale",
    ]
    list_filter = ["jurisdiction", "level", distinct_values_filter("region", _("region"))]
    search_fields = ["rationale", "region"]
    date_hierarchy = "set_at"
    list_select_related = ["set_by"]

    def get_queryset(self, request):
        newest = NationalThreatLevel.objects.filter(
            jurisdiction=OuterRef("jurisdiction"), region=OuterRef("region")
        ).order_by("-set_at", "-id")
        return super().get_queryset(request).annotate(current_id=Subquery(newest.values("id")[:1]))

    def get_fields(self, request, obj=None):
        fields = ["jurisdiction", "level", "region", "rationale"]
        return [*fields, "on_behalf_of", "set_by", "set_at", "public_id"] if obj else fields

    @admin.display(description=_("threat level"), ordering="level")
    def level_display(self, obj):
        return obj.level_label

    @admin.display(description=_("region"), ordering="region")
    def region_display(self, obj):
        return obj.region or gettext("national")

    @admin.display(description=_("current"), boolean=True)
    def is_current(self, obj):
        return obj.pk == getattr(obj, "current_id", None)

    def write(self, request, obj, data, changed):
        try:
            return services.threat_level_set(
                jurisdiction=data["jurisdiction"],
                level=data["level"],
                rationale=data["rationale"],
                region=data.get("region", ""),
                by=request.user,
            )
        except PermissionDenied as refused:  # shown on the form, like any refusal
            raise ValidationError({"jurisdiction": str(refused)}) from refused


@admin.register(LevelMandate)
class LevelMandateAdmin(HistoryAdmin):
    """Who records a jurisdiction's levels on its authority's behalf; superusers grant it."""

    list_display = ["user", "jurisdiction", "granted_by", "granted_at"]
    list_filter = ["jurisdiction"]
    list_select_related = ["user", "granted_by"]

    def get_fields(self, request, obj=None):
        fields = ["user", "jurisdiction"]
        return [*fields, "granted_by", "granted_at"] if obj else fields

    def has_add_permission(self, request):
        return request.user.is_superuser and super().has_add_permission(request)

    def write(self, request, obj, data, changed):
        try:
            return services_levels.level_mandate_grant(
                user=data["user"], jurisdiction=data["jurisdiction"], by=request.user
            )
        except PermissionDenied as refused:
            raise ValidationError(str(refused)) from refused


# --- Sectors and their ATb levels -----------------------------------------------------------------


class SectorForm(forms.ModelForm):
    new_level = forms.ChoiceField(
        label=_("set the ATb level"),
        choices=[("", "—"), *AlertLevel.choices],
        required=False,
        help_text=_("Leave empty to keep the current level. A new level is added to the history."),
    )
    level_rationale = forms.CharField(
        label=_("rationale for the level"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Sector
        fields = ["code", "name", "name_en"]


class SectorLevelHistoryInline(ReadOnlyInlineMixin, admin.TabularInline):
    """The sector's ATb levels, newest (the current level) first."""

    model = SectorAlertLevel
    fields = ["level", "rationale", "set_by", "set_at"]
    readonly_fields = fields
    show_change_link = False
    ordering = ["-set_at", "-id"]
    verbose_name_plural = _("alert levels (the first is current)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("set_by")


class SectorPackageInline(ReadOnlyInlineMixin, admin.TabularInline):
    """The measure packages of the sector, each opening on its own page."""

    model = MeasurePackage
    fields = ["level", "measures_display", "notes"]
    readonly_fields = fields

    @admin.display(description=_("measures"))
    def measures_display(self, obj):
        return measures_text(obj.measures)


class CurrentLevelFilter(admin.SimpleListFilter):
    title = _("current ATb level")
    parameter_name = "current_level"

    def lookups(self, request, model_admin):
        return AlertLevel.choices

    def queryset(self, request, queryset):
        return queryset.filter(current_level=self.value()) if self.value() else queryset


def _set_level_action(level: str):
    def action(modeladmin, request, queryset):
        changed = [s for s in queryset if s.current_level != level]
        for sector in changed:
            services.sector_level_set(sector=sector, level=level, rationale="", by=request.user)
        modeladmin.message_user(
            request,
            gettext("Sectors set to %(level)s: %(count)d.")
            % {"level": AlertLevel(level).label, "count": len(changed)},
        )

    action.__name__ = f"set_level_{level}"
    return admin.action(
        description=format_lazy(
            "{} {}", _("Set the ATb level of the selected sectors to:"), AlertLevel(level).label
        )
    )(action)


@admin.register(Sector)
class SectorAdmin(HistoryAdmin):
    """Sectors are added with their names; a sector's level is set here, on its page or with the
    list's actions. Code and names are fixed once saved (no service renames a sector)."""

    form = SectorForm
    list_display = ["name", "name_en", "code", "current_level_display", "current_level_set_at"]
    list_filter = [CurrentLevelFilter]
    search_fields = ["code", "name", "name_en"]
    actions = [_set_level_action(level) for level in AlertLevel.values]

    def has_change_permission(self, request, obj=None):
        return self._staff(request)  # to set the level; code and names are read-only

    def get_queryset(self, request):
        return sectors_with_levels()

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["code", "name", "name_en", "new_level", "level_rationale"]
        return ["code", "name", "name_en", "current_level_display", "new_level", "level_rationale"]

    def get_readonly_fields(self, request, obj=None):
        return ["code", "name", "name_en", "current_level_display"] if obj else []

    def get_inlines(self, request, obj):
        return [SectorLevelHistoryInline, SectorPackageInline] if obj else []

    @admin.display(description=_("current ATb level"), ordering="current_level")
    def current_level_display(self, obj):
        return alert_level_label(getattr(obj, "current_level", None))

    @admin.display(description=_("since"), ordering="current_level_set_at")
    def current_level_set_at(self, obj):
        return obj.current_level_set_at

    def write(self, request, obj, data, changed):
        if obj is None:
            obj = services.sector_create(
                code=data["code"], name=data["name"], name_en=data["name_en"], by=request.user
            )
        if data.get("new_level"):
            services.sector_level_set(
                sector=obj,
                level=data["new_level"],
                rationale=data.get("level_rationale", ""),
                by=request.user,
            )
        return obj


class SectorAlertLevelForm(forms.ModelForm):
    class Meta:
        model = SectorAlertLevel
        fields = ["sector", "level", "rationale"]


@admin.register(SectorAlertLevel)
class SectorAlertLevelAdmin(HistoryAdmin):
    """The history of every sector's ATb level; adding a row sets that sector's level."""

    form = SectorAlertLevelForm
    list_display = ["sector", "level", "set_at", "set_by", "rationale"]
    list_filter = ["level", "sector"]
    search_fields = ["sector__name", "sector__name_en", "sector__code", "rationale"]
    date_hierarchy = "set_at"
    list_select_related = ["sector", "set_by"]

    def get_fields(self, request, obj=None):
        fields = ["sector", "level", "rationale"]
        return [*fields, "set_by", "set_at", "public_id"] if obj else fields

    def write(self, request, obj, data, changed):
        return services.sector_level_set(
            sector=data["sector"], level=data["level"], rationale=data["rationale"], by=request.user
        )


# --- Measure packages -----------------------------------------------------------------------------


class MeasurePackageForm(forms.ModelForm):
    measures = checkboxes(Measure.choices, _("measures"))

    class Meta:
        model = MeasurePackage
        fields = ["sector", "level", "measures", "notes"]


@admin.register(MeasurePackage)
class MeasurePackageAdmin(HistoryAdmin):
    """One package per sector and ATb level: the measures expected of its venues at that level.
    A package is kept, not deleted: untick every measure to empty it."""

    form = MeasurePackageForm
    list_display = ["sector", "level", "measures_display", "notes"]
    list_filter = ["level", "sector"]
    search_fields = ["sector__name", "sector__name_en", "sector__code", "notes"]
    list_select_related = ["sector"]

    def has_change_permission(self, request, obj=None):
        return self._staff(request)

    def get_readonly_fields(self, request, obj=None):
        return ["sector", "level"] if obj else []

    @admin.display(description=_("measures"))
    def measures_display(self, obj):
        return measures_text(obj.measures)

    def write(self, request, obj, data, changed):
        return services.measure_package_set(
            sector=obj.sector if obj else data["sector"],
            level=obj.level if obj else data["level"],
            measures=data["measures"],
            notes=data.get("notes", ""),
            by=request.user,
        )
