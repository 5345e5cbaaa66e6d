"""What the start page leads with: the urgent panels, contributed by the apps.

The start page lives in ``partnerships``, which may not import the apps built on it (alerts,
threats). Each app registers its panels here from its ``AppConfig.ready``; the start page asks
for them in order. A panel function takes the request and the actor and returns a ``Panel``
(a template and its context) or None when it has nothing for this reader. Panels read through
their app's selectors, already filtered to what the reader may see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Panel:
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100  # lower first


_PANELS: list[Callable] = []


def register(panel: Callable) -> Callable:
    if panel not in _PANELS:
        _PANELS.append(panel)
    return panel


def urgent_panels(request, actor) -> list[str]:
    """The panels for this reader, rendered, in order (without the request: the page's
    context processors have run once already and their queries need not run again)."""
    from django.template.loader import render_to_string

    shown = [panel for function in _PANELS if (panel := function(request, actor)) is not None]
    return [
        render_to_string(panel.template, panel.context)
        for panel in sorted(shown, key=lambda panel: panel.order)
    ]
