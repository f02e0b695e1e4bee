"""The kiosk: a wall TV with no login follows one team's meeting through a secret link.

Read-only by construction: only GET/HEAD are routed to a view (everything else answers 405,
CSRF exemption only so that a write is refused as 405 rather than 403), no form is rendered,
and the link is looked up afresh on every request, so revoking it answers 404 at once.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from salesculture.htmx import not_modified

from .kiosk import kiosk_board, kiosk_get, kiosk_key
from .selectors import meeting_screen
from .views import POLL_SECONDS

TEMPLATE = "accountability/meetings/kiosk.html"


def _private(response: HttpResponse) -> HttpResponse:
    # The token is the credential: keep it out of caches, referrers and search engines.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _context(link, key, meeting) -> dict:
    context = {
        "link": link, "key": key, "meeting": meeting, "readonly": True,
        "poll_url": reverse("accountability:kiosk_poll", args=[link.token]),
        "poll_seconds": POLL_SECONDS,
    }
    if meeting is not None:
        context["screen"] = meeting_screen(meeting)
    else:
        context["board"] = kiosk_board(link)
    return context


@csrf_exempt
@require_safe
def kiosk(request, token: str):
    link = kiosk_get(token)
    key, meeting = kiosk_key(link)
    return _private(render(request, TEMPLATE, _context(link, key, meeting)))


@csrf_exempt
@require_safe
def kiosk_poll(request, token: str):
    """204 while what the kiosk shows is unchanged (two queries); else the fresh screen."""
    link = kiosk_get(token)
    key, meeting = kiosk_key(link)
    if request.GET.get("k") == key:
        return _private(not_modified())
    return _private(render(request, f"{TEMPLATE}#screen", _context(link, key, meeting)))
