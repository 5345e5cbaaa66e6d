"""API routes of preparedness (mounted under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from preparedness.api import (
    ActionItemViewSet,
    CourseViewSet,
    ExerciseViewSet,
    ProcedureViewSet,
    TrainingRecordViewSet,
)
from preparedness.api_library import GuidanceViewSet, PartnershipDocumentViewSet

router = SimpleRouter()
router.register("procedures", ProcedureViewSet, basename="procedure")
router.register("training-records", TrainingRecordViewSet, basename="training-record")
router.register("courses", CourseViewSet, basename="course")
router.register("exercises", ExerciseViewSet, basename="exercise")
router.register("action-items", ActionItemViewSet, basename="action-item")
router.register("guidance", GuidanceViewSet, basename="guidance")
router.register(
    "partnership-documents", PartnershipDocumentViewSet, basename="partnership-document"
)

urlpatterns = router.urls
