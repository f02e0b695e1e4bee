from django.urls import path

from . import morning_views, views

urlpatterns = [
    path("week/", views.my_week, name="my_week"),
    path("week/more/", views.week_more, name="week_more"),
    path("week/log/", views.week_log, name="week_log"),
    path("week/undo/<int:activity_id>/", views.week_undo, name="week_undo"),
    path("notifications/", morning_views.morning_settings, name="morning_settings"),
    path("week/done/<int:prospect_id>/", views.week_done, name="week_done"),
]
