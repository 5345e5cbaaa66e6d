"""The catalogue of security measures a soft target can take."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Measure(models.TextChoices):
    CCTV = "cctv", _("Camera surveillance (CCTV)")
    SECURITY_STAFF = "security_staff", _("Security staff")
    ACCESS_CONTROL = "access_control", _("Access control")
    BAG_CHECKS = "bag_checks", _("Bag checks")
    HOSTILE_VEHICLE_BARRIERS = "hostile_vehicle_barriers", _("Hostile-vehicle barriers")
    SCALE_UP_SCENARIO = "scale_up_scenario", _("Scale-up scenario")
    STAFF_TRAINING = "staff_training", _("Staff training")
    EVACUATION = "evacuation", _("Evacuation procedure")
    INVACUATION = "invacuation", _("Invacuation procedure")
    LOCKDOWN = "lockdown", _("Lockdown procedure")
    COMMUNICATION_PLAN = "communication_plan", _("Communication plan")
    FIRST_AID = "first_aid", _("First aid")


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PLACE = "in_place", _("In place")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")
