"""Dashboard URLs of alerts (mounted at the site root): inbox, alert page, profile, NCTV board."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
