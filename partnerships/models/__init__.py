from partnerships.models.contacts import Action, ContactEntry, CostItem, CostShare
from partnerships.models.covenants import (
    Covenant,
    CovenantSignatory,
    CovenantTask,
    ReminderSent,
)
from partnerships.models.grants import (
    ContactEntryGroupGrant,
    ContactEntryUserGrant,
    CovenantGroupGrant,
    CovenantUserGrant,
)
from partnerships.models.health import HealthSnapshot
from partnerships.models.invitations import MemberInvitation
from partnerships.models.organisations import Jurisdiction, Membership, Organisation, Role, Sector
from partnerships.models.partnerships import (
    DEFAULT_REQUIRED_ROLES,
    VARIANT_MEANINGS,
    PartnerRole,
    Partnership,
    PartnershipKind,
    PartnershipMember,
    Variant,
)

__all__ = [
    "DEFAULT_REQUIRED_ROLES",
    "VARIANT_MEANINGS",
    "Action",
    "ContactEntry",
    "ContactEntryGroupGrant",
    "ContactEntryUserGrant",
    "CostItem",
    "CostShare",
    "Covenant",
    "CovenantGroupGrant",
    "CovenantSignatory",
    "CovenantTask",
    "CovenantUserGrant",
    "HealthSnapshot",
    "Jurisdiction",
    "MemberInvitation",
    "Membership",
    "Organisation",
    "PartnerRole",
    "Partnership",
    "PartnershipKind",
    "PartnershipMember",
    "ReminderSent",
    "Role",
    "Sector",
    "Variant",
]
