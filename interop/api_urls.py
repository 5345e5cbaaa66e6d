"""API routes of the interop app (mounted under /api/v1/)."""

from django.urls import path

from interop.api import DraftPublishView, StixBundleView, StixImportView

urlpatterns = [
    path("stix/", StixBundleView.as_view(), name="stix-bundle"),
    path("stix/import/", StixImportView.as_view(), name="stix-import"),
    path("stix/drafts/<uuid:id>/publish/", DraftPublishView.as_view(), name="stix-draft-publish"),
]
