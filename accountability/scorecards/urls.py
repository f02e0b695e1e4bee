from django.urls import path

from . import live, views

urlpatterns = [
    path("team/", views.team_scorecard_view, name="team"),
    path("team/producer/<int:producer_id>/", views.producer_drilldown_view, name="drilldown"),
    path("live/team/", live.live_team, name="live_team"),
    path("live/wins/", live.live_wins, name="live_wins"),
]
