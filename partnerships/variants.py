"""What each PPS variant sets by default (docs/partnerships.md, "The PPS variants").

- **Continuation**: continue what exists; exchange stays at CLEAR and GREEN.
- **Deepening**: more mutual exchange; covenants are drafted with an AMBER clause and partners
  are offered to share their own AMBER records.
- **Broadening**: the private parties' tasks widen; the completeness check asks for more roles
  at the table (the safety region and private security besides the kind's own).

One module holds these defaults: the covenant service drafts with ``default_clause``, the
health check asks for ``expected_clause`` and ``needed_roles``, and the faces read
``partner_sharing_offered``.
"""

from __future__ import annotations

from dataclasses import dataclass

from partnerships.models.partnerships import (
    DEFAULT_REQUIRED_ROLES,
    PartnerRole,
    Variant,
)
from ppsportal.sensitivity import TLP


@dataclass(frozen=True)
class VariantDefaults:
    # The information clause a new covenant of the partnership is drafted with.
    default_clause: str
    # The level the covenants in force must cover for the partnership to be healthy.
    expected_clause: str
    # Whether partners are offered to share their own AMBER records with each other.
    partner_sharing_offered: bool
    # Roles asked at the table besides those of the partnership's kind.
    extra_roles: tuple[str, ...] = ()


VARIANT_DEFAULTS: dict[str, VariantDefaults] = {
    Variant.CONTINUATION: VariantDefaults(
        default_clause=TLP.GREEN, expected_clause=TLP.GREEN, partner_sharing_offered=False
    ),
    Variant.DEEPENING: VariantDefaults(
        default_clause=TLP.AMBER, expected_clause=TLP.AMBER, partner_sharing_offered=True
    ),
    Variant.BROADENING: VariantDefaults(
        default_clause=TLP.GREEN,
        expected_clause=TLP.GREEN,
        partner_sharing_offered=False,
        extra_roles=(PartnerRole.SAFETY_REGION, PartnerRole.PRIVATE_SECURITY),
    ),
}


def defaults_for(partnership) -> VariantDefaults:
    return VARIANT_DEFAULTS[partnership.variant]


def needed_roles(partnership) -> list[str]:
    """The roles the completeness check asks: the partnership's own list when it has one,
    otherwise its kind's default widened by its variant's extra roles."""
    if partnership.required_roles:
        return list(partnership.required_roles)
    roles = list(DEFAULT_REQUIRED_ROLES[partnership.kind])
    return roles + [r for r in defaults_for(partnership).extra_roles if r not in roles]
