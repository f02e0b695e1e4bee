"""Thin Celery tasks of the base app: ids in, a service call, quiet when the row is gone."""

from celery import shared_task

from .models import WebhookDelivery
from .webhooks import deliveries_overdue, retry_after_seconds, webhook_attempt


@shared_task(name="salesculture.deliver_webhook", soft_time_limit=30, time_limit=60)
def deliver_webhook(delivery_id: int) -> str:
    """One attempt at a delivery; after a failure the next attempt is queued with exponential
    backoff, until MAX_ATTEMPTS in all. The attempts are counted in the delivery row, not in
    the message, so a message delivered twice never makes an extra attempt."""
    status = webhook_attempt(delivery_id)
    if status == WebhookDelivery.Status.RETRYING:
        attempts = WebhookDelivery.objects.values_list("attempts", flat=True).get(pk=delivery_id)
        deliver_webhook.apply_async(args=[delivery_id], countdown=retry_after_seconds(attempts))
    return status


@shared_task(name="salesculture.sweep_webhook_deliveries")
def sweep_webhook_deliveries() -> int:
    """Beat: queue again every delivery whose next attempt is long overdue (its message was
    lost); returns how many."""
    overdue = deliveries_overdue()
    for delivery_id in overdue:
        deliver_webhook.delay(delivery_id)
    return len(overdue)

