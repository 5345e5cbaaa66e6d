from threats.models.assessments import (
    AssessmentFacet,
    ModusOperandi,
    Motive,
    ThreatAssessment,
    ThreatAssessmentGroupGrant,
    ThreatAssessmentUserGrant,
)
from threats.models.levels import (
    AlertLevel,
    LevelMandate,
    MeasurePackage,
    NationalThreatLevel,
    Sector,
    SectorAlertLevel,
    ThreatLevel,
)
from threats.models.measures import Measure, MeasureStatus
from threats.models.reports import (
    Report,
    ReportAttachment,
    ReportCategory,
    ReportGroupGrant,
    ReportReply,
    ReportUserGrant,
)
from threats.models.targets import (
    CapacityTier,
    ScaleUpStep,
    SecurityMeasure,
    SoftTarget,
    SoftTargetGroupGrant,
    SoftTargetUserGrant,
)

__all__ = [
    "AlertLevel",
    "AssessmentFacet",
    "CapacityTier",
    "LevelMandate",
    "Measure",
    "MeasurePackage",
    "MeasureStatus",
    "ModusOperandi",
    "Motive",
    "NationalThreatLevel",
    "Report",
    "ReportAttachment",
    "ReportCategory",
    "ReportGroupGrant",
    "ReportReply",
    "ReportUserGrant",
    "ScaleUpStep",
    "Sector",
    "SectorAlertLevel",
    "SecurityMeasure",
    "SoftTarget",
    "SoftTargetGroupGrant",
    "SoftTargetUserGrant",
    "ThreatAssessment",
    "ThreatAssessmentGroupGrant",
    "ThreatAssessmentUserGrant",
    "ThreatLevel",
]
