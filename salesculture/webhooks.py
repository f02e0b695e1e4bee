"""Outgoing webhooks: an owner registers a URL for some of the agency's events; each event
becomes one delivery row per webhook, written in the transaction of the change that caused it
and sent after commit by a Celery task (`salesculture.deliver_webhook`) with retries and
backoff.

A delivery is signed: `X-SalesCulture-Signature: sha256=<hex>` is the HMAC-SHA256, keyed by
the webhook's secret, of `<timestamp>.<body>`, with the timestamp (Unix seconds) in
`X-SalesCulture-Timestamp`, so a receiver can refuse a forged or replayed call.

URLs that resolve to private, loopback, link-local or other non-public addresses are refused,
when registered and again at each attempt (a name can be re-pointed), unless the
WEBHOOKS_ALLOW_PRIVATE setting is on (tests, a receiver on the same network).
"""

import datetime as dt
import hashlib
import hmac
import http.client
import ipaddress
import json
import secrets
import socket
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from .audit import audit_record
from .jobs import enqueue_on_commit
from .models import Agency, AuditEvent, Producer, Webhook, WebhookDelivery

EVENTS = {
    "stage.win": "A stage win (a prospect reached a stage for the first time)",
    "celebration": "A celebration: a personal best, a week of every commitment kept, a streak",
    "commitment.judged": "Commitments kept or missed, when a week closes",
    "meeting.ended": "A weekly meeting ended",
}
TIMEOUT_SECONDS = 10
MAX_ATTEMPTS = 5
USER_AGENT = "SalesCulture-Webhooks/1"


# --- the address guard ------------------------------------------------------------------------

def url_refusal(url: str) -> str:
    """Why `url` may not be called ("" when it may): not http(s), a name that does not
    resolve, or an address that is not public (unless WEBHOOKS_ALLOW_PRIVATE)."""
    return url_address(url)[0]


def url_address(url: str) -> tuple[str, str]:
    """(why `url` may not be called, or ""; the address it resolved to, which the call must
    then use: resolving the name again when connecting would let a name re-pointed in between
    reach a private address)."""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return "Enter a full http:// or https:// address.", ""
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return f"{host} does not resolve to an address.", ""
    addresses = [info[4][0].split("%")[0] for info in infos]
    if settings.WEBHOOKS_ALLOW_PRIVATE:
        return "", addresses[0]
    for text in addresses:
        address = ipaddress.ip_address(text)
        if not address.is_global or address.is_multicast:
            return (f"{host} is a private or local address ({address}); webhooks go to "
                    "public addresses only."), ""
    return "", addresses[0]


# --- registering --------------------------------------------------------------------------------

def webhook_create(*, actor: Producer, url: str, events: list[str],
                   body_format: str = Webhook.Format.JSON) -> Webhook:
    if not actor.is_owner:
        raise ValidationError("Only owners add webhooks.")
    errors = {}
    url = (url or "").strip()
    if refusal := url_refusal(url):
        errors["url"] = refusal
    if not events or not set(events) <= set(EVENTS):
        errors["events"] = "Choose at least one of the listed events."
    if body_format not in Webhook.Format.values:
        errors["body_format"] = "Choose one of the listed formats."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        webhook = Webhook.objects.create(agency=actor.agency, url=url, events=sorted(events),
                                         body_format=body_format, created_by=actor,
                                         secret=secrets.token_hex(32))
        audit_record(agency=actor.agency_id, actor=actor, kind=AuditEvent.Kind.WEBHOOK_CREATED,
                     subject=webhook, label=url, changes={"events": [None, webhook.events]})
    return webhook


def webhook_delete(*, webhook: Webhook, actor: Producer) -> None:
    with transaction.atomic():
        audit_record(agency=webhook.agency_id, actor=actor, kind=AuditEvent.Kind.WEBHOOK_DELETED,
                     subject=webhook, label=webhook.url)
        webhook.delete()


def webhooks_of(agency: Agency):
    return Webhook.objects.filter(agency=agency).order_by("created_at", "id")


def webhook_get(*, agency: Agency, webhook_id) -> Webhook:
    try:
        return Webhook.objects.get(agency=agency, pk=int(webhook_id))
    except (Webhook.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such webhook.") from None


def deliveries_of(webhook: Webhook, *, limit: int = 50) -> list[WebhookDelivery]:
    return list(webhook.deliveries.order_by("-created_at", "-id")[:limit])


# --- publishing ---------------------------------------------------------------------------------

def body_for(webhook: Webhook, *, event: str, text: str, data: dict) -> str:
    """The body in the webhook's format: plain JSON with the event's data, or a message a
    Slack or Microsoft Teams incoming webhook posts to its channel as is."""
    if webhook.body_format == Webhook.Format.SLACK:
        body = {"text": text}
    elif webhook.body_format == Webhook.Format.TEAMS:
        body = {"type": "message", "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "content": {"type": "AdaptiveCard", "version": "1.4",
                        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "body": [{"type": "TextBlock", "text": text, "wrap": True}]}}]}
    else:
        body = {"event": event, "agency": webhook.agency_id, "text": text,
                "sent_at": timezone.now().isoformat(), "data": data}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, default=str)


