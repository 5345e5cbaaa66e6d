from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "ppsportal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from ppsportal import sessions  # noqa: F401 - connects the session signals
        from ppsportal.api import strict

        strict.install()
