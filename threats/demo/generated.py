"""A few dozen generated soft targets across categories and Dutch regions, the same on every run
(``random.Random(2026)``), operated by example organisations and two municipalities."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from partnerships.demo import ARENA, VIERDAAGSE
from threats.demo.common import ANALYST, IN, PLANNED, local
from threats.models import Measure

EXTRA_OPERATORS = [
    # name, kind, organisation sector
    ("Voorbeeld Winkelvastgoed BV", "private", "shopping_area"),
    ("Voorbeeld Evenementen BV", "private", "event_grounds"),
    ("Voorbeeld Vervoer NV", "private", "public_transport"),
    ("Voorbeeld Horeca & Uitgaan BV", "private", "hospitality"),
    ("Stichting Voorbeeld Cultuur & Onderwijs", "private", "museum"),
    ("Voorbeeld Publiek Vastgoed", "public", "government_building"),
]
OPERATOR_OF = {
    "shopping_area": "Voorbeeld Winkelvastgoed BV",
    "football_stadium": "Voorbeeld Evenementen BV",
    "event_grounds": "Voorbeeld Evenementen BV",
    "public_events": "Voorbeeld Evenementen BV",
    "public_transport": "Voorbeeld Vervoer NV",
    "local_public_transport": "Voorbeeld Vervoer NV",
    "airport": "Voorbeeld Vervoer NV",
    "hospitality": "Voorbeeld Horeca & Uitgaan BV",
    "nightlife": "Voorbeeld Horeca & Uitgaan BV",
    "museum": "Stichting Voorbeeld Cultuur & Onderwijs",
    "university": "Stichting Voorbeeld Cultuur & Onderwijs",
    "religious_institution": "Stichting Voorbeeld Cultuur & Onderwijs",
    "government_building": "Voorbeeld Publiek Vastgoed",
}
# category: (name pattern, capacity range)
KINDS = {
    "shopping_area": ("Winkelcentrum {city} {part}", (800, 25000)),
    "football_stadium": ("Stadion {city}", (4000, 30000)),
    "event_grounds": ("Evenemententerrein {city} {part}", (1000, 40000)),
    "public_transport": ("Station {city} {part}", (2000, 60000)),
    "airport": ("Vliegveld {city}", (1500, 12000)),
    "hospitality": ("Grand Café {city} {part}", (60, 400)),
    "nightlife": ("Poppodium {city}", (150, 2500)),
    "museum": ("Stadsmuseum {city}", (120, 1500)),
    "university": ("Campus {city} {part}", (900, 12000)),
    "religious_institution": ("Gebedshuis {city} {part}", (60, 900)),
    "government_building": ("Stadskantoor {city}", (100, 1200)),
    "public_events": ("Stadsfestival {city}", (2000, 80000)),
    "local_public_transport": ("Busstation {city} {part}", (150, 3000)),
}
CITIES = [
    # city, safety region, latitude, longitude
    ("Amsterdam", "Amsterdam-Amstelland", 52.3728, 4.8936),
    ("Rotterdam", "Rotterdam-Rijnmond", 51.9225, 4.4792),
    ("Den Haag", "Haaglanden", 52.0705, 4.3007),
    ("Utrecht", "Utrecht", 52.0907, 5.1214),
    ("Eindhoven", "Brabant-Zuidoost", 51.4416, 5.4697),
    ("Groningen", "Groningen", 53.2194, 6.5665),
    ("Maastricht", "Zuid-Limburg", 50.8514, 5.6910),
    ("Arnhem", "Gelderland-Midden", 51.9851, 5.8987),
    ("Nijmegen", "Gelderland-Zuid", 51.8126, 5.8372),
    ("Zwolle", "IJsselland", 52.5168, 6.0830),
    ("Haarlem", "Kennemerland", 52.3874, 4.6462),
    ("Leiden", "Hollands Midden", 52.1601, 4.4970),
    ("Breda", "Midden- en West-Brabant", 51.5719, 4.7683),
    ("Enschede", "Twente", 52.2215, 6.8937),
    ("Leeuwarden", "Fryslân", 53.2012, 5.7999),
    ("'s-Hertogenbosch", "Brabant-Noord", 51.6978, 5.3037),
]
PARTS = ["Centrum", "Noord", "Zuid", "Oost", "West"]
STREETS = ["Markt", "Stationsplein", "Kerkstraat", "Parkweg"]
NOTES = [
    "Ingang aan een drukke straat zonder afscheiding van het verkeer.",
    "Nooduitgangen komen uit op een smalle steeg.",
    "Camera's dekken de achteringang niet.",
    "Piekdrukte op zaterdagmiddag; personeel wisselt vaak.",
    "Laad- en losplaats is overdag open.",
    "",
]
GENERATED = 34  # plus two fixed municipal targets: 36 generated in all


def generated_targets(today: date) -> list[dict]:
    """~36 soft targets across categories and Dutch regions, the same on every run."""
    rng = random.Random(2026)  # noqa: S311 - demo data, not a secret
    categories = list(KINDS)
    specs, names = [], set()
    for i in range(GENERATED):
        category = categories[i % len(categories)]
        city, region, lat, lon = rng.choice(CITIES)
        pattern, (low, high) = KINDS[category]
        name = base = pattern.format(city=city, part=rng.choice(PARTS))
        number = 2
        while name in names:
            name, number = f"{base} {number}", number + 1
        names.add(name)
        fields = {
            "name": name,
            "category": category,
            "address": f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
            "municipality": city,
            "region": region,
            "latitude": Decimal(f"{lat + rng.uniform(-0.02, 0.02):.6f}"),
            "longitude": Decimal(f"{lon + rng.uniform(-0.03, 0.03):.6f}"),
            "capacity": rng.randint(low, high),
            "security_contact_name": f"Meldkamer {name}",
            "security_contact_phone": f"+31 88 000 {i + 1:04d}",
            "vulnerability_notes": rng.choice(NOTES),
        }
        if category == "public_events":
            start = today + timedelta(days=rng.randint(20, 300))
            fields.update(
                is_event=True,
                event_start=local(start, 10),
                event_end=local(start + timedelta(days=rng.randint(0, 2)), 23),
            )
        measures = []
        for measure in Measure.values:
            draw = rng.random()
            if draw < 0.55:
                measures.append((measure, IN, rng.randint(10, 400)))
            elif draw < 0.75:
                measures.append((measure, PLANNED, None))
        specs.append(
            {
                "by": ANALYST,
                "operator": OPERATOR_OF[category],
                "fields": fields,
                "measures": measures,
            }
        )
    specs += [
        {
            "by": ANALYST,
            "operator": "Gemeente Amsterdam",
            "fields": {
                "name": "Museumplein Amsterdam",
                "category": "public_events",
                "address": "Museumplein",
                "municipality": "Amsterdam",
                "region": "Amsterdam-Amstelland",
                "latitude": Decimal("52.357300"),
                "longitude": Decimal("4.881700"),
                "capacity": 30000,
                "partnership": ARENA,
                "security_contact_name": "Crisiscentrum gemeente Amsterdam",
                "security_contact_phone": "+31 20 000 2000",
                "vulnerability_notes": (
                    "Open plein, toegankelijk voor voertuigen via de Van Baerlestraat."
                ),
            },
            "measures": [
                ("cctv", IN, 30),
                ("staff_training", IN, 90),
                ("evacuation", PLANNED, None),
            ],
        },
        {
            "by": ANALYST,
            "operator": "Gemeente Nijmegen",
            "fields": {
                "name": "Waalkade Nijmegen",
                "category": "hospitality",
                "address": "Waalkade",
                "municipality": "Nijmegen",
                "region": "Gelderland-Zuid",
                "latitude": Decimal("51.849700"),
                "longitude": Decimal("5.866900"),
                "capacity": 6000,
                "partnership": VIERDAAGSE,
                "security_contact_name": "Meldkamer gemeente Nijmegen",
                "security_contact_phone": "+31 24 000 3000",
                "vulnerability_notes": "Tijdens de Vierdaagsefeesten overvol; smalle aanrijroutes.",
            },
            "measures": [
                ("cctv", IN, 60),
                ("first_aid", IN, 60),
                ("staff_training", PLANNED, None),
            ],
        },
    ]
    return specs
