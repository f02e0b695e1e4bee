from django.urls import path

from . import views

urlpatterns = [
    path("one-on-ones/", views.one_on_ones, name="one_on_ones"),
    path("one-on-ones/new/", views.one_on_one_new, name="one_on_one_new"),
    path("one-on-ones/<int:one_on_one_id>/", views.one_on_one_detail, name="one_on_one"),
    path("one-on-ones/<int:one_on_one_id>/edit/", views.one_on_one_edit,
         name="one_on_one_edit"),
    path("one-on-ones/<int:one_on_one_id>/my-side/", views.one_on_one_my_side,
         name="one_on_one_my_side"),
    path("one-on-ones/<int:one_on_one_id>/actions/<int:action_id>/commit/",
         views.action_commit, name="one_on_one_action_commit"),
    path("alerts/", views.alerts_page, name="alerts"),
    path("alerts/dismiss/", views.alert_dismiss_view, name="alert_dismiss"),
]