def webhook_event_publish(*, agency_id: int, event: str, text: str, data: dict) -> int:
    """One delivery per webhook of the agency that wants `event`, sent after the caller's
    transaction commits; returns how many. Called inside the transaction of the change."""
    return webhook_events_publish(agency_id=agency_id, event=event, items=[(text, data)])


def webhook_events_publish(*, agency_id: int, event: str, items: list[tuple[str, dict]]) -> int:
    """`webhook_event_publish` for several events of one kind at once (a refresh's
    celebrations): the agency's webhooks are read once."""
    from .tasks import deliver_webhook  # tasks import this module

    hooks = [w for w in Webhook.objects.filter(agency_id=agency_id) if event in w.events]
    for webhook in hooks:
        for text, data in items:
            delivery = WebhookDelivery.objects.create(
                webhook=webhook, event=event, body=body_for(webhook, event=event, text=text,
                                                            data=data))
            enqueue_on_commit(deliver_webhook, delivery.pk)
    return len(hooks) * len(items)


# --- sending ------------------------------------------------------------------------------------

def signature(secret: str, timestamp: int, body: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def webhook_attempt(delivery_id: int) -> str:
    """Send one delivery once and log the attempt; returns its status after it ("" when the
    delivery is gone). RETRYING: it failed and has attempts left."""
    delivery = (WebhookDelivery.objects.select_related("webhook")
                .filter(pk=delivery_id).first())
    if delivery is None:
        return ""
    if delivery.status in (WebhookDelivery.Status.DELIVERED, WebhookDelivery.Status.REFUSED,
                           WebhookDelivery.Status.FAILED):
        return delivery.status  # a duplicate message: each attempt is counted once
    delivery.attempts += 1
    delivery.last_attempt_at = timezone.now()
    refusal, address = url_address(delivery.webhook.url)
    if refusal:
        delivery.status, delivery.error = WebhookDelivery.Status.REFUSED, refusal[:300]
    else:
        code, error = _post(delivery, address)
        delivery.response_code, delivery.error = code, error[:300]
        if code is not None and 200 <= code < 300:
            delivery.status = WebhookDelivery.Status.DELIVERED
        elif delivery.attempts < MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.RETRYING
        else:
            delivery.status = WebhookDelivery.Status.FAILED
    delivery.save()
    return delivery.status


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is not followed (it could lead past the address guard to a private
    address); the 3xx is logged as the answer."""

    def redirect_request(self, *args, **kwargs):
        return None


def _pinned_opener(address: str) -> urllib.request.OpenerDirector:
    """An opener whose connections go to `address`, the one the guard checked, whatever the
    name resolves to by then; HTTPS still checks the certificate against the name. No proxy
    from the environment: the guard vouches for the address it connects to, not a proxy's."""

    def pinned(connection_class):
        def connection(host, **kwargs):
            made = connection_class(host, **kwargs)
            made._create_connection = (  # http.client's own hook for opening the socket
                lambda where, *args, **kw: socket.create_connection((address, where[1]),
                                                                    *args, **kw))
            return made
        return connection

    class Http(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(pinned(http.client.HTTPConnection), req)

    class Https(urllib.request.HTTPSHandler):
        def https_open(self, req):
            return self.do_open(pinned(http.client.HTTPSConnection), req, context=self._context)

    return urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects, Http,
                                       Https)


def _post(delivery: WebhookDelivery, address: str) -> tuple[int | None, str]:
    timestamp = int(time.time())
    request = urllib.request.Request(
        delivery.webhook.url, data=delivery.body.encode(), method="POST", headers={
            "Content-Type": "application/json", "User-Agent": USER_AGENT,
            "X-SalesCulture-Event": delivery.event,
            "X-SalesCulture-Delivery": str(delivery.pk),
            "X-SalesCulture-Timestamp": str(timestamp),
            "X-SalesCulture-Signature": signature(delivery.webhook.secret, timestamp,
                                                  delivery.body)})
    try:
        with _pinned_opener(address).open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code}"
    except (urllib.error.URLError, OSError) as error:
        return None, str(getattr(error, "reason", error))


def retry_after_seconds(attempts: int) -> int:
    """Exponential backoff between attempts: 30 s, 2 min, 8 min, 32 min."""
    return 30 * 4 ** max(attempts - 1, 0)


# A delivery whose next attempt is this late was lost between the database and a worker: its
# message never reached the broker (away at commit), or went down with a worker mid-retry.
SWEEP_GRACE = dt.timedelta(minutes=10)


def deliveries_overdue(now: dt.datetime | None = None) -> list[int]:
    """The deliveries whose next attempt is overdue by SWEEP_GRACE: waiting ones never tried,
    and retrying ones past their backoff. One query; the sweep queues each again (an attempt
    is counted in its row, so a message that was only slow makes no extra attempt)."""
    now = now or timezone.now()
    late = now - SWEEP_GRACE
    rows = WebhookDelivery.objects.filter(
        Q(status=WebhookDelivery.Status.PENDING, created_at__lt=late)
        | Q(status=WebhookDelivery.Status.RETRYING, last_attempt_at__lt=late)
    ).values_list("pk", "status", "attempts", "last_attempt_at")
    return [pk for pk, status, attempts, last in rows
            if status == WebhookDelivery.Status.PENDING
            or last + dt.timedelta(seconds=retry_after_seconds(attempts)) < late]

