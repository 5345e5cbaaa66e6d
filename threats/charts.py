"""Soft targets and their gaps per capacity tier and region as a bar chart (geometry in
``ppsportal.charts``; the totals from ``threats.selectors.totals_by_tier_and_region``)."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ppsportal import charts


def _number(value: float) -> str:
    return number_format(value, decimal_pos=0 if value == int(value) else 1, use_l10n=True)


def tier_region_chart(totals: list[dict]) -> charts.BarChart:
    series = (
        charts.Series("targets", str(_("Soft targets"))),
        charts.Series("gaps", str(_("Gaps"))),
    )
    return charts.bar_chart(
        [
            charts.BarRow(
                f"{total['tier']} · {total['region']}",
                (total["count"], total["gaps"]),
                (_number(total["count"]), _number(total["gaps"])),
            )
            for total in totals
        ],
        series,
        tick_text=_number,
    )
