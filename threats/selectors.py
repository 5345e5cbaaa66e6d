"""Reads of the threat picture and the soft-target register, already permission-filtered."""

from __future__ import annotations

from django.db.models import (
    Case,
    CharField,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from partnerships.models import Jurisdiction, Organisation, Partnership, PartnershipMember
from partnerships.selectors import Actor
from partnerships.sharing.selectors import is_visible, visible_to
from threats.jurisdictions import LevelContext, authority_for, jurisdiction_of
from threats.models import (
    AlertLevel,
    CapacityTier,
    MeasureStatus,
    NationalThreatLevel,
    Report,
    ScaleUpStep,
    Sector,
    SectorAlertLevel,
    SecurityMeasure,
    SoftTarget,
    ThreatAssessment,
)
from threats.rules import TIER_REQUIREMENTS

NL = Jurisdiction.NL

# --- levels -------------------------------------------------------------------------------------


def threat_level_current(region: str = "", jurisdiction: str = NL) -> NationalThreatLevel | None:
    """The jurisdiction's newest level for the region, else its national one."""
    levels = NationalThreatLevel.objects.filter(jurisdiction=jurisdiction).select_related("set_by")
    if region:
        regional = levels.filter(region=region).first()
        if regional is not None:
            return regional
    return levels.filter(region="").first()


def level_context_for(organisation) -> LevelContext:
    """The ``LevelContext`` for a reader of ``organisation``: whose level an alert's ATb level
    is, with the reader's own authority's current level (one query, none for a Dutch one)."""
    jurisdiction = jurisdiction_of(organisation)
    if authority_for(jurisdiction).nctv_is_authority:
        return LevelContext(jurisdiction)
    current = threat_level_current(getattr(organisation, "region", ""), jurisdiction)
    return LevelContext(jurisdiction, current.level if current is not None else None)


def threat_level_history(limit: int = 50, jurisdiction: str = NL):
    return NationalThreatLevel.objects.filter(jurisdiction=jurisdiction).select_related("set_by")[
        :limit
    ]


def threat_levels_regional(jurisdiction: str = NL):
    """The current level of each region of the jurisdiction that has a level of its own, by
    region (one query)."""
    newest = NationalThreatLevel.objects.filter(
        jurisdiction=jurisdiction, region=OuterRef("region")
    ).order_by("-set_at", "-id")
    return (
        NationalThreatLevel.objects.filter(jurisdiction=jurisdiction)
        .exclude(region="")
        .filter(pk=Subquery(newest.values("pk")[:1]))
        .select_related("set_by")
        .order_by("region")
    )


def sectors_with_levels():
    """Every sector with ``current_level`` (code) and ``current_level_set_at`` annotated."""
    newest = SectorAlertLevel.objects.filter(sector=OuterRef("pk")).order_by("-set_at", "-id")
    return Sector.objects.annotate(
        current_level=Subquery(newest.values("level")[:1]),
        current_level_set_at=Subquery(newest.values("set_at")[:1]),
    ).order_by("name")


def sector_level_of(sector_code: str) -> str:
    row = (
        SectorAlertLevel.objects.filter(sector__code=sector_code)
        .order_by("-set_at", "-id")
        .values_list("level", flat=True)
        .first()
    )
    return row or AlertLevel.BASISNIVEAU


def sector_for_organisation(actor: Actor):
    """The sector of the actor's organisation (by its soft-target category code), if any."""
    organisation = actor.organisation
    if organisation is None or not organisation.sector:
        return None
    return sectors_with_levels().filter(code=organisation.sector).first()


# --- assessments ----------------------------------------------------------------------------------


def assessments_visible_to(actor: Actor, *, valid_now: bool = False):
    qs = visible_to(actor, ThreatAssessment.objects.all())
    if valid_now:
        today = timezone.localdate()
        qs = qs.filter(valid_from__lte=today).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=today)
        )
    return qs.select_related("owner_organisation").prefetch_related("facets", "target_categories")


# --- soft targets -------------------------------------------------------------------------------


def soft_targets_visible_to(actor: Actor):
    """Staff: all. Others: their organisation's own targets, and — name, category and location
    only — those of partnerships their organisation currently sits in."""
    qs = SoftTarget.objects.all()
    if actor.is_nctv_staff:
        return qs
    if actor.organisation is None or not actor.user.is_active:
        return qs.none()
    peers = PartnershipMember.objects.filter(
        organisation=actor.organisation, left_on__isnull=True
    ).values("partnership_id")
    return qs.filter(Q(operator=actor.organisation) | Q(partnership_id__in=peers))


