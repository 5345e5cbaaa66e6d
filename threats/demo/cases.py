"""The three cases of the study as soft targets: the Johan Cruijff ArenA, the Nijmeegse Vierdaagse
and the Diamantkwartier Antwerpen."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from partnerships.demo import ARENA, DIAMANT, VIERDAAGSE
from threats.demo.common import IN, NA, PLANNED, local
from threats.demo.levels import package_for
from threats.jurisdictions import OcamScaleUpLevel
from threats.models import AlertLevel


def third_tuesday_of_july(year: int) -> date:
    first = date(year, 7, 1)
    first_tuesday = first + timedelta(days=(1 - first.weekday()) % 7)
    return first_tuesday + timedelta(weeks=2)


def case_targets(today: date) -> list[dict]:
    """The three cases of the study. Measures: (measure, status, days since the review)."""
    start = third_tuesday_of_july(today.year + 1)
    return [
        {
            "by": "arena-operator",
            "operator": ARENA,
            "fields": {
                "name": "Johan Cruijff ArenA",
                "category": "football_stadium",
                "address": "Johan Cruijff Boulevard 1",
                "municipality": "Amsterdam",
                "region": "Amsterdam-Amstelland",
                "latitude": Decimal("52.314300"),
                "longitude": Decimal("4.941900"),
                "capacity": 55000,
                "partnership": ARENA,
                "security_contact_name": "Veiligheidscoördinator ArenA (24/7)",
                "security_contact_phone": "+31 20 000 1300",
                "vulnerability_notes": (
                    "De Arena Boulevard is voor en na wedstrijden en concerten vol publiek "
                    "buiten de toegangscontrole; aan de oostzijde staan nog geen permanente "
                    "voertuigbarrières. De parkeergarage onder het stadion is bij hoge dreiging "
                    "een aandachtspunt; "
                    "lockdownprocedure voor de hospitality-ruimtes is nog in voorbereiding."
                ),
            },
            "measures": [
                ("cctv", IN, 20),
                ("security_staff", IN, 20),
                ("access_control", IN, 20),
                ("bag_checks", IN, 20),
                ("hostile_vehicle_barriers", PLANNED, None),
                ("scale_up_scenario", IN, 45),
                ("staff_training", IN, 60),
                ("evacuation", IN, 34),
                ("invacuation", IN, 34),
                ("lockdown", PLANNED, None),
                ("communication_plan", IN, 90),
                ("first_aid", IN, 30),
            ],
            "evidence": "evacuation",
            "scale_up": {
                # everything of "matige dreiging", and the barriers on top: a scenario climbs
                AlertLevel.HOGE_DREIGING: (
                    package_for("football_stadium", AlertLevel.HOGE_DREIGING),
                    "Parkeergarage dicht; extra stewards en mobiele barrières op de Boulevard.",
                )
            },
        },
        {
            "by": "vierdaagse-operator",
            "operator": "Stichting DE 4DAAGSE",
            "fields": {
                "name": "Nijmeegse Vierdaagse",
                "category": "event_grounds",
                "address": "Wedren, Nijmegen (start en finish); route door Gelderland-Zuid",
                "municipality": "Nijmegen",
                "region": "Gelderland-Zuid",
                "latitude": Decimal("51.842600"),
                "longitude": Decimal("5.854600"),
                "capacity": 47000,
                "is_event": True,
                "event_start": local(start, 4),
                "event_end": local(start + timedelta(days=3), 18),
                # the first day's loop, coarsely: over the Waal to Elst and Bemmel and back to
                # the finish beside the start (a ring closed on its start would be a perimeter)
                "route": (
                    "51.8426,5.8546 51.8507,5.866 51.865,5.865 51.919,5.848 51.892,5.895 "
                    "51.868,5.875 51.847,5.864 51.844,5.856"
                ),
                "partnership": VIERDAAGSE,
                "security_contact_name": "Veiligheidsstaf 4Daagse (24/7 tijdens het evenement)",
                "security_contact_phone": "+31 24 000 4400",
                "vulnerability_notes": (
                    "Vier dagen lang tienduizenden wandelaars op een route van 30 tot 50 km door "
                    "open gebied en dorpskernen: de route is niet af te sluiten. De grootste "
                    "drukte is vrijdag bij de intocht op de Via Gladiola, met publiek langs de "
                    "hele weg."
                ),
            },
            "measures": [
                ("cctv", IN, 200),
                ("security_staff", IN, 200),
                ("hostile_vehicle_barriers", IN, 200),
                ("scale_up_scenario", PLANNED, None),
                ("staff_training", PLANNED, None),
                ("evacuation", IN, 210),
                ("communication_plan", IN, 210),
                ("first_aid", IN, 210),
                ("lockdown", NA, None),
            ],
        },
        {
            "by": "diamant-operator",
            "operator": "AWDC",
            "fields": {
                "name": "Diamantkwartier Antwerpen",
                "category": "shopping_area",
                "address": "Hoveniersstraat, Schupstraat en Rijfstraat",
                "municipality": "Antwerpen",
                "region": "Antwerpen",
                "latitude": Decimal("51.217200"),
                "longitude": Decimal("4.421400"),
                "capacity": 15000,
                "partnership": DIAMANT,
                "security_contact_name": "Meldpunt Diamantkwartier (24/7)",
                "security_contact_phone": "+32 3 000 0200",
                "vulnerability_notes": (
                    "Drie toegangen met camera's en slagbomen; de Pelikaanstraat langs het spoor "
                    "is open. Hoge waarde op straat: gewapende overvallen en verkenning komen voor."
                ),
            },
            "measures": [
                ("cctv", IN, 15),
                ("access_control", IN, 15),
                ("security_staff", IN, 15),
                ("hostile_vehicle_barriers", IN, 400),
                ("staff_training", IN, 120),
                ("evacuation", PLANNED, None),
                ("lockdown", IN, 120),
                ("communication_plan", PLANNED, None),
            ],
            # a Belgian target climbs its own authority's levels (OCAM/OCAD 1-4), not the ATb;
            # written highest first, so each level is written onto a scenario that still climbs
            "scale_up": {
                OcamScaleUpLevel.OCAM_4: (
                    [*_DIAMANT_OCAM_3, "hostile_vehicle_barriers", "evacuation"],
                    "Toegangen dicht voor voertuigen; ontruimingsplan met de politie Antwerpen.",
                ),
                OcamScaleUpLevel.OCAM_3: (
                    _DIAMANT_OCAM_3,
                    "Tassencontrole aan de drie toegangen; extra bewaking in de Pelikaanstraat.",
                ),
                OcamScaleUpLevel.OCAM_2: (_DIAMANT_OCAM_2, ""),
                OcamScaleUpLevel.OCAM_1: (_DIAMANT_OCAM_1, ""),
            },
        },
    ]


# The Diamantkwartier's scenario per OCAM/OCAD level: each level takes what the one below takes.
_DIAMANT_OCAM_1 = ["staff_training", "cctv", "access_control"]
_DIAMANT_OCAM_2 = [*_DIAMANT_OCAM_1, "security_staff", "lockdown"]
_DIAMANT_OCAM_3 = [*_DIAMANT_OCAM_2, "bag_checks"]


# Extra demo operators of the generated soft targets (fictitious, clearly named as examples).
