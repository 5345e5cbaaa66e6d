"""API of the threats app: the threat level, sectors, threat assessments, soft targets and
reports back to government.

Each module holds one resource's serializers, filters and viewset; ``common`` the shared parts.
"""

from threats.api.assessments import ThreatAssessmentViewSet
from threats.api.levels import SectorViewSet, ThreatLevelView
from threats.api.reports import ReportViewSet
from threats.api.targets import SoftTargetViewSet

__all__ = [
    "ReportViewSet",
    "SectorViewSet",
    "SoftTargetViewSet",
    "ThreatAssessmentViewSet",
    "ThreatLevelView",
]
