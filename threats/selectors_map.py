"""Reads for the soft-target maps: the national map of NCTV staff (every target, filtered by
category, capacity tier and region) and its filter choices. Permission-filtered like every
selector here: a partner asking gets nothing (their own map is ``soft_targets_own``).

A fixed number of queries however many targets: the targets with their category and operator
(one query) and their measures for the gaps (one prefetch); the choices are two more.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from partnerships.selectors import Actor
from threats.models import CapacityTier, Sector, SecurityMeasure, SoftTarget
from threats.selectors import gaps_of_target, soft_targets_in_tier, tier_of_target


@dataclass(frozen=True)
class MapFilters:
    """What the national map narrows to; an empty value narrows nothing."""

    category: str = ""  # a Sector code
    tier: str = ""  # a CapacityTier value
    region: str = ""  # a safety region, as the targets name it

    @property
    def active(self) -> bool:
        return bool(self.category or self.tier or self.region)


def national_map_targets(actor: Actor, filters: MapFilters | None = None) -> QuerySet:
    """Every soft target on the national map, for NCTV staff only (anyone else: none), with
    category, operator and measures loaded (two queries when evaluated), by name."""
    return (
        _filtered(actor, filters)
        .select_related("category", "operator")
        .prefetch_related(
            Prefetch("measures", queryset=SecurityMeasure.objects.order_by("measure"))
        )
        .order_by("name", "id")
    )


def national_map_markers(actor: Actor, filters: MapFilters | None = None) -> QuerySet:
    """The targets of ``national_map_targets`` as a marker shows them, in one query however many,
    as plain rows (``MARKER_VALUES``), no model instances: the columns a marker reads, the read
    door's (owner and TLP), the category's names, and the capacity tier (``tier``) and number of
    gaps (``gaps``, ``rules.gaps_for``) counted by the database; by name. 3,900 targets at 100
    times the demo: their instances and their categories' were half the page's time."""
    return (
        _filtered(actor, filters)
        .annotate(tier=tier_of_target(), gaps=gaps_of_target())
        .order_by("name", "id")
        .values(*MARKER_VALUES)
    )


MARKER_VALUES = (
    "id",
    "public_id",
    "name",
    "municipality",
    "region",
    "latitude",
    "longitude",
    "operator_id",
    "vulnerability_tlp",
    "category_id",
    "category__name",
    "category__name_en",
    "tier",
    "gaps",
)

# What the read door reads of a target (``read_many``: the kind, id, public id, owner, level).
READ_DOOR_FIELDS = ("id", "public_id", "operator_id", "vulnerability_tlp")


def markers_as_read(rows: list[dict], *, using: str) -> list[SoftTarget]:
    """The targets of ``national_map_markers``' rows as the read door takes them (``read_many``
    records the AMBER+ ones shown): instances holding only ``READ_DOOR_FIELDS``, as loaded from
    the database ``using`` (the markers' queryset's ``db``), no query. ``Model.from_db`` takes
    the values in the model's field order, whatever the order of ``READ_DOOR_FIELDS``."""
    names = [f.attname for f in SoftTarget._meta.concrete_fields if f.attname in READ_DOOR_FIELDS]
    if len(names) != len(READ_DOOR_FIELDS):
        raise ValueError(f"Not columns of SoftTarget: {set(READ_DOOR_FIELDS) - set(names)}")
    return [SoftTarget.from_db(using, names, [row[name] for name in names]) for row in rows]


def _filtered(actor: Actor, filters: MapFilters | None) -> QuerySet:
    if not actor.is_nctv_staff:
        return SoftTarget.objects.none()
    filters = filters or MapFilters()
    qs = SoftTarget.objects.all()
    if filters.category:
        qs = qs.filter(category__code=filters.category)
    if filters.tier:
        qs = soft_targets_in_tier(qs, filters.tier)
    if filters.region:
        qs = qs.filter(region=filters.region)
    return qs


def national_map_choices(actor: Actor) -> dict:
    """The filter's choices: the categories (code, name), the tiers (value, label) and the
    regions the targets name. Two queries; nothing for anyone but NCTV staff."""
    if not actor.is_nctv_staff:
        return {"categories": [], "tiers": [], "regions": []}
    regions = (
        SoftTarget.objects.exclude(region="")
        .order_by("region")
        .values_list("region", flat=True)
        .distinct()
    )
    return {
        "categories": [(sector.code, sector.display_name) for sector in Sector.objects.all()],
        "tiers": list(CapacityTier.choices),
        "regions": list(regions),
    }
