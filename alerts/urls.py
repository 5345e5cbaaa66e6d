"""Dashboard URLs of alerts (mounted at the site root): inbox, alert page, profile, NCTV board."""

from django.urls import path

from alerts import views, views_board

urlpatterns = [
    path("alerts/", views.inbox, name="alert-inbox"),
    path("alerts/inbox.json", views.inbox_json, name="alert-inbox-json"),
    path("alerts/unread.json", views.unread_json, name="alert-unread-json"),
    path("alerts/<uuid:public_id>/", views.alert_detail, name="alert-detail"),
    path(
        "alerts/<uuid:public_id>/acknowledge/",
        views.alert_acknowledge,
        name="alert-acknowledge",
    ),
    path(
        "alerts/<uuid:public_id>/status/",
        views.alert_report_status,
        name="alert-report-status",
    ),
    path("profile/alerts/", views.preferences, name="alert-preferences"),
    path("nctv/alerts/", views_board.board, name="alert-board"),
    path("nctv/alerts/board.json", views_board.board_json, name="alert-board-json"),
    path("nctv/alerts/<uuid:public_id>/", views_board.board_detail, name="alert-board-detail"),
    path(
        "nctv/alerts/<uuid:public_id>/state.json",
        views_board.board_detail_json,
        name="alert-board-detail-json",
    ),
    path(
        "nctv/alerts/<uuid:public_id>/<slug:action>/",
        views_board.board_action,
        name="alert-board-action",
    ),
]
