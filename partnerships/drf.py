"""How the API names partnerships' objects, for every app's API: organisations and partnerships
as references (``{"id", "name"}``) and as relation fields written by their UUID.

Like ``partnerships.sharing.drf``, this is the app's published integration for other apps'
faces: it holds no rule (visibility comes from ``partnerships.selectors``) and imports no face.
The generic pieces (``PublicIdField``, the viewset mixin, errors) are in ``ppsportal.api.common``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from partnerships.models import Covenant, Organisation, Partnership
from partnerships.selectors import actor_for, partnerships_visible_to
from ppsportal.api.common import PublicIdField, PublicRefSerializer


class OrganisationRefSerializer(PublicRefSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name"]


class PartnershipRefSerializer(PublicRefSerializer):
    class Meta:
        model = Partnership
        fields = ["id", "name"]


class CovenantRefSerializer(PublicRefSerializer):
    class Meta:
        model = Covenant
        fields = ["id", "title"]


class OrganisationField(PublicIdField):
    default_error_messages = {"does_not_exist": _("There is no organisation with id {value}.")}

    def __init__(self, **kwargs):
        super().__init__(queryset=Organisation.objects.all(), **kwargs)


class VisiblePartnershipField(PublicIdField):
    """A partnership the caller may see; any other id is unknown, exactly like a missing one."""

    default_error_messages = {"does_not_exist": _("There is no partnership with id {value}.")}

    def __init__(self, **kwargs):
        # The queryset names the model for the schema; lookups go through get_queryset.
        super().__init__(queryset=Partnership.objects.all(), **kwargs)

    def get_queryset(self):
        return partnerships_visible_to(actor_for(self.context["request"].user))
