"""The kiosk: a wall TV with no login follows one team's meeting through a secret link.

Read-only by construction: only GET/HEAD are routed to a view (everything else answers 405,
CSRF exemption only so that a write is refused as 405 rather than 403), no form is rendered,
and the link is looked up afresh on every request. A revoked link answers 410 Gone with a
plain "revoked" message (the open TV's poll clears the screen on it, see meeting.js); an
unknown token stays a 404.
"""

from functools import wraps

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from salesculture.htmx import not_modified
from salesculture.throttle import miss_note, misses_exceeded

from .kiosk import KioskRevoked, kiosk_board, kiosk_get, kiosk_key
from .selectors import meeting_screen
from .views import POLL_SECONDS

TEMPLATE = "accountability/meetings/kiosk.html"
# Unknown TV-link tokens one address may try before it is refused for the window's rest.
GUESS_LIMIT = 20
GUESS_WINDOW_SECONDS = 15 * 60
GUESS_REFUSAL = "Too many unknown TV links from this address. Try again in 15 minutes."


def _private(response: HttpResponse) -> HttpResponse:
    # The token is the credential: keep it out of caches, referrers and search engines.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def kiosk_link(view):
    """Look the link up afresh (404 when unknown) and hand it to the view; a revoked one
    answers 410 with nothing of the team on it."""

    @wraps(view)
    def wrapped(request, token: str):
        if misses_exceeded(request, scope="kiosk", limit=GUESS_LIMIT):
            return _private(HttpResponse(GUESS_REFUSAL, status=429,
                                         content_type="text/plain; charset=utf-8"))
        try:
            link = kiosk_get(token)
        except Http404:
            miss_note(request, scope="kiosk", window=GUESS_WINDOW_SECONDS)
            raise
        except KioskRevoked:
            template = f"{TEMPLATE}#revoked" if request.htmx else TEMPLATE
            return _private(render(request, template, {"revoked": True}, status=410))
        return _private(view(request, link))

    return wrapped


def _context(link, key, meeting) -> dict:
    context = {
        "link": link, "key": key, "meeting": meeting, "readonly": True,
        "poll_url": reverse("accountability:kiosk_poll", args=[link.token]),
        "poll_seconds": POLL_SECONDS,
        # What a colleague sees, unless the link was made to show the clients' names.
        "hide_prospects": not link.show_prospect_names,
    }
    if meeting is not None:
        context["screen"] = meeting_screen(meeting)
    else:
        context["board"] = kiosk_board(link)
    return context


@csrf_exempt
@require_safe
@kiosk_link
def kiosk(request, link):
    key, meeting = kiosk_key(link)
    return render(request, TEMPLATE, _context(link, key, meeting))


@csrf_exempt
@require_safe
@kiosk_link
def kiosk_poll(request, link):
    """204 while what the kiosk shows is unchanged (two queries); else the fresh screen."""
    key, meeting = kiosk_key(link)
    if request.GET.get("k") == key:
        return not_modified()
    return render(request, f"{TEMPLATE}#screen", _context(link, key, meeting))
