"""System checks of the alert settings (``manage.py check --deploy``)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def webhook_targets_check(app_configs, **kwargs):
    """Private webhook targets are for tests and one's own machine, never for a deployment."""
    if not settings.ALERTS_WEBHOOK_ALLOW_PRIVATE_TARGETS:
        return []
    return [
        Warning(
            "ALERTS_WEBHOOK_ALLOW_PRIVATE_TARGETS is on: partners' webhooks may reach plain "
            "http and addresses inside your network (server-side request forgery).",
            hint="Unset ALERTS_WEBHOOK_ALLOW_PRIVATE_TARGETS in production.",
            id="alerts.W001",
        )
    ]
