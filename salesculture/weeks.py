"""Weeks run Monday–Sunday in the agency's own time zone; a week is named by its Monday."""

import datetime as dt

from django.utils import timezone

from .models import Agency


def week_start_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def local_now(agency: Agency) -> dt.datetime:
    return timezone.now().astimezone(agency.tz)


def current_week(agency: Agency) -> dt.date:
    return week_start_of(local_now(agency).date())


def week_of(agency: Agency, moment: dt.datetime) -> dt.date:
    return week_start_of(moment.astimezone(agency.tz).date())


def week_bounds(agency: Agency, week_start: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Aware [start, end) of the week; correct across daylight-saving changes."""
    tz = agency.tz
    start = dt.datetime.combine(week_start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(week_start + dt.timedelta(days=7), dt.time.min, tzinfo=tz)
    return start, end


def parse_week(value: str | None) -> dt.date | None:
    """A week parameter as YYYY-MM-DD (any day of the week); None when absent.

    Raises ValueError with a message for the user when the value is malformed.
    """
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"“{value}” is not a week. Use a date like 2026-11-23.") from None
    return week_start_of(day)
