"""The lost-reason report's page: leaders (their team) and owners (the agency); anyone else
gets 404, as for every leaders' page."""

import datetime as dt

from django import forms
from django.shortcuts import render

from salesculture.access import leader_required
from salesculture.weeks import local_now

from .forms import DateInput
from .lost_report import MAX_DAYS, lost_report

# By default the report covers the last 13 weeks, today included.
DEFAULT_DAYS = 13 * 7


class PeriodForm(forms.Form):
    start = forms.DateField(label="From", widget=DateInput(), error_messages={
        "required": "Enter the first day, like 2026-09-01.",
        "invalid": "Enter the first day as a date, like 2026-09-01."})
    end = forms.DateField(label="To", widget=DateInput(), error_messages={
        "required": "Enter the last day, like 2026-11-30.",
        "invalid": "Enter the last day as a date, like 2026-11-30."})

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The last day comes on or after the first day.")
            elif (end - start).days + 1 > MAX_DAYS:
                self.add_error("end", f"Choose a period of at most {MAX_DAYS} days.")
        return data


@leader_required
def lost_reasons(request):
    today = local_now(request.agency).date()
    default = {"start": today - dt.timedelta(days=DEFAULT_DAYS - 1), "end": today}
    form = PeriodForm(request.GET if request.GET else None, initial=default)
    report, status = None, 200
    if not request.GET:
        report = lost_report(actor=request.producer, **default)
    elif form.is_valid():
        report = lost_report(actor=request.producer, start=form.cleaned_data["start"],
                             end=form.cleaned_data["end"])
    else:
        status = 400
    return render(request, "pipeline/lost_reasons.html", {
        "form": form, "report": report,
        "scope_label": ("the agency" if request.producer.is_owner else
                        f"team {request.producer.team.name}" if request.producer.team
                        else "you")}, status=status)
