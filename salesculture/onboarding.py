"""Onboarding: a producer without a "why" is asked for one before anything else.

Runs after ActingProducerMiddleware. Only page loads (GET, not HTMX, not polling) are
redirected, so a form already on screen still posts and live panels keep refreshing. The
why page's url name is `accountability:welcome`; the redirect carries `?next=`.
"""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse

SKIP_PREFIXES = ("/admin/", "/static/", "/login/", "/logout/", "/media/", "/favicon",
                 "/live/", "/kiosk/", "/sw.js", "/manifest.webmanifest", "/offline/",
                 # pages reached from an email, which work the same for whoever is logged in
                 "/invitation/", "/setup/", "/password_reset/", "/reset/")


class WhyOnboardingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._should_ask(request):
            try:
                welcome = reverse("accountability:welcome")
            except NoReverseMatch:
                return self.get_response(request)
            if request.path != welcome:
                return redirect(f"{welcome}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _should_ask(request) -> bool:
        if request.method != "GET" or not request.user.is_authenticated:
            return False
        path = request.path
        if path.startswith(SKIP_PREFIXES) or "poll" in path:
            return False
        if request.headers.get("HX-Request") or "json" in request.headers.get("Accept", ""):
            return False
        producer = getattr(request, "producer", None)
        if not producer or not producer.sells:
            return False
        return not producer.why.strip()
