"""Dashboard URLs of the partnerships app (mounted at the site root)."""

from django.urls import path

from partnerships import views, views_members, views_sharing

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
    path("contacts/<uuid:public_id>/", views_sharing.contact_detail, name="contact-detail"),
    path("sharing/by-us/", views_sharing.shares_made, name="shares-made"),
    path("sharing/with-us/", views_sharing.shares_received, name="shares-received"),
    path(
        "sharing/<slug:kind>/<uuid:public_id>/",
        views_sharing.object_share,
        name="object-share",
    ),
    path(
        "sharing/<slug:kind>/<uuid:public_id>/revoke/",
        views_sharing.object_share_revoke,
        name="object-share-revoke",
    ),
    path("organisation/access-log/", views.access_log, name="access-log"),
    path("organisation/members/", views_members.member_list, name="member-list"),
    path(
        "organisation/members/<uuid:public_id>/role/",
        views_members.member_role,
        name="member-role",
    ),
    path(
        "organisation/members/<uuid:public_id>/deactivate/",
        views_members.member_deactivate,
        name="member-deactivate",
    ),
    path("invitations/<str:token>/", views_members.invitation_accept, name="invitation-accept"),
    path("nctv/partnerships/", views.partnership_overview, name="partnership-overview"),
]
