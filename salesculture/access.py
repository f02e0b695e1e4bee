"""Role checks for views. Agency scoping itself lives in the selectors."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme


def producer_required(view):
    """Logged in and attached to an agency. Visitors are sent to log in; an account with no
    active place in an agency (a deactivated person, a bare admin) is told so, rather than
    bounced between the login page and home."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.producer:
            return render(request, "salesculture/no_agency.html", status=403)
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


def owner_required(view):
    """Owners only; to anyone else (leaders included) the page does not exist."""

    @wraps(view)
    @producer_required
    def wrapped(request, *args, **kwargs):
        if not request.producer.is_owner:
            raise Http404("Owners only.")
        return view(request, *args, **kwargs)

    return wrapped


def local_path(request, url: str) -> str:
    """`url` when it is a path of this site, else "": a `next` parameter is followed only
    within the site, and `redirect()` would take a bare word for a url name (a 500)."""
    if url.startswith("/") and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return ""
