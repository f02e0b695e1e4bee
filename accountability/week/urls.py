from django.urls import path

from . import views

urlpatterns = [
    path("week/", views.my_week, name="my_week"),
    path("week/log/", views.week_log, name="week_log"),
    path("week/undo/<int:activity_id>/", views.week_undo, name="week_undo"),
    path("week/done/<int:prospect_id>/", views.week_done, name="week_done"),
]
