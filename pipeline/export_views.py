"""The export page and its CSV downloads. Everyone may export what they may see: a producer
their own rows, a leader their team's, an owner the agency's (pipeline/exports.py)."""

import datetime as dt

from django.shortcuts import render

from salesculture.access import producer_required
from salesculture.weeks import Week, local_now

from .exports import (
    ACTIVITY_HEADER,
    LEDGER_HEADER,
    PROSPECT_HEADER,
    activity_rows,
    csv_response,
    ledger_rows,
    prospect_rows,
)
from .forms import ExportPeriodForm

DEFAULT_WEEKS = 12
# The exports with a period, in the page's order; the scorecards' lives in accountability.
PERIOD_EXPORTS = ("activities", "ledger", "scorecards")


def _initial(agency) -> dict:
    today = local_now(agency).date()
    return {"start": Week.of(agency, today).start - dt.timedelta(weeks=DEFAULT_WEEKS - 1),
            "end": today}


def export_page(request, *, kind: str = "", form: ExportPeriodForm | None = None):
    """The page; with `kind` and `form`, that export's form with its errors (400)."""
    initial = _initial(request.producer.agency)
    forms = {name: form if name == kind and form is not None else
             ExportPeriodForm(initial=initial, prefix=None) for name in PERIOD_EXPORTS}
    return render(request, "pipeline/export.html", {"forms": forms, "invalid": kind},
                  status=400 if form is not None else 200)


@producer_required
def export(request):
    return export_page(request)


@producer_required
def export_prospects(request):
    return csv_response("prospects.csv", PROSPECT_HEADER, prospect_rows(request.producer))


def _period_export(request, kind: str, filename: str, header: list[str], rows):
    form = ExportPeriodForm(request.GET)
    if not form.is_valid():
        return export_page(request, kind=kind, form=form)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    return csv_response(f"{filename}-{start}-to-{end}.csv", header,
                        rows(request.producer, start, end))


@producer_required
def export_activities(request):
    return _period_export(request, "activities", "activities", ACTIVITY_HEADER, activity_rows)


@producer_required
def export_ledger(request):
    return _period_export(request, "ledger", "stage-ledger", LEDGER_HEADER, ledger_rows)
