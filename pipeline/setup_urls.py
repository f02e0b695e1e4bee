"""The first-run pages, at the site's top level (not under /pipeline/): included by name from
the project's urls."""

from django.urls import path

from . import setup_views

urlpatterns = [
    path("setup/", setup_views.first_run, name="first_run"),
    path("setup/<str:token>/", setup_views.first_run, name="first_run_link"),
]
