"""The X-date follow-up: the one definition of an X-date's window, used by My week ("X-dates
coming"), the board's card mark and the meeting's pipeline health (and, later, the morning list).

An X-date is the day a prospect's current policy renews. The producer's proactive habit is to
reach the prospect before the incumbent carrier renews it:

- **The window** opens `WINDOW_DAYS` (60) days before the X-date and stays open up to and
  including the X-date itself; the day after, the policy has renewed and the window is closed.
- **The marks** 60, 45 and 30 days out are how urgent an open window is: a prospect is "60 days
  out" from 60 to 46 days before, "45 days out" from 45 to 31, "30 days out" from 30 to the X-date.
- **Has acted** means the prospect has a next step due inside the window: on or after the day
  it opened and on or before the X-date. A next step after the X-date comes too late to quote
  before the renewal, and one due before the window opened was about something else; both
  leave the prospect needing a follow-up. An overdue next step inside the window still counts
  as acted (it is on the producer's overdue list already, not forgotten).

"Today" is always the agency's day (`agency_today`), never the server's: a date has no time
zone, so only the day it is compared with does, and daylight-saving changes cannot move it.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q
from django.utils import timezone

from salesculture.models import Agency

WINDOW_DAYS = 60
# How every X-date list is sorted, by the database (names by its collation): soonest first.
ORDER = ("x_date", "name", "pk")
MARKS = (60, 45, 30)  # days before the X-date; each holds until the next one


@dataclass(frozen=True)
class XDateWindow:
    opens: dt.date
    closes: dt.date  # the X-date itself: the last day of the window

    def is_open(self, today: dt.date) -> bool:
        return self.opens <= today <= self.closes

    def holds(self, day: dt.date | None) -> bool:
        return day is not None and self.opens <= day <= self.closes


def agency_today(agency: Agency, now: dt.datetime | None = None) -> dt.date:
    """The date on the agency's wall clock (at `now`, default the current moment)."""
    return (now or timezone.now()).astimezone(agency.tz).date()


def xdate_window(x_date: dt.date) -> XDateWindow:
    return XDateWindow(opens=x_date - dt.timedelta(days=WINDOW_DAYS), closes=x_date)


def xdate_days_away(x_date: dt.date, today: dt.date) -> int:
    return (x_date - today).days


def xdate_mark(x_date: dt.date, today: dt.date) -> int | None:
    """60, 45 or 30: the mark the window has reached; None when the window is not open."""
    days = xdate_days_away(x_date, today)
    if not 0 <= days <= WINDOW_DAYS:
        return None
    return min(mark for mark in MARKS if mark >= days)


def xdate_needs_follow_up(prospect, today: dt.date) -> bool:
    """True when an open prospect's X-date window is open today and it has no next step due
    inside the window (see the module's docstring): the producer should act now."""
    if prospect.x_date is None or prospect.stage.kind != "open":
        return False
    window = xdate_window(prospect.x_date)
    return window.is_open(today) and not window.holds(prospect.next_step_due)


def xdate_candidates(today: dt.date, *, within_days: int = WINDOW_DAYS) -> Q:
    """Open prospects whose X-date is from today to `within_days` ahead (their window is open)
    and whose next step is not plainly inside the window. A superset of the ones needing a
    follow-up, for a query; `xdate_needs_follow_up` decides each row (a next step due before
    today may or may not be inside its window, which depends on the row's X-date)."""
    return (Q(stage__kind="open", x_date__gte=today,
              x_date__lte=today + dt.timedelta(days=within_days))
            & (Q(next_step_due__isnull=True) | Q(next_step_due__lt=today)
               | Q(next_step_due__gt=F("x_date"))))


def xdates_needing_follow_up(prospects, today: dt.date) -> list:
    """The rows of `prospects` (already filtered by `xdate_candidates`, and in `ORDER`) that
    need a follow-up, each with `x_days` (days away) and `x_mark` (60, 45 or 30)."""
    rows = [p for p in prospects if xdate_needs_follow_up(p, today)]
    for p in rows:
        p.x_days = xdate_days_away(p.x_date, today)
        p.x_mark = xdate_mark(p.x_date, today)
    return rows
