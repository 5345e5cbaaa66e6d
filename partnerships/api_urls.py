"""API routes of the partnerships app (mounted under /api/v1/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from partnerships.api import (
    ActionViewSet,
    ContactViewSet,
    CovenantViewSet,
    MeView,
    PartnershipViewSet,
)
from partnerships.api.members import MemberInvitationViewSet, MemberViewSet
from partnerships.api.organisations import OrganisationViewSet
from partnerships.api.shares import ShareDetailView, ShareListView, SharesReceivedView

router = SimpleRouter()
router.register("partnerships", PartnershipViewSet, basename="partnership")
router.register("covenants", CovenantViewSet, basename="covenant")
router.register("contacts", ContactViewSet, basename="contact")
router.register("actions", ActionViewSet, basename="action")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("members", MemberViewSet, basename="member")
router.register("member-invitations", MemberInvitationViewSet, basename="member-invitation")

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("shares/", ShareListView.as_view(), name="share-list"),
    path("shares/received/", SharesReceivedView.as_view(), name="share-received"),
    path(
        "shares/<slug:object_type>/<uuid:object_id>/<uuid:organisation_id>/",
        ShareDetailView.as_view(),
        name="share-detail",
    ),
    *router.urls,
]
