"""When a leader is told someone needs attention: the five alert rules, pure (no database).
The alerts selector reads the team's rows in a fixed number of queries and applies these."""

import datetime as dt

CONFIDENCE_DROP = 1.0  # points of the 1–5 check-in average …
CONFIDENCE_SPAN_WEEKS = 3  # … lost over this many weeks
QUIET_WORKING_DAYS = 3  # no activity logged on this many working days (Mon–Fri) in a row
MISSED_WEEKS_IN_A_ROW = 2

CONFIDENCE = "confidence_drop"
MISSED = "missed_weeks"
QUIET = "no_activity"
ROLE_FIT = "role_fit"
FOLLOW_UP = "follow_up_overdue"
# In the order a leader reads them: the person's own word first, then the ledgers.
RULES = {CONFIDENCE: "Confidence dropped", MISSED: "Missed two weeks in a row",
         QUIET: "No activity logged", ROLE_FIT: "Role-fit flag",
         FOLLOW_UP: "One-on-one follow-up overdue"}


def quiet_since(today: dt.date, days: int = QUIET_WORKING_DAYS) -> dt.date:
    """The first of the last `days` working days before `today` (on the agency's calendar):
    someone with no activity since its start has been quiet for `days` working days. Today
    does not count yet: a Monday morning is not a quiet day."""
    day, found = today, 0
    while found < days:
        day -= dt.timedelta(days=1)
        if day.weekday() < 5:
            found += 1
    return day


def confidence_drop(averages: list[tuple[dt.date, float]]) -> tuple[float, float] | None:
    """(from, to) when the check-in average fell by CONFIDENCE_DROP or more between the
    earliest and the latest check-in of the span (weeks in order, oldest first); else None."""
    if len(averages) < 2:
        return None
    first, last = averages[0][1], averages[-1][1]
    return (first, last) if first - last >= CONFIDENCE_DROP - 1e-9 else None
