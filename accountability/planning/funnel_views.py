from django.shortcuts import render

from salesculture.access import producer_required

from .funnel import DEFAULT_WEEKS, MAX_WEEKS, funnel_scope_choices, parse_weeks
from .funnel_weeks import funnel_for

WEEK_CHOICES = [4, 13, 26, 52]


@producer_required
def funnel_page(request):
    """The funnel of the actor, a producer they lead, their team or (owners) the agency."""
    actor = request.producer
    error = ""
    try:
        weeks = parse_weeks(request.GET.get("weeks"))
    except ValueError as problem:
        error = str(problem)
        weeks = DEFAULT_WEEKS
    scope, funnel = funnel_for(actor=actor, scope_key=request.GET.get("scope"), weeks=weeks)
    return render(request, "accountability/planning/funnel.html", {
        "scope": scope,
        "funnel": funnel,
        "weeks": weeks,
        "weeks_error": error,
        "weeks_value": request.GET.get("weeks", weeks) if error else weeks,
        "week_choices": WEEK_CHOICES,
        "max_weeks": MAX_WEEKS,
        "scope_choices": funnel_scope_choices(actor, scope),
    })
