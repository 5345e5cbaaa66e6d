from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("Alerts")

    def ready(self) -> None:
        from alerts import (
            checks,  # noqa: F401 - registers the deploy checks
            home,  # noqa: F401 - registers the start page's alert panels
            tasks,  # noqa: F401 - registers the tasks that alerts.dispatch sends by name
        )
