"""Example bodies for the OpenAPI schema: the ArenA partnership of the demo data."""

from ppsportal.api.examples import ARENA, ARENA_OPERATOR, SHARED_UNDER_ARENA

MUNICIPALITY = {"id": "2f1a8c4e-5b7d-4e0a-8f1c-6d3b2a9e7c55", "name": "Gemeente Amsterdam"}
POLICE = {"id": "9c4e2b1a-3d5f-4a7b-8e9c-1f2a3b4c5d6e", "name": "Politie Amsterdam"}

PARTNERSHIP = {
    "id": ARENA["id"],
    "name": ARENA["name"],
    "description": "Safety around matches and concerts in and around the stadium.",
    "kind": "venue",
    "kind_label": "Venue",
    "region": "Amsterdam-Amstelland",
    "variant": "deepening",
    "variant_label": "Deepening",
    "variant_meaning": "More mutual information exchange: government and private partners share "
    "as much, including more sensitive information.",
    "status": "active",
    "status_label": "Active",
    "sponsor": MUNICIPALITY,
    "liaison": {"username": "arena-liaison", "full_name": "Sanne de Vries"},
    "contact_frequency_days": 30,
    "members": [
        {
            "organisation": MUNICIPALITY,
            "role": "municipality",
            "role_label": "Municipality",
            "joined_on": "2025-01-15",
            "left_on": None,
        },
        {
            "organisation": ARENA_OPERATOR,
            "role": "coordinator",
            "role_label": "Coordinator",
            "joined_on": "2025-01-15",
            "left_on": None,
        },
        {
            "organisation": ARENA_OPERATOR,
            "role": "venue_operator",
            "role_label": "Venue operator",
            "joined_on": "2025-01-15",
            "left_on": None,
        },
    ],
    "required_roles": [
        {"role": "venue_operator", "role_label": "Venue operator"},
        {"role": "municipality", "role_label": "Municipality"},
        {"role": "police", "role_label": "Police"},
    ],
    "missing_roles": [{"role": "police", "role_label": "Police"}],
    "health": {
        "status": "attention",
        "status_label": "Needs attention",
        "reasons": [
            {
                "code": "incomplete",
                "severity": "attention",
                "text": "Missing at the table: Police.",
            }
        ],
        "days_since_last_contact": 12,
        "contacts_last_90_days": 4,
        "covenant_state": "active",
        "covenant_state_label": "Active",
        "overdue_actions": 0,
    },
    "created_at": "2025-01-15T10:00:00+01:00",
}

COSTS = {
    "total": "24000.00",
    "key_complete": True,
    "shares": [
        {"organisation": ARENA_OPERATOR, "percentage": "60.00", "amount": "14400.00"},
        {"organisation": MUNICIPALITY, "percentage": "40.00", "amount": "9600.00"},
    ],
}

COST_ALLOCATION = {
    "shares": [
        {"organisation": ARENA_OPERATOR["id"], "percentage": "60.00"},
        {"organisation": MUNICIPALITY["id"], "percentage": "40.00"},
    ]
}

PARTNERSHIP_DETAIL = {**PARTNERSHIP, "costs": COSTS}

PARTNERSHIP_CREATE = {
    "name": "ArenA Amsterdam",
    "description": "Safety around matches and concerts in and around the stadium.",
    "kind": "venue",
    "region": "Amsterdam-Amstelland",
    "variant": "deepening",
    "status": "forming",
    "sponsor": MUNICIPALITY["id"],
    "liaison": None,
    "contact_frequency_days": 30,
    "required_roles": [],
    "members": [
        {"organisation": ARENA_OPERATOR["id"], "role": "coordinator"},
        {"organisation": MUNICIPALITY["id"], "role": "municipality"},
    ],
}

PARTNERSHIP_UPDATE = {"variant": "deepening", "liaison": "arena-liaison"}

