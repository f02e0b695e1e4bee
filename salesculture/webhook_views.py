"""Settings → Webhooks (owners): register outgoing webhooks and read each one's delivery log."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from .access import owner_required
from .forms import WebhookForm, add_service_errors
from .models import Webhook
from .webhooks import (
    EVENTS,
    deliveries_of,
    webhook_create,
    webhook_delete,
    webhook_get,
    webhooks_of,
)


def _form(data=None) -> WebhookForm:
    return WebhookForm(data, events=EVENTS, formats=Webhook.Format.choices)


@owner_required
@require_http_methods(["GET", "POST"])
def webhooks(request):
    form = _form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            webhook = webhook_create(actor=request.producer, url=data["url"],
                                     events=data["events"], body_format=data["body_format"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Webhook added: {webhook.url}.")
            return redirect("webhook", webhook_id=webhook.pk)
    return render(request, "salesculture/webhooks.html", {
        "form": form, "webhooks": webhooks_of(request.producer.agency), "events": EVENTS},
        status=400 if form.is_bound else 200)


@owner_required
def webhook(request, webhook_id):
    hook = webhook_get(agency=request.producer.agency, webhook_id=webhook_id)
    return render(request, "salesculture/webhook.html", {
        "webhook": hook, "deliveries": deliveries_of(hook),
        "events": [EVENTS[name] for name in hook.events if name in EVENTS]})


@owner_required
@require_POST
def webhook_remove(request, webhook_id):
    hook = webhook_get(agency=request.producer.agency, webhook_id=webhook_id)
    webhook_delete(webhook=hook, actor=request.producer)
    messages.success(request, f"Webhook removed: {hook.url}.")
    return redirect("webhooks")
