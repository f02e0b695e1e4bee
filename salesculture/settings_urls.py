"""/settings/: the owners' Settings area (leaders see the sections they may use). The sales
process's sections are pipeline/settings_urls.py, included under the same prefix."""

from django.urls import path

from . import settings_views as views

urlpatterns = [
    path("", views.settings_hub, name="settings"),
    path("agency/", views.agency_settings, name="settings_agency"),
    path("teams/", views.teams_settings, name="settings_teams"),
    path("teams/<int:pk>/", views.team_settings, name="settings_team"),
    path("teams/people/<int:pk>/move/", views.member_move, name="settings_member_move"),
    path("teams/people/<int:pk>/leader/", views.member_leader, name="settings_member_leader"),
]
