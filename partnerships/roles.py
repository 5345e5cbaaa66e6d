"""What each organisation role may do: the one place where roles map to capabilities.

Views, API permissions and services ask ``role_allows(role, capability)``; nothing else compares
role names.
"""

from __future__ import annotations

from enum import StrEnum

from partnerships.models import Role


class Capability(StrEnum):
    READ = "read"  # see what the organisation may see
    WRITE = "write"  # add contact-log entries, actions, soft targets, reports; acknowledge alerts
    MANAGE_ORGANISATION = "manage_organisation"  # members, defaults, access transparency
    USE_DASHBOARD = "use_dashboard"  # sign in to the partner dashboard (integrators use the API)
    SIGN_COVENANTS = "sign_covenants"  # sign or terminate a covenant for the organisation


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ADMIN: frozenset(
        {
            Capability.READ,
            Capability.WRITE,
            Capability.MANAGE_ORGANISATION,
            Capability.USE_DASHBOARD,
            Capability.SIGN_COVENANTS,
        }
    ),
    Role.MEMBER: frozenset({Capability.READ, Capability.WRITE, Capability.USE_DASHBOARD}),
    Role.VIEWER: frozenset({Capability.READ, Capability.USE_DASHBOARD}),
    Role.INTEGRATOR: frozenset({Capability.READ, Capability.WRITE}),
}


def role_allows(role: str | None, capability: Capability) -> bool:
    return role is not None and capability in ROLE_CAPABILITIES.get(role, frozenset())
