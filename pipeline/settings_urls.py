"""The sales process's sections of the Settings area, under /settings/ (owners only)."""

from django.urls import path

from . import settings_views as views

app_name = "pipeline_settings"
urlpatterns = [
    path("stages/", views.stages, name="stages"),
    path("stages/<int:pk>/", views.stage_edit, name="stage"),
    path("stages/<int:pk>/move/", views.stage_move, name="stage_move"),
    path("stages/<int:pk>/retire/", views.stage_retire, name="stage_retire"),
    path("stages/<int:pk>/restore/", views.stage_restore, name="stage_restore"),
    path("stages/<int:pk>/delete/", views.stage_delete, name="stage_delete"),
    path("activity-types/", views.listed, {"section": "activity-types"}, name="activity_types"),
    path(
        "activity-types/<int:pk>/",
        views.listed_edit,
        {"section": "activity-types"},
        name="activity_type",
    ),
    path(
        "activity-types/<int:pk>/move/",
        views.listed_move,
        {"section": "activity-types"},
        name="activity_type_move",
    ),
    path(
        "activity-types/<int:pk>/active/",
        views.listed_active,
        {"section": "activity-types"},
        name="activity_type_active",
    ),
    path("lost-reasons/", views.listed, {"section": "lost-reasons"}, name="lost_reasons"),
    path(
        "lost-reasons/<int:pk>/", views.listed_edit, {"section": "lost-reasons"}, name="lost_reason"
    ),
    path(
        "lost-reasons/<int:pk>/move/",
        views.listed_move,
        {"section": "lost-reasons"},
        name="lost_reason_move",
    ),
    path(
        "lost-reasons/<int:pk>/active/",
        views.listed_active,
        {"section": "lost-reasons"},
        name="lost_reason_active",
    ),
]
