"""API routes of the interop app (mounted under /api/v1/)."""

from django.urls import path

from interop.api import StixBundleView

urlpatterns = [
    path("stix/", StixBundleView.as_view(), name="stix-bundle"),
]
