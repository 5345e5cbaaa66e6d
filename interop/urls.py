"""TAXII 2.1 routes, mounted at /taxii2/."""

from django.urls import path

from interop import taxii

urlpatterns = [
    path("", taxii.DiscoveryView.as_view(), name="taxii-discovery"),
    path("api/", taxii.ApiRootView.as_view(), name="taxii-api-root"),
    path("api/collections/", taxii.CollectionsView.as_view(), name="taxii-collections"),
    path(
        "api/collections/<uuid:collection>/",
        taxii.CollectionView.as_view(),
        name="taxii-collection",
    ),
    path(
        "api/collections/<uuid:collection>/objects/",
        taxii.ObjectsView.as_view(),
        name="taxii-objects",
    ),
    path(
        "api/collections/<uuid:collection>/objects/<str:object_id>/",
        taxii.ObjectsView.as_view(),
        name="taxii-object",
    ),
]
