"""The few htmx response shapes every page uses, on top of `django_htmx.http`.

- `toast`: a message the page shows in its toast area (static/js/app.js listens for the
  `toast` event);
- `not_modified`: a poll that found nothing new: 204 with no body, which htmx does not swap;
- `client_redirect`: send the browser to another page after an htmx post.

Invalid forms answer 400 and a stale move 409; htmx is configured once, in base.html's
`htmx-config` meta tag, to swap those answers so the messages next to the fields show.
"""

from django.http import HttpResponse
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget, trigger_client_event

__all__ = ["client_redirect", "not_modified", "retarget", "reswap", "toast"]


def toast(response: HttpResponse, text: str, kind: str = "") -> HttpResponse:
    """`kind` is "" (plain), "win" (a celebration) or "error"."""
    return trigger_client_event(response, "toast", {"text": text, "kind": kind})


def not_modified() -> HttpResponse:
    response = HttpResponse(status=204)
    response["Cache-Control"] = "no-store"
    return response


def client_redirect(url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url)
