"""The start page's alert panels (``ppsportal.home``): for a partner, the alerts its
organisation has not acknowledged; for NCTV staff, alerts waiting for approval or publication
and published alerts with overdue acknowledgements."""

from __future__ import annotations

from alerts import selectors
from ppsportal.home import Panel, register

HOME_LIMIT = 5


@register
def alerts_to_acknowledge(request, actor) -> Panel | None:
    if actor.is_nctv_staff or actor.organisation is None:
        return None
    alerts = selectors.unacknowledged_for(actor)
    return Panel(
        "alerts/home/to_acknowledge.html",
        {"alerts": alerts[:HOME_LIMIT], "count": len(alerts)},
        order=10,
    )


@register
def alerts_waiting(request, actor) -> Panel | None:
    if not actor.is_nctv_staff:
        return None
    alerts = selectors.waiting_for_approval()
    return Panel(
        "alerts/home/waiting.html",
        {"alerts": alerts[:HOME_LIMIT], "count": len(alerts)},
        order=10,
    )


@register
def alerts_overdue(request, actor) -> Panel | None:
    if not actor.is_nctv_staff:
        return None
    alerts = selectors.overdue_acknowledgements()
    return Panel(
        "alerts/home/overdue.html",
        {"alerts": alerts[:HOME_LIMIT], "count": len(alerts)},
        order=20,
    )
