"""Template helpers for the alerts pages: a duration in words."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """ "12 minutes", "3 h 05 min", "2 days 4 h"; an em dash for nothing (None, or the empty
    string a template gives for a missing record's attribute)."""
    if not isinstance(value, timedelta):
        return "—"
    minutes = int(value.total_seconds() // 60)
    if minutes < 1:
        return _("under a minute")
    if minutes < 60:
        return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": f"{minutes:02d}"}
    days, hours = divmod(hours, 24)
    return ngettext("%(count)s day %(hours)s h", "%(count)s days %(hours)s h", days) % {
        "count": days,
        "hours": hours,
    }
