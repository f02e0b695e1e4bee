from django.urls import path

from . import exports, polls, views

urlpatterns = [
    path("team/", views.team_scorecard_view, name="team"),
    path("team/producer/<int:producer_id>/", views.producer_drilldown_view, name="drilldown"),
    path("live/team/", polls.live_team, name="live_team"),
    path("live/team/rows/", polls.live_team_rows, name="live_team_rows"),
    path("live/wins/", polls.live_wins, name="live_wins"),
    path("export/scorecards.csv", exports.export_scorecards, name="export_scorecards"),
]
