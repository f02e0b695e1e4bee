from django.urls import path

from ..views import team

urlpatterns = [
    path("team/", team.team_scorecard, name="team"),
]
