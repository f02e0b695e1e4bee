"""Each feature slice keeps its own routes; this module only puts them under one namespace."""

from django.urls import include, path

app_name = "accountability"
urlpatterns = [
    path("", include(f"accountability.{slice_}.urls"))
    for slice_ in ("week", "commitments", "confidence", "scorecards", "planning", "meetings",
                   "coaching")
]
