"""Threats' codes as a person reads them, for any face (the admins of threats and alerts)."""

from __future__ import annotations

from threats.models import Measure


def measures_text(codes) -> str:
    """Measure codes by their labels, comma-separated; none: a dash."""
    labels = dict(Measure.choices)
    return ", ".join(str(labels.get(code, code)) for code in codes) or "—"
