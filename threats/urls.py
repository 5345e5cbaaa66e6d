"""Dashboard URLs of the threat picture (mounted at the site root)."""

from django.urls import path

from threats import views, views_map, views_reports

urlpatterns = [
    path("soft-targets/", views.soft_target_list, name="soft-target-list"),
    path("soft-targets/map/", views_map.soft_target_map, name="soft-target-map"),
    path("soft-targets/new/", views.soft_target_create, name="soft-target-create"),
    path("soft-targets/<uuid:public_id>/", views.soft_target_detail, name="soft-target-detail"),
    path("soft-targets/<uuid:public_id>/edit/", views.soft_target_edit, name="soft-target-edit"),
    path(
        "soft-targets/<uuid:public_id>/evidence/<slug:measure>/",
        views.soft_target_evidence,
        name="soft-target-evidence",
    ),
    path("threat-assessments/", views.assessment_list, name="assessment-list"),
    path(
        "threat-assessments/<uuid:public_id>/",
        views.assessment_detail,
        name="assessment-detail",
    ),
    path("reports/", views_reports.report_list, name="report-list"),
    path("reports/new/", views_reports.report_create, name="report-create"),
    path("reports/<uuid:public_id>/", views_reports.report_detail, name="report-detail"),
    path("reports/<uuid:public_id>/reply/", views_reports.report_reply, name="report-reply"),
    path(
        "reports/<uuid:public_id>/attachments/<uuid:attachment_id>/",
        views_reports.report_attachment,
        name="report-attachment",
    ),
    path("nctv/soft-targets/", views_reports.register_overview, name="register-overview"),
    path("nctv/soft-targets/map/", views_map.national_map, name="national-map"),
    path("nctv/reports/", views_reports.report_queue, name="report-queue"),
    path(
        "nctv/reports/<uuid:public_id>/triage/",
        views_reports.report_triage,
        name="report-triage",
    ),
]
