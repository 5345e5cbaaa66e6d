"""Dashboard URLs of preparedness (mounted at the site root)."""

from django.urls import path

from preparedness import views, views_forms, views_library

urlpatterns = [
    path("preparedness/", views.preparedness_overview, name="preparedness-overview"),
    path(
        "soft-targets/<uuid:public_id>/preparedness/",
        views.preparedness_detail,
        name="preparedness-detail",
    ),
    path(
        "soft-targets/<uuid:public_id>/preparedness/procedures/new/",
        views_forms.procedure_create,
        name="procedure-create",
    ),
    path("procedures/<uuid:public_id>/edit/", views_forms.procedure_edit, name="procedure-edit"),
    path(
        "soft-targets/<uuid:public_id>/preparedness/training/new/",
        views_forms.training_record_create,
        name="training-record-create",
    ),
    path(
        "soft-targets/<uuid:public_id>/preparedness/exercises/new/",
        views_forms.exercise_plan,
        name="exercise-plan",
    ),
    path("exercises/<uuid:public_id>/held/", views_forms.exercise_held, name="exercise-held"),
    path(
        "exercises/<uuid:public_id>/action-items/new/",
        views_forms.action_item_create,
        name="action-item-create",
    ),
    path(
        "action-items/<uuid:public_id>/edit/", views_forms.action_item_edit, name="action-item-edit"
    ),
    path(
        "action-items/<uuid:public_id>/complete/",
        views.action_item_complete,
        name="action-item-complete",
    ),
    path("library/", views_library.library_index, name="library"),
    path(
        "library/guidance/<uuid:public_id>/",
        views_library.guidance_detail,
        name="guidance-detail",
    ),
    path(
        "library/guidance/<uuid:public_id>/download/",
        views_library.guidance_download,
        name="guidance-download",
    ),
    path(
        "library/guidance/<uuid:public_id>/read/",
        views_library.guidance_read,
        name="guidance-read",
    ),
    path("library/documents/new/", views_library.document_upload, name="document-upload"),
    path(
        "library/documents/<uuid:public_id>/download/",
        views_library.document_download,
        name="document-download",
    ),
]
