"""How long a login lasts (ASVS V7.3) and what a locked-out login sees (V6.3.1).

A session ends after SESSION_IDLE_SECONDS without a request, SESSION_MAX_SECONDS after the
login whatever the activity, and when its producer chose "Log out everywhere". The kiosk has
no session, so none of this touches it.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.db.models import F
from django.dispatch import receiver
from django.shortcuts import render

from .models import Producer

LOGGED_IN_AT = "salesculture_logged_in_at"
LAST_SEEN = "salesculture_last_seen"
EPOCH = "salesculture_session_epoch"
# Writing "last seen" on every request would cost a session UPDATE per page; idle limits are
# hours, so noting activity at most every few minutes is precise enough.
LAST_SEEN_EVERY_SECONDS = 300


@receiver(user_logged_in, dispatch_uid="salesculture_session_start")
def _note_session_start(sender, request, user, **kwargs):
    now = int(time.time())
    request.session[LOGGED_IN_AT] = now
    request.session[LAST_SEEN] = now
    request.session[EPOCH] = (Producer.objects.filter(user=user)
                              .values_list("session_epoch", flat=True).first() or 0)


def producer_end_all_sessions(*, producer: Producer) -> None:
    """Every session of this producer, on every device, ends at its next request."""
    Producer.objects.filter(pk=producer.pk).update(session_epoch=F("session_epoch") + 1)


def _session_end_reason(request) -> str | None:
    """Why this logged-in session must end now, or None; notes activity while it goes on."""
    session = request.session
    now = int(time.time())
    logged_in_at = session.get(LOGGED_IN_AT)
    if logged_in_at is None:
        # A session from before these limits existed: they start counting now.
        session[LOGGED_IN_AT] = session[LAST_SEEN] = now
        logged_in_at = now
    last_seen = session.get(LAST_SEEN, logged_in_at)
    # `request.producer` is already loaded by ActingProducerMiddleware: no extra query.
    producer = request.producer
    if producer and session.get(EPOCH, 0) != producer.session_epoch:
        return "You were logged out everywhere. Please log in again."
    if now - logged_in_at > settings.SESSION_MAX_SECONDS:
        return "Your session has ended. Please log in again."
    if now - last_seen > settings.SESSION_IDLE_SECONDS:
        return "You were logged out after a while without activity. Please log in again."
    if now - last_seen >= LAST_SEEN_EVERY_SECONDS:
        session[LAST_SEEN] = now
    return None


class SessionLifetimeMiddleware:
    """Logs an expired session out before the view runs; the view then treats the request as
    anonymous (pages send it to the login page, which shows why)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            reason = _session_end_reason(request)
            if reason:
                logout(request)
                request.producer = request.agency = None
                messages.info(request, reason)
        return self.get_response(request)


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked username + address: the app's page, 429."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes},
                  status=429)


def client_ip(request) -> str:
    """The address a failed login is counted against. Behind TRUSTED_PROXY_COUNT proxies it is
    the entry the nearest of them appended to X-Forwarded-For, counted from the right, so an
    address a client writes into the header itself never counts; else REMOTE_ADDR."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")
