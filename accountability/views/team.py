from django.shortcuts import render

from salesculture.access import leader_required
from salesculture.weeks import current_week

from ..selectors.scorecards import recent_celebrations, team_rows


@leader_required
def team_scorecard(request):
    agency = request.agency
    week = current_week(agency)
    return render(request, "accountability/team.html", {
        "week": week,
        "rows": team_rows(agency, week),
        "celebrations": recent_celebrations(agency, limit=10),
    })