# The capacity bounds of each tier, as CapacityTier.for_capacity draws them (a test pins both).
_TIER_BOUNDS = {
    CapacityTier.BELOW: Q(capacity__lt=200),
    CapacityTier.STANDARD: Q(capacity__gte=200, capacity__lt=800),
    CapacityTier.ENHANCED: Q(capacity__gte=800),
}


def soft_targets_in_tier(qs, tier: str):
    """Narrow a queryset of soft targets to one capacity tier."""
    return qs.filter(_TIER_BOUNDS[tier])


def soft_targets_own(actor: Actor):
    if actor.organisation is None:
        return SoftTarget.objects.none()
    return SoftTarget.objects.filter(operator=actor.organisation)


def with_register_data(qs):
    """What list pages and gaps read, in a fixed number of queries."""
    return qs.select_related("category", "operator", "partnership").prefetch_related(
        Prefetch("measures", queryset=SecurityMeasure.objects.order_by("measure")),
        Prefetch("scale_up", queryset=ScaleUpStep.objects.order_by("level")),
    )


def sees_details(actor: Actor, soft_target: SoftTarget) -> bool:
    """Vulnerability notes and measures' evidence: the operator's organisation, NCTV staff and
    those the details were shared with under a covenant (AMBER+STRICT by default)."""
    if actor.is_nctv_staff:
        return True
    if actor.organisation is not None and actor.organisation.pk == soft_target.operator_id:
        return True
    return is_visible(actor, soft_target)


def details_visible_ids(actor: Actor, targets) -> set[int]:
    """Which of ``targets`` the actor sees in full: one query for a whole page."""
    ids = [t.pk for t in targets]
    if actor.is_nctv_staff:
        return set(ids)
    return set(
        visible_to(actor, SoftTarget.objects.filter(pk__in=ids)).values_list("pk", flat=True)
    ) | {t.pk for t in targets if actor.organisation and t.operator_id == actor.organisation.pk}


def tier_of_target():
    """The capacity tier of each soft target, in SQL (``CapacityTier.for_capacity``'s bounds)."""
    return Case(
        *(When(bounds, then=Value(str(tier))) for tier, bounds in _TIER_BOUNDS.items()),
        output_field=CharField(),
    )


def gaps_of_target():
    """``rules.gaps_for`` in SQL: per soft target, how many of its tier's required measures
    (``TIER_REQUIREMENTS``) are not in place; one subquery on the target's measures."""

    def in_place(required):
        rows = (
            SecurityMeasure.objects.filter(
                soft_target=OuterRef("pk"),
                status=MeasureStatus.IN_PLACE,
                measure__in=[str(m) for m in required],
            )
            .order_by()
            .values("soft_target")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(rows, output_field=IntegerField()), 0)

    return Case(
        *(
            When(
                bounds, then=Value(len(TIER_REQUIREMENTS[tier])) - in_place(TIER_REQUIREMENTS[tier])
            )
            for tier, bounds in _TIER_BOUNDS.items()
        ),
        output_field=IntegerField(),
    )


def operators_by_gaps(qs):
    """The operators of a queryset of soft targets, each with ``gaps`` (their targets' gaps,
    counted by the database), most gaps first, then by name: a queryset a page can slice, so
    only the page's operators are read."""
    gaps = (
        qs.filter(operator=OuterRef("pk"))
        .order_by()
        .values("operator")
        .annotate(n=Sum(gaps_of_target()))
        .values("n")
    )
    return (
        Organisation.objects.filter(pk__in=qs.order_by().values("operator"))
        .annotate(gaps=Coalesce(Subquery(gaps, output_field=IntegerField()), 0))
        .order_by("-gaps", "name", "pk")
    )


def gaps_per_operator(qs) -> dict:
    """{operator: number of gaps} over a queryset of soft targets, counted by the database
    (two queries, whatever the number of targets)."""
    per = dict(
        qs.order_by()
        .values("operator")
        .annotate(gaps=Sum(gaps_of_target()))
        .values_list("operator", "gaps")
    )
    operators = Organisation.objects.in_bulk(list(per))
    return {operators[pk]: gaps for pk, gaps in per.items()}


def register_overview(qs) -> list[dict]:
    """For NCTV staff: counts and gaps by category, region and tier, counted by the database
    (two queries, whatever the number of targets)."""
    groups = (
        qs.order_by()
        .annotate(tier=tier_of_target())
        .values("category", "region", "tier")
        .annotate(count=Count("pk"), gaps=Sum(gaps_of_target()))
    )
    groups = list(groups)
    sectors = Sector.objects.in_bulk({g["category"] for g in groups})
    rows: dict = {}
    for g in groups:
        category = sectors[g["category"]].display_name
        key = (category, g["region"] or "—", str(CapacityTier(g["tier"]).label))
        row = rows.setdefault(
            key, {"category": key[0], "region": key[1], "tier": key[2], "count": 0, "gaps": 0}
        )
        row["count"] += g["count"]
        row["gaps"] += g["gaps"]
    return sorted(rows.values(), key=lambda r: (r["category"], r["region"], r["tier"]))


