"""Search: the top bar's box answers as one types (htmx swaps the results partial under it);
without JavaScript the same box is a GET form to the results page."""

from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from salesculture.access import producer_required

from .search import SEARCH_MIN_LENGTH, prospect_search

TEMPLATE = "pipeline/search.html"


@producer_required
@require_GET
@vary_on_headers("HX-Request")  # one url answers the page or its results partial
def search(request):
    results = prospect_search(actor=request.producer, query=request.GET.get("q", ""))
    context = {"results": results, "min_length": SEARCH_MIN_LENGTH}
    if request.htmx and request.htmx.target in ("search-results", "nav-search-results"):
        return render(request, f"{TEMPLATE}#results", context)
    return render(request, TEMPLATE, context)
