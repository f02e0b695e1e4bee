"""Installable on a phone: the web app manifest, the service worker (served from the root so
its scope is the whole site), the page it shows when the phone is offline, and a logout that
tells the browser to drop what it cached for this person.

The service worker caches only static files and the offline page, never a logged-in page:
one person's week must not be shown to the next person on a shared phone.
"""

import json

from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

# Bump to make every installed worker fetch the shell again (a new worker replaces the old
# one on the next visit; static file names change with their content in production anyway).
SHELL_VERSION = "1"
SHELL_FILES = ("css/app.css", "css/fill.css", "css/pwa.css", "css/producer.css", "css/week.css",
               "js/js-on.js", "js/app.js", "js/week.js", "js/pwa.js",
               "vendor/htmx-2.0.11.min.js", "img/favicon.svg", "img/icons/icon-192.png")
THEME = "#2456d6"


@require_GET
@cache_control(public=True, max_age=3600)
def manifest(request):
    icon = "img/icons/"
    body = {
        "name": "Sales Culture",
        "short_name": "Sales Culture",
        "description": "Log activities, move prospects forward, keep your weekly commitments.",
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f6f7f9",
        "theme_color": THEME,
        "icons": [
            {"src": static(icon + "icon-192.png"), "sizes": "192x192", "type": "image/png",
             "purpose": "any"},
            {"src": static(icon + "icon-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "any"},
            {"src": static(icon + "icon-maskable-512.png"), "sizes": "512x512",
             "type": "image/png", "purpose": "maskable"},
        ],
    }
    return HttpResponse(json.dumps(body, indent=1), content_type="application/manifest+json")


@require_GET
def service_worker(request):
    response = render(request, "salesculture/sw.js", {
        "version": SHELL_VERSION,
        "shell": json.dumps([static(f) for f in SHELL_FILES] + [reverse("offline")]),
        "static_prefix": json.dumps(static("")),
        "offline_url": json.dumps(reverse("offline")),
    }, content_type="text/javascript; charset=utf-8")
    # The browser checks for a new worker on each visit; never serve it from a cache.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
@cache_control(public=True, max_age=3600)
def offline(request):
    """Shown by the service worker in place of a page that could not load. The same for
    everyone (no name, no number): it is cached."""
    return render(request, "salesculture/offline.html")


class LogoutView(auth_views.LogoutView):
    """Django's logout, plus: the browser drops this site's caches (the service worker's
    too), so the next person on the phone starts clean."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache"'
        return response
