"""Dashboard URLs of preparedness (mounted at the site root)."""

from django.urls import path

from preparedness import views

urlpatterns = [
    path("preparedness/", views.preparedness_overview, name="preparedness-overview"),
    path(
        "soft-targets/<uuid:public_id>/preparedness/",
        views.preparedness_detail,
        name="preparedness-detail",
    ),
    path(
        "action-items/<uuid:public_id>/complete/",
        views.action_item_complete,
        name="action-item-complete",
    ),
]
