"""API routes of the threats app (mounted under /api/v1/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from threats.api import (
    ReportViewSet,
    SectorViewSet,
    SoftTargetViewSet,
    ThreatAssessmentViewSet,
    ThreatLevelView,
)

router = SimpleRouter()
router.register("sectors", SectorViewSet, basename="sector")
router.register("threat-assessments", ThreatAssessmentViewSet, basename="threat-assessment")
router.register("soft-targets", SoftTargetViewSet, basename="soft-target")
router.register("reports", ReportViewSet, basename="report")

urlpatterns = [
    path("threat-level/", ThreatLevelView.as_view(), name="api-threat-level"),
    *router.urls,
]
