"""API of the partnerships app: who am I, partnerships, covenants, the contact log and actions.

Each module holds one resource's serializers, filters and viewset; ``common`` the shared parts.
"""

from partnerships.api.contacts import ActionViewSet, ContactViewSet
from partnerships.api.covenants import CovenantViewSet
from partnerships.api.me import MeSerializer, MeView
from partnerships.api.partnerships import PartnershipViewSet
from partnerships.drf import OrganisationRefSerializer

__all__ = [
    "ActionViewSet",
    "ContactViewSet",
    "CovenantViewSet",
    "MeSerializer",
    "MeView",
    "OrganisationRefSerializer",
    "PartnershipViewSet",
]
