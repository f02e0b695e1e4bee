"""The app's URLs plus the benchmark's floor: the trivial logged-in view every page is
compared with. It goes through the full middleware (session, acting producer, CSP, …), runs
one query of its own (a count, not a primary-key read) and renders a tiny template.

Only the benchmark's own process points ROOT_URLCONF here (bench/pages.py); the app never
serves it."""

from django.db.models import Count
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

from salesculture.access import producer_required
from salesculture.models import Team

FLOOR_TEMPLATE = engines["django"].from_string(
    "<!doctype html><title>floor</title><p>{{ request.producer.name }}: {{ teams }} teams, "
    "{{ people }} people</p>")


@producer_required
def floor(request):
    totals = Team.objects.filter(agency=request.agency).aggregate(
        teams=Count("id", distinct=True), people=Count("members"))
    return HttpResponse(FLOOR_TEMPLATE.render(totals, request))


urlpatterns = [
    path("bench/floor/", floor, name="bench_floor"),
    path("", include("salesculture.urls")),
]
