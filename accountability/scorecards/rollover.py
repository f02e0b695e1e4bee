"""The week rollover: once an agency's week is over, its scorecards are made final and its
commitments judged, exactly once (the `close_week` task then queues the digests)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from salesculture.models import Agency
from salesculture.weeks import Week

from ..models import WeekClosure
from .refresh import scorecards_refresh

# The rollover runs at the week start plus this grace, in the agency's own time zone.
CLOSE_AFTER = dt.timedelta(minutes=5)


def week_due_for_closing(agency: Agency) -> dt.date:
    """Last week's Monday, once the agency's local clock has passed Monday 00:05."""
    now = timezone.now()
    this_week = Week.current(agency, now=now)
    if now < this_week.begins + CLOSE_AFTER:
        this_week = this_week.previous
    return this_week.previous.start


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
    return True
