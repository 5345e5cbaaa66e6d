"""Demo levels: the national threat level (DTN), each sector's ATb level and a measure package for
every sector and level."""

from __future__ import annotations

from threats import services, services_levels
from threats.demo.common import ANALYST
from threats.models import AlertLevel, Measure, Sector
from threats.selectors import sector_level_of, threat_level_current

DTN_LEVEL = 4
DTN_RATIONALE = (
    "De dreiging blijft substantieel: een aanslag in Nederland is voorstelbaar. Jihadistische "
    "propaganda roept op tot aanslagen met eenvoudige middelen op drukke plekken; daarnaast "
    "radicaliseren jongeren online, ook richting rechts-extremisme."
)

# Belgium's level is OCAM/OCAD's: the Diamantkwartier is a case to learn from, not the NCTV's
# remit. In the demo the NCTV administrator records it on OCAM/OCAD's behalf (a mandate).
OCAM_LEVEL = 3
OCAM_RATIONALE = (
    "Niveau 3 (ernstig) volgens OCAM/OCAD: de dreiging is mogelijk en waarschijnlijk. "
    "Overgenomen uit de publicatie van OCAM; in dit portaal vastgelegd namens OCAM/OCAD."
)
OCAM_RECORDER = "nctv-admin"

SECTOR_LEVELS = {
    "football_stadium": (
        AlertLevel.LICHTE_DREIGING,
        "Oproepen tot aanslagen rond Europese wedstrijden; geen concrete aanwijzingen.",
    ),
    "event_grounds": (
        AlertLevel.MATIGE_DREIGING,
        "Zomerseizoen: grote evenementen zijn een aantrekkelijk doelwit voor voertuigaanslagen.",
    ),
    "public_events": (
        AlertLevel.MATIGE_DREIGING,
        "Zomerseizoen: grote evenementen zijn een aantrekkelijk doelwit voor voertuigaanslagen.",
    ),
}

# The measure packages: a ladder that every level climbs, with what each sector adds or leaves out.
LADDER = {
    AlertLevel.BASISNIVEAU: {"staff_training", "evacuation", "communication_plan", "first_aid"},
    AlertLevel.LICHTE_DREIGING: {"cctv", "security_staff", "scale_up_scenario", "invacuation"},
    AlertLevel.MATIGE_DREIGING: {"access_control", "bag_checks", "lockdown"},
    AlertLevel.HOGE_DREIGING: {"hostile_vehicle_barriers"},
}
ALWAYS = {  # what a sector takes from the basic level on
    "football_stadium": {"cctv", "security_staff", "access_control", "bag_checks"},
    "airport": {"cctv", "security_staff", "access_control", "bag_checks"},
    "government_building": {"cctv", "access_control"},
}
FROM_MODERATE = {  # open-air crowds: vehicle barriers from moderate threat on
    "event_grounds": {"hostile_vehicle_barriers"},
    "public_events": {"hostile_vehicle_barriers"},
    "shopping_area": {"hostile_vehicle_barriers"},
}
NEVER = {  # not workable in the sector
    "public_transport": {"bag_checks", "lockdown"},
    "local_public_transport": {"bag_checks", "lockdown", "access_control"},
    "public_events": {"lockdown"},
    "shopping_area": {"bag_checks"},
}
LEVEL_NAMES = {
    AlertLevel.BASISNIVEAU: "basisniveau",
    AlertLevel.LICHTE_DREIGING: "lichte dreiging",
    AlertLevel.MATIGE_DREIGING: "matige dreiging",
    AlertLevel.HOGE_DREIGING: "hoge dreiging",
}


def package_for(code: str, level: str) -> list[str]:
    """The demo package of a sector at a level, in the catalogue's order."""
    wanted: set[str] = set(ALWAYS.get(code, set()))
    for step in AlertLevel.values[: AlertLevel.rank(level) + 1]:
        wanted |= LADDER[step]
    if AlertLevel.rank(level) >= AlertLevel.rank(AlertLevel.MATIGE_DREIGING):
        wanted |= FROM_MODERATE.get(code, set())
    wanted -= NEVER.get(code, set())
    return [m for m in Measure.values if m in wanted]


def seed_levels(users) -> None:
    analyst = users[ANALYST]
    current = threat_level_current()
    if current is None or (current.level, current.rationale) != (DTN_LEVEL, DTN_RATIONALE):
        services.threat_level_set(level=DTN_LEVEL, rationale=DTN_RATIONALE, by=analyst)
    seed_belgian_level(users)
    for sector in Sector.objects.order_by("code"):
        level, rationale = SECTOR_LEVELS.get(
            sector.code, (AlertLevel.BASISNIVEAU, "Geen aanwijzingen voor verhoogde dreiging.")
        )
        if sector_level_of(sector.code) != level:
            services.sector_level_set(sector=sector, level=level, rationale=rationale, by=analyst)
        existing = {p.level: p for p in sector.packages.all()}
        for alert_level in AlertLevel.values:
            measures = package_for(sector.code, alert_level)
            notes = f"Verwacht van {sector.name.lower()} bij {LEVEL_NAMES[alert_level]}."
            package = existing.get(alert_level)
            if package is None or (package.measures, package.notes) != (measures, notes):
                services.measure_package_set(
                    sector=sector, level=alert_level, measures=measures, notes=notes, by=analyst
                )


def seed_belgian_level(users) -> None:
    recorder = users[OCAM_RECORDER]
    services_levels.level_mandate_grant(user=recorder, jurisdiction="be", by=recorder)
    current = threat_level_current(jurisdiction="be")
    if current is None or (current.level, current.rationale) != (OCAM_LEVEL, OCAM_RATIONALE):
        services.threat_level_set(
            jurisdiction="be", level=OCAM_LEVEL, rationale=OCAM_RATIONALE, by=recorder
        )
