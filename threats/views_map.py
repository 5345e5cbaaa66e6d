"""The soft-target maps: an operator's own targets, and the national map of NCTV staff.

Leaflet comes from the portal's static files, tiles from ``MAP_TILE_URL`` (by default the
PDOK BRT-Achtergrondkaart). When the tiles cannot load, the page's script draws the bundled
outline of the Netherlands (``threats/static/threats/netherlands.geojson``) and says so.
The targets are embedded in the page (``json_script``; the national map's compactly,
``national_markers``); nothing else is fetched but the outline. The national map answers 404
to everyone but NCTV staff, like the other NCTV pages.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from partnerships.selectors import actor_for
from partnerships.sharing.reads import read_many
from ppsportal.pagination import paginate
from threats import selectors
from threats.forms_map import MapFilterForm
from threats.models import CapacityTier, Sector
from threats.route import parse_route
from threats.rules import gaps_for
from threats.selectors_map import (
    markers_as_read,
    national_map_choices,
    national_map_markers,
)


def map_config() -> dict:
    """What the map script needs besides the targets: the tiles and the fallback outline."""
    return {
        "tileUrl": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "outlineUrl": static("threats/netherlands.geojson"),
    }


def gaps_text(gaps: int) -> str:
    if not gaps:
        return _("No gaps")
    return ngettext("%(count)s gap", "%(count)s gaps", gaps) % {"count": gaps}


def map_marker(target) -> dict:
    """One target on the operator's map (its category, operator and measures loaded)."""
    gaps = len(gaps_for(target, target.measures.all()))
    return {
        "id": str(target.public_id),
        "name": target.name,
        "category": target.category.display_name,
        "municipality": target.municipality,
        "region": target.region,
        "tier": target.capacity_tier_label,
        "lat": float(target.latitude),
        "lng": float(target.longitude),
        "gaps": gaps,
        "gapsText": gaps_text(gaps),
        "url": reverse("soft-target-detail", args=[target.public_id]),
        "route": [[lat, lon] for lat, lon in parse_route(target.route)],
    }


# a stand-in public id: the national map's links are the detail URL with each target's id in it
# (one ``reverse`` a page, not one a marker)
_SOME_ID = "00000000-0000-0000-0000-000000000000"


# The order of a marker's values on the national map (``national_markers``); national_map.js
# reads them by this order.
MARKER_COLUMNS = ("id", "name", "category", "municipality", "region", "tier", "lat", "lng", "gaps")


def national_markers(targets) -> dict:
    """The national map's markers, from ``national_map_markers``' rows (tier and gaps counted by
    the database), compact: one list of values per target (``MARKER_COLUMNS``), the category and
    the tier as an index into their lists, the gaps' text and the link once for the page
    (``marker_of`` gives a target's marker as the list beside the map and the popup read it).
    3,900 targets at 100 times the demo: the repeated names and links were most of 1.35 MB."""
    url = reverse("soft-target-detail", args=[_SOME_ID])
    tiers = [(str(tier), str(tier.label)) for tier in CapacityTier]
    tier_index = {value: index for index, (value, _label) in enumerate(tiers)}
    categories: dict[str, int] = {}
    by_id: dict[int, str] = {}
    texts: dict[int, str] = {}
    rows = []
    for target in targets:
        gaps = target["gaps"]
        if gaps not in texts:
            texts[gaps] = gaps_text(gaps)
        sector = target["category_id"]
        if sector not in by_id:  # the display name asks the language: once each
            names = Sector(name=target["category__name"], name_en=target["category__name_en"])
            by_id[sector] = names.display_name
        category = categories.setdefault(by_id[sector], len(categories))
        rows.append(
            [
                str(target["public_id"]),
                target["name"],
                category,
                target["municipality"],
                target["region"],
                tier_index[target["tier"]],
                float(target["latitude"]),
                float(target["longitude"]),
                gaps,
            ]
        )
    return {
        "columns": MARKER_COLUMNS,
        "url": url,
        "stand_in": _SOME_ID,
        "categories": list(categories),
        "tiers": [label for _value, label in tiers],
        "gapsTexts": {str(gaps): text for gaps, text in texts.items()},
        "targets": rows,
    }


def marker_of(markers: dict, row: list) -> dict:
    """One target of ``national_markers`` as a marker: the names national_map.js gives it."""
    marker = dict(zip(markers["columns"], row, strict=True))
    marker["category"] = markers["categories"][marker["category"]]
    marker["tier"] = markers["tiers"][marker["tier"]]
    marker["gapsText"] = markers["gapsTexts"][str(marker["gaps"])]
    marker["url"] = markers["url"].replace(markers["stand_in"], marker["id"])
    return marker


@login_required
@require_safe
def soft_target_map(request):
    """The operator's own targets on a map. NCTV staff have the national map instead."""
    actor = actor_for(request.user)
    if actor.is_nctv_staff:
        return redirect("national-map")
    own = read_many(
        actor, selectors.with_register_data(selectors.soft_targets_own(actor)), request=request
    )
    return render(
        request,
        "threats/soft_target_map.html",
        {"markers": [map_marker(target) for target in own], "map_config": map_config()},
    )


@login_required
@require_safe
def national_map(request):
    """Every soft target in the country for NCTV staff, clustered on the map, filtered by
    category, capacity tier and region; each marker links to the target's page. The AMBER+
    ones shown are recorded through the read door. A filter value that does not exist: 400."""
    actor = actor_for(request.user)
    if not actor.is_nctv_staff:
        raise Http404
    form = MapFilterForm(request.GET or None, choices=national_map_choices(actor))
    refused = form.is_bound and not form.is_valid()
    filters = form.filters()
    # under a filter that does not exist nothing is shown: the errors say what to choose
    shown = national_map_markers(actor, filters)
    targets = [] if refused else list(shown)
    read_many(actor, markers_as_read(targets, using=shown.db), request=request)
    markers = national_markers(targets)
    rows = markers["targets"]
    # the list beside the map (what the map shows, without JavaScript), a page at a time
    page = paginate(request, rows)
    page.object_list = [marker_of(markers, row) for row in page.object_list]
    gaps = MARKER_COLUMNS.index("gaps")
    return render(
        request,
        "threats/national_map.html",
        {
            "form": form,
            "filters": filters,
            "markers": markers,
            "count": len(rows),
            "page": page,
            "with_gaps": sum(1 for row in rows if row[gaps]),
            "map_config": map_config(),
        },
        status=400 if refused else 200,
    )
