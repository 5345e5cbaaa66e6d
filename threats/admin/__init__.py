"""The admin for the threat picture: NCTV staff's face on levels, sectors, measure packages,
threat assessments, the soft-target register and the report queue.

Every model admin subclasses ``partnerships.admin.StaffAdmin`` (through ``ServiceAdmin``) and
saves through ``threats.services``, so the admin refuses what the services refuse, with their
message, and holds no rule of its own.
"""

from threats.admin.assessments import ThreatAssessmentAdmin
from threats.admin.levels import (
    MeasurePackageAdmin,
    NationalThreatLevelAdmin,
    SectorAdmin,
    SectorAlertLevelAdmin,
)
from threats.admin.reports import ReportAdmin
from threats.admin.targets import SoftTargetAdmin

__all__ = [
    "MeasurePackageAdmin",
    "NationalThreatLevelAdmin",
    "ReportAdmin",
    "SectorAdmin",
    "SectorAlertLevelAdmin",
    "SoftTargetAdmin",
    "ThreatAssessmentAdmin",
]
