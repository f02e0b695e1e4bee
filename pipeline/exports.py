"""CSV exports of the pipeline (prospects, activities, the stage ledger), streamed: rows are
read with `.iterator()` and written a line at a time, never built in memory, so an agency's
whole history downloads in constant memory. Scoped like every read: a producer exports their
own rows, a leader their team's, an owner the agency's (`producers_visible_to`).

The weekly scorecards' export is accountability/scorecards/exports.py, which uses these
helpers: the pipeline cannot import accountability."""

import csv
import datetime as dt
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse

from salesculture.models import Agency, Producer
from salesculture.selectors import person_name, producers_visible_to

from .models import Activity, Prospect, StageAdvance

# A spreadsheet runs a cell that starts with one of these as a formula: a prospect named
# "=HYPERLINK(...)" would act when the file is opened (CSV injection). Such a cell is written
# with a leading apostrophe, which spreadsheets show as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000


def cell_safe(value) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Line:
    """A file-like object that hands back what csv.writer writes to it."""

    def write(self, text: str) -> str:
        return text


def csv_lines(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    writer = csv.writer(_Line())
    # A byte-order mark, so Excel opens the UTF-8 file with its accents intact.
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow([cell_safe(value) for value in row])


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]):
    response = StreamingHttpResponse(csv_lines(header, rows),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def period_bounds(agency: Agency, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """From the start of `start` to the end of `end`, in the agency's time zone."""
    tz = agency.tz
    return (dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


def _visible(actor: Producer):
    return producers_visible_to(actor).values("pk")


PROSPECT_HEADER = ["Name", "Owner email", "Stage", "Line of business", "Estimated revenue",
                   "Source", "Next step", "Next step due", "External id", "Owner",
                   "Lost reason", "Created", "Updated",
                   # The insurance details, named as the import reads them (issue 15).
                   "Household or business", "Contact name", "Phone", "Email",
                   "Current carrier", "Current premium", "Premium", "X-date"]


def prospect_rows(actor: Producer) -> Iterator[list]:
    """The prospects as they are now, in the columns the prospect import reads (an export
    imports back as it is)."""
    tz, lines = actor.agency.tz, dict(Prospect.LineOfBusiness.choices)
    kinds = dict(Prospect.ClientType.choices)
    rows = (Prospect.objects.filter(agency=actor.agency, owner__in=_visible(actor))
            .order_by("pk").values_list(
                "name", "owner__user__email", "stage__name", "line_of_business",
                "estimated_revenue", "source", "next_step", "next_step_due", "external_id",
                "owner__user__first_name", "owner__user__last_name", "owner__user__username",
                "lost_reason", "created_at", "updated_at", "client_type", "contact_name",
                "phone", "email", "current_carrier", "current_premium", "premium", "x_date"))
    for (name, email, stage, line, revenue, source, step, due, external, first, last, username,
         lost, created, updated, kind, contact, phone, contact_email, carrier, current_premium,
         premium, x_date) in rows.iterator(chunk_size=CHUNK):
        yield [name, email, stage, lines.get(line, line), revenue, source, step,
               due.isoformat() if due else "", external or "", person_name(first, last, username),
               lost, created.astimezone(tz).isoformat(timespec="seconds"),
               updated.astimezone(tz).isoformat(timespec="seconds"), kinds.get(kind, kind),
               contact, phone, contact_email, carrier, _blank(current_premium),
               _blank(premium), x_date.isoformat() if x_date else ""]


def _blank(value) -> object:
    return "" if value is None else value


ACTIVITY_HEADER = ["Date", "Producer email", "Type", "Quantity", "Prospect external id",
                   "Note", "Producer", "Prospect", "Outcome", "Time"]


def activity_rows(actor: Producer, start: dt.date, end: dt.date) -> Iterator[list]:
    tz, outcomes = actor.agency.tz, dict(Activity.Outcome.choices)
    since, until = period_bounds(actor.agency, start, end)
    rows = (Activity.objects.filter(agency=actor.agency, producer__in=_visible(actor),
                                    occurred_at__gte=since, occurred_at__lt=until)
            .order_by("occurred_at", "pk").values_list(
                "occurred_at", "producer__user__email", "activity_type__name", "quantity",
                "prospect__external_id", "note", "producer__user__first_name",
                "producer__user__last_name", "producer__user__username", "prospect__name",
                "outcome"))
    for (when, email, kind, quantity, external, note, first, last, username, prospect,
         outcome) in rows.iterator(chunk_size=CHUNK):
        local = when.astimezone(tz)
        yield [local.date().isoformat(), email, kind, quantity, external or "", note,
               person_name(first, last, username), prospect or "", outcomes.get(outcome, "")
               if outcome else "", local.strftime("%H:%M")]


LEDGER_HEADER = ["When", "Producer email", "Producer", "Prospect", "Prospect external id",
                 "From stage", "To stage", "Stage wins", "Source", "Lost reason", "Note"]


def ledger_rows(actor: Producer, start: dt.date, end: dt.date) -> Iterator[list]:
    """Every stage advance of the period: the ledger as it is, imported rows marked."""
    tz, sources = actor.agency.tz, dict(StageAdvance.Source.choices)
    since, until = period_bounds(actor.agency, start, end)
    rows = (StageAdvance.objects.filter(agency=actor.agency, producer__in=_visible(actor),
                                        occurred_at__gte=since, occurred_at__lt=until)
            .order_by("occurred_at", "pk").values_list(
                "occurred_at", "producer__user__email", "producer__user__first_name",
                "producer__user__last_name", "producer__user__username", "prospect__name",
                "prospect__external_id", "from_stage__name", "to_stage__name", "wins", "source",
                "lost_reason", "note"))
    for (when, email, first, last, username, prospect, external, from_stage, to_stage, wins,
         source, lost, note) in rows.iterator(chunk_size=CHUNK):
        yield [when.astimezone(tz).isoformat(timespec="seconds"), email,
               person_name(first, last, username), prospect, external or "", from_stage or "",
               to_stage, wins, sources.get(source, source), lost, note]
