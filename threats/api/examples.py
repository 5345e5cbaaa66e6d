"""Example bodies for the OpenAPI schema: the ArenA and the Vierdaagse of the demo data."""

from ppsportal.api.examples import ARENA, ARENA_OPERATOR, NCTV, SHARED_UNDER_ARENA, STADIUMS, STAFF

VIERDAAGSE = {"id": "4d5e6f70-8192-4a3b-9c4d-5e6f70819203", "name": "Stichting DE 4DAAGSE"}
COVENANT_ID = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"

# --- Threat level and sectors -------------------------------------------------------------------

_NATIONAL = {
    "id": "8a9b0c1d-2e3f-4a5b-8c6d-7e8f9a0b1c2d",
    "jurisdiction": "nl",
    "level": 4,
    "level_label": "4 — substantial",
    "region": "",
    "rationale": "The chance of an attack is real; jihadist and right-wing extremist threats.",
    "on_behalf_of": "",
    "set_by": STAFF,
    "set_at": "2026-01-12T09:00:00+01:00",
}
_REGIONAL = {
    **_NATIONAL,
    "id": "9b0c1d2e-3f4a-4b5c-9d6e-8f9a0b1c2d3e",
    "level": 5,
    "level_label": "5 — critical",
    "region": "Amsterdam-Amstelland",
    "rationale": "Concrete indications around the stadium this weekend.",
    "set_at": "2026-03-06T17:30:00+01:00",
}
THREAT_LEVEL_OVERVIEW = {
    "jurisdiction": "nl",
    "authority": "NCTV",
    "national": _NATIONAL,
    "regional": [_REGIONAL],
    "history": [
        _REGIONAL,
        _NATIONAL,
        {
            **_NATIONAL,
            "id": "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
            "level": 3,
            "level_label": "3 — significant",
            "set_at": "2025-06-02T09:00:00+02:00",
        },
    ],
}

THREAT_LEVEL_OCAM = {
    **_NATIONAL,
    "id": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
    "jurisdiction": "be",
    "level": 3,
    "level_label": "3 — serious (OCAM)",
    "rationale": "OCAM/OCAD: the threat is possible and likely.",
    "on_behalf_of": "OCAM/OCAD",
}

_PACKAGES = [
    {
        "level": "basisniveau",
        "level_label": "Basic level",
        "measures": [{"code": "cctv", "label": "Camera surveillance (CCTV)"}],
        "notes": "",
    },
    {"level": "lichte_dreiging", "level_label": "Low threat", "measures": [], "notes": ""},
    {
        "level": "matige_dreiging",
        "level_label": "Moderate threat",
        "measures": [{"code": "bag_checks", "label": "Bag checks"}],
        "notes": "",
    },
    {
        "level": "hoge_dreiging",
        "level_label": "High threat",
        "measures": [
            {"code": "bag_checks", "label": "Bag checks"},
            {"code": "hostile_vehicle_barriers", "label": "Hostile-vehicle barriers"},
        ],
        "notes": "Close the approach roads to traffic.",
    },
]
SECTOR = {
    **STADIUMS,
    "name_nl": "Voetbalstadion",
    "name_en": "Football stadium",
    "level": "lichte_dreiging",
    "level_label": "Low threat",
    "level_set_at": "2026-02-20T12:00:00+01:00",
    "measure_packages": _PACKAGES,
}
SECTOR_DETAIL = {
    **SECTOR,
    "history": [
        {
            "id": "1d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a",
            "level": "lichte_dreiging",
            "level_label": "Low threat",
            "rationale": "Threats against clubs on social media.",
            "set_by": STAFF,
            "set_at": "2026-02-20T12:00:00+01:00",
        }
    ],
}

# --- Threat assessments -------------------------------------------------------------------------

ASSESSMENT = {
    "id": "2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b",
    "title": "Threat to football stadiums, spring 2026",
    "summary": "Calls to attack crowds at matches; ramming is the most likely modus.",
    "body": "## Picture\n\nCalls on **Telegram** to attack crowds at matches.",
    "body_html": "<h2>Picture</h2>\n<p>Calls on <strong>Telegram</strong> to attack crowds at "
    "matches.</p>",
    "motives": [{"code": "jihadism", "label": "Jihadism"}],
    "modus_operandi": [
        {"code": "vehicle_ramming", "label": "Vehicle ramming"},
        {"code": "stabbing", "label": "Stabbing"},
    ],
    "target_categories": [STADIUMS],
    "regions": ["Amsterdam-Amstelland"],
    "tlp": "amber",
    "tlp_label": "TLP:AMBER",
    "valid_from": "2026-03-01",
    "valid_until": "2026-06-30",
    "recommended_measures": [
        {"code": "hostile_vehicle_barriers", "label": "Hostile-vehicle barriers"}
    ],
    "owner_organisation": NCTV,
    "shared_under": SHARED_UNDER_ARENA,  # as a partner reads it; null for NCTV staff
    "created_at": "2026-03-01T08:00:00+01:00",
}
ASSESSMENT_WRITTEN = {**ASSESSMENT, "shared_under": None}  # as NCTV staff, its owner, read it
ASSESSMENT_CREATE = {
    "title": ASSESSMENT["title"],
    "summary": ASSESSMENT["summary"],
    "body": ASSESSMENT["body"],
    "tlp": "amber",
    "valid_from": "2026-03-01",
    "valid_until": "2026-06-30",
    "motives": ["jihadism"],
    "modus_operandi": ["vehicle_ramming", "stabbing"],
    "target_categories": ["football_stadium"],
    "regions": ["Amsterdam-Amstelland"],
    "recommended_measures": ["hostile_vehicle_barriers"],
}
SHARE_ORGANISATION = {
    "organisation": ARENA_OPERATOR["id"],
    "covenant": COVENANT_ID,
    "reason": "The ArenA hosts the matches concerned.",
}
SHARE_USER = {
    "user": "arena-security-manager",
    "covenant": COVENANT_ID,
    "reason": "Named recipient for this TLP:RED assessment.",
}
ASSESSMENT_SHARES = [
    {
        "kind": "organisation",
        "organisation": ARENA_OPERATOR,
        "user": None,
        "covenant": {"id": COVENANT_ID, "title": "Convenant veiligheid ArenA 2025-2027"},
        "granted_by": STAFF,
        "granted_at": "2026-03-01T08:10:00+01:00",
        "reason": SHARE_ORGANISATION["reason"],
        "valid": True,
    }
]

