"""The admin's sign-in form: the lockout's message instead of "wrong password" while locked."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from ppsportal.lockout import lockout_message, request_was_locked


class LockoutAdminAuthenticationForm(AdminAuthenticationForm):
    def get_invalid_login_error(self):
        if request_was_locked(self.request):
            return ValidationError(lockout_message(), code="locked")
        return super().get_invalid_login_error()
