from django.utils.functional import SimpleLazyObject

from .selectors import producer_for_user


class ActingProducerMiddleware:
    """Gives each request `request.producer` and `request.agency` (None when anonymous)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.producer = SimpleLazyObject(lambda: producer_for_user(request.user))
        request.agency = SimpleLazyObject(
            lambda: request.producer.agency if request.producer else None)
        return self.get_response(request)
