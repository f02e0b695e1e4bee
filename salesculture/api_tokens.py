"""Personal API tokens: made and revoked on the profile page, checked on every API call.

A token acts as its producer (their agency, their role), so the API applies the same rules as
the pages. The secret is shown once; only its SHA-256 is stored (`ApiToken.token_hash`), so
the table read by someone else (a backup, the admin) opens nothing. Each token has its own
rate limit, counted in the cache (Redis, shared by every web process, when REDIS_URL is set).
"""

import datetime as dt
import hashlib
import math
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from .audit import audit_record
from .models import Agency, ApiToken, AuditEvent, Producer

# The prefix makes a leaked token recognisable (secret scanners, a log line).
TOKEN_PREFIX = "sc_"
NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length
# `last_used_at` is written at most this often per token: a busy dialer would otherwise
# write the row on every call.
LAST_USED_EVERY = dt.timedelta(minutes=1)
RATE_WINDOW_SECONDS = 60


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(*, producer: Producer, name: str) -> tuple[ApiToken, str]:
    """A new token for `producer`; returns it and its secret, which is never shown again."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Name the token after where it is used, e.g. “Dialer”."})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError({"name": f"Keep the name to {NAME_MAX_LENGTH} characters."})
    if not producer.is_active:
        raise ValidationError("A deactivated person cannot make API tokens.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(producer=producer, name=name,
                                        token_hash=token_hash(secret))
        audit_record(agency=producer.agency_id, actor=producer,
                     kind=AuditEvent.Kind.API_TOKEN_CREATED, subject=token,
                     label=f"{token.name} ({producer.name})")
    return token, secret


def api_token_revoke(*, token: ApiToken, actor: Producer) -> ApiToken:
    """Revoke a token at once: its holder or an owner of the agency. Revoking twice changes
    nothing (and records nothing)."""
    if actor.pk != token.producer_id and not (
            actor.is_owner and actor.agency_id == token.producer.agency_id):
        raise ValidationError("Only the token's holder or an owner can revoke it.")
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now())
        token.refresh_from_db(fields=["revoked_at"])
        if updated:
            audit_record(agency=token.producer.agency_id, actor=actor,
                         kind=AuditEvent.Kind.API_TOKEN_REVOKED, subject=token,
                         label=f"{token.name} ({token.producer.name})")
    return token


def api_token_authenticate(secret: str) -> ApiToken | None:
    """The live token with that secret, with its producer and agency (one query), or None:
    unknown, revoked, or its producer deactivated. Notes the time of use."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = (ApiToken.objects.select_related("producer__user", "producer__agency",
                                             "producer__team")
             .filter(token_hash=token_hash(secret), revoked_at__isnull=True,
                     producer__is_active=True).first())
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_token_rate_take(token: ApiToken, *, now: float | None = None) -> int:
    """Take one call of the token's allowance (API_RATE_PER_MINUTE calls a minute, counted
    in fixed windows): 0 when one was left, otherwise the seconds until the next window (the
    429's Retry-After)."""
    limit = settings.SALESCULTURE["API_RATE_PER_MINUTE"]
    now = time.time() if now is None else now
    window = int(now // RATE_WINDOW_SECONDS)
    # By the hash, not the id: a token's count never passes to a later row with a reused id.
    key = f"rate:api_token:{token.token_hash[:32]}:{window}"
    cache.add(key, 0, timeout=RATE_WINDOW_SECONDS * 2)
    try:
        used = cache.incr(key)
    except ValueError:  # evicted between the two calls: this call opens the window again
        cache.set(key, 1, timeout=RATE_WINDOW_SECONDS * 2)
        used = 1
    if used <= limit:
        return 0
    return max(1, math.ceil((window + 1) * RATE_WINDOW_SECONDS - now))


# --- reads ------------------------------------------------------------------------------------

def api_tokens_of(producer: Producer) -> QuerySet[ApiToken]:
    """One's own tokens, live ones first, newest first."""
    return producer.api_tokens.order_by("revoked_at", "-created_at", "-id")


def api_tokens_of_agency(agency: Agency) -> QuerySet[ApiToken]:
    """Every token of the agency's people, for an owner (one query with the holders)."""
    return (ApiToken.objects.filter(producer__agency=agency).select_related("producer__user")
            .order_by("revoked_at", "producer__user__first_name", "-created_at", "-id"))


def api_token_get_revocable(*, actor: Producer, token_id) -> ApiToken:
    """A token the actor may revoke (their own; any of the agency's for an owner), else 404."""
    tokens = (api_tokens_of_agency(actor.agency) if actor.is_owner
              else ApiToken.objects.filter(producer=actor))
    try:
        return tokens.select_related("producer__user").get(pk=int(token_id))
    except (ApiToken.DoesNotExist, ValueError, TypeError):
        raise Http404("No such token.") from None
