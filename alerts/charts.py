"""Time to acknowledge as bar charts (geometry in ``ppsportal.charts``): per organisation for
one alert and as each organisation's median (the NCTV board), and per alert for the reader's own
organisation (a partner's alert list). The figures come from ``alerts.board`` and
``alerts.selectors``; this module only turns them into rows with texts in the reader's
language."""

from __future__ import annotations

from datetime import timedelta

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from alerts import policy
from alerts.templatetags.alerts_tags import duration
from ppsportal import charts


def _tick_text(unit: str):
    """Tick texts for a scale in minutes, written in ``unit``: "s", "min" or "h"."""
    per_minute = {"s": 60, "min": 1, "h": 1 / 60}[unit]

    def text(minutes: float) -> str:
        value = minutes * per_minute
        places = 0 if value == int(value) else 1
        number = number_format(value, decimal_pos=places, use_l10n=True)
        if unit == "s":
            return _("%(n)s s") % {"n": number}
        return _("%(n)s h") % {"n": number} if unit == "h" else _("%(n)s min") % {"n": number}

    return text


def tick_unit(longest_minutes: float) -> str:
    """Seconds while the longest wait (or the deadline) stays under two minutes, hours once it
    passes three hours, minutes between: the ticks stay apart in their words."""
    if longest_minutes < 2:
        return "s"
    return "h" if longest_minutes > 180 else "min"


def _minutes(wait: timedelta | None) -> float | None:
    return None if wait is None else max(wait.total_seconds(), 0) / 60


def time_chart(rows: list[tuple[str, timedelta | None, str]], *, deadline: timedelta | None = None):
    """``rows``: (label, time to acknowledge or None, the text when None). The scale is in
    minutes, its ticks in seconds, minutes or hours (``tick_unit``)."""
    values = [_minutes(wait) for _label, wait, _text in rows]
    reference = _minutes(deadline)
    longest = max([v for v in values if v is not None] + [reference or 0], default=0)
    series = (charts.Series("acknowledged", str(_("Time to acknowledge"))),)
    return charts.bar_chart(
        [
            charts.BarRow(label, (value,), (duration(wait) if wait is not None else text,))
            for (label, wait, text), value in zip(rows, values, strict=True)
        ],
        series,
        tick_text=_tick_text(tick_unit(longest)),
        reference=reference,
        reference_text=str(_("Deadline to acknowledge")),
    )


def per_organisation(alert, states) -> charts.BarChart:
    """One alert, per recipient organisation (``alerts.board.board_alert_state``)."""
    rows = []
    for state in states:
        ack = state.acknowledgement
        wait = ack.at - alert.published_at if ack and alert.published_at else None
        if state.overdue:
            text = _("overdue, not acknowledged")
        elif alert.status == alert.Status.PUBLISHED:
            text = _("not acknowledged yet")
        else:
            text = _("not acknowledged")
        rows.append((state.organisation.name, wait, str(text)))
    return time_chart(rows, deadline=policy.ack_window(alert))


def medians(records) -> charts.BarChart:
    """Each organisation's median over actual alerts (``alerts.board.acknowledgement_records``)."""
    return time_chart(
        [(record.name, record.median, str(_("none acknowledged"))) for record in records]
    )


def own_organisation(times) -> charts.BarChart:
    """The reader's organisation per alert (``alerts.selectors.acknowledgement_times_of``)."""
    from django.utils.formats import date_format

    rows = []
    for alert in times:
        label = f"{alert.headline} · {date_format(alert.published_at, 'SHORT_DATE_FORMAT')}"
        wait = alert.acknowledged_at - alert.published_at if alert.acknowledged_at else None
        rows.append((label, wait, str(_("not acknowledged"))))
    return time_chart(rows)
