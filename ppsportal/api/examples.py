"""Example identities the API schema of several apps shows (one organisation, NCTV, a sector)."""

ARENA = {"id": "0b0c7a52-8d1e-4c59-9a43-3f3f8f6f0a11", "name": "ArenA Amsterdam"}
ARENA_OPERATOR = {"id": "7d7f0b55-1c1e-4f57-9a43-0d1a9d0d6a10", "name": "Johan Cruijff ArenA"}
NCTV = {"id": "3c1d2e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "name": "NCTV"}
STAFF = {"username": "nctv-analyst", "full_name": "Eva de Boer"}
STADIUMS = {"code": "football_stadium", "name": "Football stadium"}
# The covenant an example object of ARENA's reached its reader under (``shared_under``).
SHARED_UNDER_ARENA = {
    "covenant": {
        "id": "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b",
        "title": "Convenant veiligheid ArenA 2025-2027",
    },
    "purpose": "Sharing threat information and camera images around events.",
}
