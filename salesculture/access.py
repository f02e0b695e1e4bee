"""Role checks for views. Agency scoping itself lives in the selectors."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404


def producer_required(view):
    """Logged in and attached to an agency; everyone else is sent to the login page."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated or not request.producer:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


def leader_required(view):
    """Leaders and owners only; to anyone else the page does not exist."""

    @wraps(view)
    @producer_required
    def wrapped(request, *args, **kwargs):
        if not request.producer.is_leader:
            raise Http404("Leaders only.")
        return view(request, *args, **kwargs)

    return wrapped