def totals_by_tier_and_region(rows) -> list[dict]:
    """Soft targets and gaps per capacity tier (smallest first) and region, from rows with
    ``tier`` (its label), ``region``, ``count`` and ``gaps`` (``register_overview`` or
    ``register_rows``). No queries."""
    from threats.models.targets import CapacityTier

    order = {str(label): i for i, label in enumerate(CapacityTier.labels)}
    totals: dict = {}
    for row in rows:
        total = totals.setdefault(
            (row["tier"], row["region"]),
            {"tier": row["tier"], "region": row["region"], "count": 0, "gaps": 0},
        )
        total["count"] += row["count"]
        total["gaps"] += row["gaps"]
    return sorted(
        totals.values(), key=lambda t: (order.get(t["tier"], len(order)), t["region"].casefold())
    )


def register_rows(targets_with_gaps) -> list[dict]:
    """``register_overview``'s rows for targets already read with their gaps: [(target, gap
    labels)] as the operator's own list holds them. No queries."""
    return [
        {
            "category": target.category.display_name,
            "region": target.region or "—",
            "tier": target.capacity_tier_label,
            "count": 1,
            "gaps": len(gaps),
        }
        for target, gaps in targets_with_gaps
    ]


def scale_up_checklist(soft_target: SoftTarget, level: str) -> list[str]:
    step = next((s for s in soft_target.scale_up.all() if s.level == level), None)
    return list(step.measures) if step else []


# --- reports ------------------------------------------------------------------------------------


def reports_visible_to(actor: Actor):
    """Staff: all. Others: their organisation's reports, and those routed to it (the police
    partner) under a covenant in force (the sharing engine's door)."""
    qs = Report.objects.select_related("soft_target", "reporter", "reporter_organisation")
    return visible_to(actor, qs)


def report_queue():
    """Open reports, oldest first (NCTV staff)."""
    return (
        Report.objects.exclude(status=Report.Status.CLOSED)
        .select_related("soft_target", "reporter_organisation")
        .order_by("created_at", "id")
    )


# --- dashboard helpers ----------------------------------------------------------------------------


def _newest_level(region: str, jurisdiction: str):
    return (
        NationalThreatLevel.objects.filter(jurisdiction=jurisdiction, region=region)
        .order_by("-set_at", "-id")
        .values("level")[:1]
    )


def banner_levels(*, region: str = "", sector_code: str = "", jurisdiction: str = NL) -> dict:
    """The dashboard banner in one query, in the jurisdiction's own levels: ``national`` and
    ``regional`` levels (numbers; regional is None when the region has no level of its own) and
    ``sector``, the sector with its ``current_level`` annotated (None without a sector, and in a
    jurisdiction without sector levels)."""
    regional = (
        Subquery(_newest_level(region, jurisdiction)) if region else Value(None, IntegerField())
    )
    if sector_code and authority_for(jurisdiction).has_sector_levels:
        sector = (
            sectors_with_levels()
            .filter(code=sector_code)
            .annotate(
                national_level=Subquery(_newest_level("", jurisdiction)),
                regional_level=regional,
            )
            .first()
        )
        if sector is not None:
            return {
                "national": sector.national_level,
                "regional": sector.regional_level,
                "sector": sector,
            }
    newest = NationalThreatLevel.objects.filter(jurisdiction=jurisdiction).order_by(
        "-set_at", "-id"
    )
    wanted = Q(pk=Subquery(newest.filter(region="").values("pk")[:1]))
    if region:
        wanted |= Q(pk=Subquery(newest.filter(region=region).values("pk")[:1]))
    levels = dict(NationalThreatLevel.objects.filter(wanted).values_list("region", "level"))
    return {
        "national": levels.get(""),
        "regional": levels.get(region) if region else None,
        "sector": None,
    }


def operator_partnerships(organisation):
    """The partnerships an operator organisation currently sits in (choices for a soft target)."""
    if organisation is None:
        return Partnership.objects.none()
    return Partnership.objects.filter(
        pk__in=PartnershipMember.objects.filter(
            organisation=organisation, left_on__isnull=True
        ).values("partnership_id")
    ).order_by("name")
