from django.shortcuts import render

from salesculture.access import producer_required
from salesculture.weeks import current_week

from ..selectors.scorecards import recent_celebrations, scorecard_for


@producer_required
def my_week(request):
    producer = request.producer
    week = current_week(producer.agency)
    return render(request, "accountability/my_week.html", {
        "producer": producer,
        "week": week,
        "card": scorecard_for(producer, week),
        "celebrations": recent_celebrations(producer.agency, producer=producer, limit=10),
    })
