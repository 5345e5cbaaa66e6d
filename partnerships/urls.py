"""Dashboard URLs of the partnerships app (mounted at the site root)."""

from django.urls import path

from partnerships import views

urlpatterns = [
    path("", views.home, name="home"),
    path("partnerships/", views.partnership_list, name="partnership-list"),
    path(
        "partnerships/<uuid:public_id>/",
        views.partnership_detail,
        name="partnership-detail",
    ),
    path(
        "partnerships/<uuid:public_id>/contacts/new/",
        views.contact_create,
        name="contact-create",
    ),
    path("actions/<uuid:public_id>/done/", views.action_done, name="action-done"),
    path(
        "covenants/<uuid:public_id>/document/",
        views.covenant_upload,
        name="covenant-upload",
    ),
    path(
        "covenants/<uuid:public_id>/document/download/",
        views.covenant_document,
        name="covenant-document",
    ),
    path("organisation/access-log/", views.access_log, name="access-log"),
    path("nctv/partnerships/", views.partnership_overview, name="partnership-overview"),
]
