from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.functional import SimpleLazyObject

from .selectors import producer_for_user


class ActingProducerMiddleware:
    """Gives each request `request.producer` and `request.agency` (None when anonymous), and
    shows every time in the agency's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.producer = SimpleLazyObject(lambda: producer_for_user(request.user))
        request.agency = SimpleLazyObject(
            lambda: request.producer.agency if request.producer else None)
        # Only for a session that is logged in: anonymous pages (login, kiosk) stay query-free
        # here, and the kiosk converts its own times.
        if request.user.is_authenticated and request.producer:
            timezone.activate(request.agency.tz)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class PrivatePagesMiddleware:
    """Every page of a logged-in person shows their pipeline, numbers and why: no browser or
    proxy may store it (a shared office PC, the back button after logging out). A view that
    chose its own Cache-Control (the kiosk, the polls) keeps it. Pages answer a partial to
    HTMX and the whole page otherwise, so every response varies on HX-Request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and request.user.is_authenticated:
            add_never_cache_headers(response)
        patch_vary_headers(response, ("HX-Request",))
        return response
