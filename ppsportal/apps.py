from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "ppsportal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from ppsportal import (
            compiled,
            sessions,  # noqa: F401 - connects the session signals
        )
        from ppsportal.api import strict

        strict.install()
        # the read door's compiled queries run as prepared statements on PostgreSQL
        connection_created.connect(compiled.install, dispatch_uid="ppsportal.compiled.install")