# --- Soft targets -------------------------------------------------------------------------------

SOFT_TARGET_PEER = {
    "view": "peer",
    "id": "3f4a5b6c-7d8e-4f9a-8b0c-2d3e4f5a6b7c",
    "name": "Johan Cruijff ArenA",
    "category": STADIUMS,
    "municipality": "Amsterdam",
    "latitude": 52.314167,
    "longitude": 4.941944,
    "capacity_tier": "enhanced",
    "capacity_tier_label": "Enhanced tier (800 and more)",
    "operator": ARENA_OPERATOR,
}
_SCALE_UP = {
    "basisniveau": ["cctv", "security_staff"],
    "lichte_dreiging": ["cctv", "security_staff", "bag_checks"],
    "matige_dreiging": ["cctv", "security_staff", "bag_checks", "access_control"],
    "hoge_dreiging": ["cctv", "security_staff", "bag_checks", "hostile_vehicle_barriers"],
}
SOFT_TARGET_CREATE = {
    "name": "Johan Cruijff ArenA",
    "category": "football_stadium",
    "address": "Johan Cruijff Boulevard 1",
    "municipality": "Amsterdam",
    "region": "Amsterdam-Amstelland",
    "latitude": 52.314167,
    "longitude": 4.941944,
    "capacity": 55000,
    "is_event": False,
    "event_start": None,
    "event_end": None,
    "partnership": ARENA["id"],
    "security_contact_name": "Security control room",
    "security_contact_phone": "+31 20 311 1333",
    "vulnerability_notes": "North side: camera coverage incomplete near gate F.",
    "vulnerability_tlp": "amber_strict",
    "measures": [
        {"measure": "cctv", "status": "in_place", "last_reviewed": "2026-01-15"},
        {"measure": "staff_training", "status": "planned"},
    ],
    "scale_up": {"hoge_dreiging": _SCALE_UP["hoge_dreiging"]},
}
SOFT_TARGET = {
    **SOFT_TARGET_PEER,
    "view": "full",
    "address": SOFT_TARGET_CREATE["address"],
    "region": "Amsterdam-Amstelland",
    "capacity": 55000,
    "is_event": False,
    "event_start": None,
    "event_end": None,
    "partnership": ARENA,
    "security_contact_name": SOFT_TARGET_CREATE["security_contact_name"],
    "security_contact_phone": SOFT_TARGET_CREATE["security_contact_phone"],
    "vulnerability_notes": SOFT_TARGET_CREATE["vulnerability_notes"],
    "vulnerability_tlp": "amber_strict",
    "vulnerability_tlp_label": "TLP:AMBER+STRICT",
    "measures": [
        {
            "measure": "cctv",
            "measure_label": "Camera surveillance (CCTV)",
            "status": "in_place",
            "status_label": "In place",
            "last_reviewed": "2026-01-15",
            "has_evidence": True,
        },
        {
            "measure": "staff_training",
            "measure_label": "Staff training",
            "status": "planned",
            "status_label": "Planned",
            "last_reviewed": None,
            "has_evidence": False,
        },
    ],
    "scale_up": _SCALE_UP,
    "gaps": [
        {"code": "staff_training", "label": "Staff training"},
        {"code": "evacuation", "label": "Evacuation procedure"},
    ],
    "shared_under": None,  # your own; on a target shared with you: its covenant and purpose
    "created_at": "2026-01-10T10:00:00+01:00",
    "updated_at": "2026-03-02T16:05:00+01:00",
}

# --- Reports ------------------------------------------------------------------------------------

REPORT_CREATE = {
    "soft_target": SOFT_TARGET_PEER["id"],
    "kind": "suspicious_situation",
    "what": "Two men filmed the entrances and the stewards' positions for an hour.",
    "occurred_at": "2026-03-07T19:40:00+01:00",
    "location": "Gate F, north side",
    "tlp": "amber",
}
REPORT = {
    "id": "4a5b6c7d-8e9f-4a0b-9c1d-3e4f5a6b7c8d",
    "soft_target": {"id": SOFT_TARGET_PEER["id"], "name": SOFT_TARGET_PEER["name"]},
    "kind": "suspicious_situation",
    "kind_label": "Suspicious situation",
    "what": REPORT_CREATE["what"],
    "occurred_at": REPORT_CREATE["occurred_at"],
    "location": REPORT_CREATE["location"],
    "tlp": "amber",
    "tlp_label": "TLP:AMBER",
    "status": "new",
    "status_label": "New",
    "reporter": {"username": "arena-operator", "full_name": "Jan Jansen"},
    "reporter_organisation": ARENA_OPERATOR,
    "created_at": "2026-03-07T21:02:00+01:00",
    "replies": [
        {
            "author": STAFF,
            "author_organisation": NCTV,
            "body": "Thank you; the police will pass by tonight.",
            "created_at": "2026-03-08T08:15:00+01:00",
        }
    ],
    "shared_under": None,  # your own; on a report shared with you: its covenant and purpose
}
