"""The Django admin: NCTV staff's face on the portal.

Every model admin subclasses ``StaffAdmin`` (NCTV staff only) and saves through the services,
so the admin holds no business rule of its own (see ``ppsportal.admin.base``).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from partnerships.admin.contacts import ActionAdmin, ContactEntryAdmin, CostItemAdmin
from partnerships.admin.covenants import CovenantAdmin
from partnerships.admin.organisations import MembershipAdmin, OrganisationAdmin
from partnerships.admin.partnerships import PartnershipAdmin
from ppsportal.admin.base import StaffAdmin, StaffInlineMixin
from ppsportal.auth_forms import LockoutAdminAuthenticationForm

__all__ = [
    "ActionAdmin",
    "ContactEntryAdmin",
    "CostItemAdmin",
    "CovenantAdmin",
    "MembershipAdmin",
    "OrganisationAdmin",
    "PartnershipAdmin",
    "StaffAdmin",
    "StaffInlineMixin",
]

admin.site.site_header = _("PPS Portal administration")
admin.site.site_title = _("PPS Portal")
admin.site.index_title = _("NCTV administration")
admin.site.login_form = LockoutAdminAuthenticationForm  # the sign-in lockout's message
