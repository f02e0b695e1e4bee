from django.urls import path

from . import views

app_name = "pipeline"
urlpatterns = [
    path("", views.board, name="board"),
    path("prospects/new/", views.prospect_new, name="prospect_new"),
    path("prospects/<int:pk>/", views.prospect_detail, name="prospect"),
    path("prospects/<int:pk>/edit/", views.prospect_edit, name="prospect_edit"),
    path("prospects/<int:pk>/delete/", views.prospect_delete, name="prospect_delete"),
    path("prospects/<int:pk>/card/", views.prospect_card, name="prospect_card"),
    path("prospects/<int:pk>/advance/", views.prospect_advance, name="prospect_advance"),
    path("prospects/<int:pk>/log/", views.prospect_log, name="prospect_log"),
]
