from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = _("Partnerships")

    def ready(self):
        from partnerships.selectors import actor_for
        from ppsportal import actors

        actors.provide(actor_for)  # the core's faces ask ``ppsportal.actors.actor_for``
