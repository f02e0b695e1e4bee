"""The week rollover: once an agency's week is over, its scorecards are made final and its
commitments judged, exactly once (the close task then queues the digests).

Every run closes every finished week that is still open, oldest first, so a week missed while
beat was down is caught up on the next run rather than left open for ever. Only weeks the
agency lived through are closed: from the week it was created in, or from the oldest week its
ledgers record (history imported from before), and never more than a year back.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from pipeline.models import Activity, StageAdvance
from salesculture.models import Agency
from salesculture.webhooks import webhook_event_publish
from salesculture.weeks import Week

from ..models import Commitment, WeekClosure
from .refresh import scorecards_refresh

# The rollover runs at the week start plus this grace, in the agency's own time zone.
CLOSE_AFTER = dt.timedelta(minutes=5)
# How far back a run catches up (a year of missed runs, or of imported history).
CATCH_UP_WEEKS = 52


def week_due_for_closing(agency: Agency) -> dt.date:
    """Last week's Monday, once the agency's local clock has passed Monday 00:05."""
    now = timezone.now()
    this_week = Week.current(agency, now=now)
    if now < this_week.begins + CLOSE_AFTER:
        this_week = this_week.previous
    return this_week.previous.start


def weeks_due_for_closing(agency: Agency) -> list[dt.date]:
    """The Mondays of every finished week still open, oldest first. A week that ended before
    the agency existed is due only when its ledgers record something in it."""
    last = Week(week_due_for_closing(agency), agency.tz)
    horizon = last.shift(-(CATCH_UP_WEEKS - 1))
    first = max(horizon, Week.of(agency, agency.created_at))
    if first > horizon:
        recorded = _oldest_week_recorded(agency, since=horizon, before=first)
        first = min(first, recorded) if recorded else first
    if first > last:
        return []
    closed = set(WeekClosure.objects.filter(
        agency=agency, week_start__gte=first.start, week_start__lte=last.start)
        .values_list("week_start", flat=True))
    weeks = [first.shift(n) for n in range((last.start - first.start).days // 7 + 1)]
    return [w.start for w in weeks if w.start not in closed]


def _oldest_week_recorded(agency: Agency, *, since: Week, before: Week) -> Week | None:
    """The oldest week in [since, before) with an activity, a stage move or a commitment."""
    moments = [
        model.objects.filter(agency=agency, occurred_at__gte=since.begins,
                             occurred_at__lt=before.begins)
        .aggregate(oldest=Min("occurred_at"))["oldest"]
        for model in (Activity, StageAdvance)]
    weeks = [Week.of(agency, m) for m in moments if m is not None]
    monday = Commitment.objects.filter(
        agency=agency, week_start__gte=since.start, week_start__lt=before.start,
    ).aggregate(oldest=Min("week_start"))["oldest"]
    if monday is not None:
        weeks.append(Week(monday, agency.tz))
    return min(weeks, default=None)


def week_close(*, agency: Agency, week_start: dt.date) -> bool:
    """Finalise a finished week exactly once: final scorecards, commitments judged and
    kept-week celebrations. Returns False if it was already closed, so the caller sends no
    second round of digests."""
    with transaction.atomic():
        _, created = WeekClosure.objects.get_or_create(
            agency=agency, week_start=week_start, defaults={"closed_at": timezone.now()})
        if not created:
            return False
        scorecards_refresh(agency=agency, week_start=week_start, final=True)
        _judged_publish(agency, week_start)
    return True


def _judged_publish(agency: Agency, week_start: dt.date) -> None:
    """The week's commitments, kept or missed, to the agency's webhooks: one event a week."""
    judged = list(Commitment.objects.filter(agency=agency, week_start=week_start)
                  .exclude(status=Commitment.Status.OPEN)
                  .select_related("producer__user", "activity_type", "stage")
                  .order_by("producer__user__first_name", "id"))
    if not judged:
        return
    kept = sum(c.status == Commitment.Status.KEPT for c in judged)
    week = Week(week_start, agency.tz)
    webhook_event_publish(
        agency_id=agency.pk, event="commitment.judged",
        text=f"Week of {week.label} closed: {kept} of {len(judged)} commitments kept.",
        data={"week_start": week_start.isoformat(), "kept": kept,
              "missed": len(judged) - kept,
              "commitments": [{"id": c.pk, "producer": {"id": c.producer_id,
                                                        "name": c.producer.name},
                               "commitment": c.describe(), "status": c.status}
                              for c in judged]})


def weeks_close_due(*, agency: Agency) -> list[dt.date]:
    """Close every week due, oldest first (a streak is traced through the weeks before it,
    so they must be final first); returns the weeks this run closed. Each week commits on
    its own: a failure leaves the weeks before it closed and the rest for the next run."""
    return [week_start for week_start in weeks_due_for_closing(agency)
            if week_close(agency=agency, week_start=week_start)]
