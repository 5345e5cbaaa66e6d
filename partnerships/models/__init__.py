from partnerships.models.organisations import Membership, Organisation, Role, Sector

__all__ = ["Membership", "Organisation", "Role", "Sector"]
