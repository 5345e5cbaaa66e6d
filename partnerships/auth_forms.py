"""Sign-in to the dashboard: API accounts (integrators) use tokens, not the dashboard."""

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from partnerships.roles import Capability
from partnerships.selectors import actor_for
from ppsportal.lockout import lockout_message, request_was_locked


class DashboardAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Your username and password did not match. Please try again."),
    }

    def get_invalid_login_error(self):
        if request_was_locked(self.request):
            return ValidationError(lockout_message(), code="locked")
        return super().get_invalid_login_error()

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        actor = actor_for(user)
        if actor.membership is not None and not actor.can(Capability.USE_DASHBOARD):
            raise ValidationError(
                _("This is an API account: it signs in with a token at /api/v1/auth/token/."),
                code="api_only",
            )