COVENANT = {
    "id": SHARED_UNDER_ARENA["covenant"]["id"],
    "partnership": ARENA,
    "kind": "covenant",
    "kind_label": "Covenant",
    "title": SHARED_UNDER_ARENA["covenant"]["title"],
    "status": "active",
    "status_label": "Active",
    "effective_from": "2025-02-01",
    "effective_until": "2027-01-31",
    "terminated_on": None,
    "information_clause": "amber",
    "information_clause_label": "TLP:AMBER",
    "purpose": SHARED_UNDER_ARENA["purpose"],
    "retention_days": 90,
    "signatories": [
        {"organisation": MUNICIPALITY, "signed_on": "2025-01-20", "withdrawn_on": None},
        {"organisation": ARENA_OPERATOR, "signed_on": "2025-01-22", "withdrawn_on": None},
    ],
    "tasks": [
        {
            "organisation": ARENA_OPERATOR,
            "description": "Watches the cameras in and around the stadium.",
        },
        {"organisation": MUNICIPALITY, "description": "Calls the triangle together when needed."},
    ],
    "has_document": True,
    "document_uploaded_at": "2025-01-23T09:30:00+01:00",
    "created_at": "2025-01-10T14:00:00+01:00",
}

COVENANT_UPDATE = {
    "kind": "covenant",
    "title": "Convenant veiligheid ArenA 2025-2027",
    "effective_from": "2025-02-01",
    "effective_until": "2027-01-31",
    "information_clause": "amber",
    "purpose": "Sharing threat information and camera images around events.",
    "retention_days": 90,
    "tasks": [
        {"organisation": ARENA_OPERATOR["id"], "description": "Watches the cameras."},
        {"organisation": MUNICIPALITY["id"], "description": "Calls the triangle together."},
    ],
}

COVENANT_CREATE = {
    "partnership": ARENA["id"],
    **COVENANT_UPDATE,
    "signatories": [
        {"organisation": MUNICIPALITY["id"], "signed_on": "2025-01-20"},
        {"organisation": ARENA_OPERATOR["id"], "signed_on": None},
    ],
}

CONTACT = {
    "id": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
    "partnership": ARENA,
    "occurred_on": "2026-03-02",
    "kind": "meeting",
    "kind_label": "Meeting",
    "participants": [ARENA_OPERATOR, MUNICIPALITY],
    "summary": "Evaluation of the derby; camera coverage at the north side to be improved.",
    "tlp": "green",
    "tlp_label": "TLP:GREEN",
    "owner_organisation": ARENA_OPERATOR,
    "created_by": {"username": "arena-operator", "full_name": "Jan Jansen"},
    "created_at": "2026-03-02T16:05:00+01:00",
    "actions": [
        {
            "id": "6b7c8d9e-0f1a-4b2c-9d3e-4f5a6b7c8d9e",
            "description": "Quote for two extra cameras at the north side",
            "owner": ARENA_OPERATOR,
            "due_on": "2026-04-01",
            "done": False,
            "done_on": None,
        }
    ],
    "shared_under": None,  # your own; on an entry shared with you: its covenant and purpose
}

CONTACT_CREATE = {
    "partnership": ARENA["id"],
    "occurred_on": "2026-03-02",
    "kind": "meeting",
    "participants": [ARENA_OPERATOR["id"], MUNICIPALITY["id"]],
    "summary": "Evaluation of the derby; camera coverage at the north side to be improved.",
    "tlp": "green",
    "actions": [
        {
            "description": "Quote for two extra cameras at the north side",
            "owner": ARENA_OPERATOR["id"],
            "due_on": "2026-04-01",
        }
    ],
}

ACTION = {
    **CONTACT["actions"][0],
    "partnership": ARENA,
    "contact": CONTACT["id"],
    "created_at": "2026-03-02T16:05:00+01:00",
}

# Why a partner sees an AMBER object the NCTV shared with its organisation: the covenant of the
# grant and that covenant's purpose (``shared_under``; null for your own and for CLEAR/GREEN).
