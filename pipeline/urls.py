from django.urls import path

from . import done_views, export_views, lost_views, search_views, views
from .imports import views as import_views

app_name = "pipeline"
urlpatterns = [
    path("pipeline/", views.board, name="board"),
    path("search/", search_views.search, name="search"),
    path("pipeline/prospects/new/", views.prospect_new, name="prospect_new"),
    path("pipeline/prospects/<int:pk>/", views.prospect_detail, name="prospect"),
    path("pipeline/prospects/<int:pk>/edit/", views.prospect_edit, name="prospect_edit"),
    path("pipeline/prospects/<int:pk>/delete/", views.prospect_delete, name="prospect_delete"),
    path("pipeline/prospects/<int:pk>/card/", views.prospect_card, name="prospect_card"),
    path("pipeline/prospects/<int:pk>/advance/", views.prospect_advance,
         name="prospect_advance"),
    path("pipeline/prospects/<int:pk>/log/", views.prospect_log, name="prospect_log"),
    path("pipeline/lost-reasons/", lost_views.lost_reasons, name="lost_reasons"),
    path("pipeline/prospects/<int:pk>/done/", done_views.prospect_done, name="prospect_done"),
    # Bringing data in and out: top-level pages, not under the board.
    path("import/", import_views.import_start, name="import"),
    path("import/<int:job_id>/", import_views.import_job, name="import_job"),
    path("import/<int:job_id>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("import/<int:job_id>/progress/", import_views.import_progress, name="import_progress"),
    path("import/<int:job_id>/errors.csv", import_views.import_errors, name="import_errors"),
    path("export/", export_views.export, name="export"),
    path("export/prospects.csv", export_views.export_prospects, name="export_prospects"),
    path("export/activities.csv", export_views.export_activities, name="export_activities"),
    path("export/ledger.csv", export_views.export_ledger, name="export_ledger"),
]
