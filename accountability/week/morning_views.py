"""Notifications: where a producer asks for the morning list by email, and at what hour."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from salesculture.access import producer_required
from salesculture.forms import add_service_errors

from .morning_mail import producer_morning_list_set


def _hour_label(hour: int) -> str:
    return f"{(hour % 12) or 12}:00 {'am' if hour < 12 else 'pm'}"


class MorningListForm(forms.Form):
    enabled = forms.BooleanField(label="Email me my morning list each working day",
                                 required=False)
    hour = forms.TypedChoiceField(
        label="At", coerce=int, choices=[(h, _hour_label(h)) for h in range(24)],
        error_messages={"invalid_choice": "Choose an hour from the list.",
                        "required": "Choose an hour from the list."})


@producer_required
@require_http_methods(["GET", "POST"])
def morning_settings(request):
    producer = request.producer
    form = MorningListForm(request.POST if request.method == "POST" else None, initial={
        "enabled": producer.morning_list_enabled, "hour": producer.morning_list_hour})
    if form.is_valid():
        try:
            producer_morning_list_set(producer=producer, **form.cleaned_data)
        except ValidationError as error:
            producer.refresh_from_db()
            add_service_errors(form, error)
        else:
            state = "on" if producer.morning_list_enabled else "off"
            messages.success(request, f"Morning list email turned {state}.")
            return redirect("accountability:morning_settings")
    return render(request, "accountability/week/notifications.html",
                  {"form": form, "producer": producer}, status=400 if form.is_bound else 200)
