from django.utils import timezone
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
