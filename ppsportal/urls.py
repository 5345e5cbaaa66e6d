"""The portal's URLs: dashboard at /, admin at /admin/, API at /api/v1/."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import TemplateView

from ppsportal import mfa_views
from ppsportal.api.auth import ObtainTokenView, RevokeTokenView
from ppsportal.api.docs import SchemaView, SwaggerView
from ppsportal.health import health, healthz, readyz
from ppsportal.login_views import SignInView
from ppsportal.metrics import metrics_view

api_v1 = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("auth/token/revoke/", RevokeTokenView.as_view(), name="api-token-revoke"),
    path("", include("partnerships.api_urls")),
    path("", include("threats.api_urls")),
    path("", include("alerts.api_urls")),
    path("", include("interop.api_urls")),
    path("", include("preparedness.api_urls")),
]

urlpatterns = [
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/second-factor/", mfa_views.verify, name="mfa-verify"),
    path("accounts/second-factor/enrol/", mfa_views.enrol, name="mfa-enrol"),
    path("health/", health, name="health"),
    path(
        "accessibility/",
        TemplateView.as_view(template_name="ppsportal/accessibility.html"),
        name="accessibility",
    ),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("taxii2/", include("interop.urls")),
    path("oidc/", include("sso.urls")),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("partnerships.urls")),
    path("", include("threats.urls")),
    path("", include("alerts.urls")),
    path("", include("preparedness.urls")),
]

handler404 = "ppsportal.api.exceptions.not_found"
handler500 = "ppsportal.api.exceptions.server_error"
