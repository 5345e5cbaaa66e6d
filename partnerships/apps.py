from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = _("Partnerships")

    def ready(self):
        from partnerships.selectors import actor_for
        from ppsportal import actors

        # the core's faces ask ``ppsportal.actors.actor_for``; API token authentication joins the
        # membership and organisation to the token's query (who is asking in one query)
        actors.provide(actor_for, user_related=("membership__organisation",))
