"""The sign-in page: username and password, and a single sign-on button when a provider is set."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.utils.translation import gettext as _

from partnerships.auth_forms import DashboardAuthenticationForm


def single_sign_on_label() -> str | None:
    """The button's text, naming the provider when ``SSO_PROVIDER_NAME`` is set; ``None``
    without a provider (``OIDC_RP_CLIENT_ID`` unset), so no button is shown."""
    if not settings.SSO_ENABLED:
        return None
    if settings.SSO_PROVIDER_NAME:
        return _("Sign in with %(provider)s") % {"provider": settings.SSO_PROVIDER_NAME}
    return _("Sign in with single sign-on")


class SignInView(auth_views.LoginView):
    redirect_authenticated_user = True
    authentication_form = DashboardAuthenticationForm

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "sso_label": single_sign_on_label()}
