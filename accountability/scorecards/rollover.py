import datetime as dt

from django.db import transaction
from django.utils import timezone

from salesculture.models import Agency
from salesculture.weeks import Week, local_now

from ..models import WeekClosure
from .refresh import scorecards_refresh

# The rollover runs at the week start plus this grace, in the agency's own time zone.
CLOSE_AFTER = dt.timedelta(minutes=5)


def week_due_for_closing(agency: Agency) -> dt.date | None:
    """Last week's Monday, once the agency's local clock has passed Monday 00:05."""
    this_week = Week.current(agency).start
    now = local_now(agency)
    opens = dt.datetime.combine(this_week, dt.time.min, tzinfo=agency.tz) + CLOSE_AFTER
    if now < opens:
        this_week -= dt.timedelta(weeks=1)
    return this_week - dt.timedelta(weeks=1)


def week_close(*, agency: Agency, week_start: dt.date) -> bool:
    """Finalise a finished week exactly once: final scorecards, commitments judged and
    kept-week celebrations. Returns False if it was already closed (the `close_week` task then
    sends no second round of digests)."""
    with transaction.atomic():
        _, created = WeekClosure.objects.get_or_create(
            agency=agency, week_start=week_start, defaults={"closed_at": timezone.now()})
        if not created:
            return False
        scorecards_refresh(agency=agency, week_start=week_start, final=True)
    return True
