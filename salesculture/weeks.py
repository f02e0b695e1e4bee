"""Weeks run Monday–Sunday in the agency's own time zone; a week is named by its Monday.

`Week` is the one way the code speaks of a week: which week a moment falls in, where it
begins and ends (aware, correct across daylight-saving changes), and the weeks around it.
Whether a commitment's week has started is a commitment rule (commitments/rules.py).
Rows store the Monday (`week_start`); `Week(...).start` is that date.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from django.utils import timezone

from .models import Agency

ONE_WEEK = dt.timedelta(weeks=1)


def local_now(agency: Agency) -> dt.datetime:
    """Now on the agency's wall clock."""
    return timezone.now().astimezone(agency.tz)


@dataclass(frozen=True, order=True)
class Week:
    start: dt.date  # the Monday; any other day given is moved back to its Monday
    # Weeks are named by their Monday: the zone places them in time but does not tell them apart.
    tz: zoneinfo.ZoneInfo = field(compare=False)

    def __post_init__(self) -> None:
        if self.start.weekday() != 0:
            object.__setattr__(self, "start", self.start - dt.timedelta(days=self.start.weekday()))

    # --- which week ----------------------------------------------------------------------

    @classmethod
    def of(cls, agency: Agency, when: dt.date | dt.datetime) -> Week:
        """The week a day, or an aware moment on the agency's clock, falls in."""
        if isinstance(when, dt.datetime):
            when = when.astimezone(agency.tz).date()
        return cls(when, agency.tz)

    @classmethod
    def current(cls, agency: Agency, *, now: dt.datetime | None = None) -> Week:
        return cls.of(agency, now or timezone.now())

    @classmethod
    def parse(cls, agency: Agency, value: str | None) -> Week | None:
        """A week parameter as YYYY-MM-DD (any day of the week); None when absent.

        Raises ValueError with a message for the user when the value is malformed.
        """
        if not value:
            return None
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"“{value}” is not a week. Use a date like 2026-11-23.") from None
        return cls.of(agency, day)

    # --- where it lies -------------------------------------------------------------------

    @property
    def begins(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=self.tz)

    @property
    def ends(self) -> dt.datetime:
        """The first moment after the week (next Monday 00:00), exclusive."""
        return dt.datetime.combine(self.start + ONE_WEEK, dt.time.min, tzinfo=self.tz)

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """Aware [begins, ends) of the week."""
        return self.begins, self.ends

    # --- the weeks around it -------------------------------------------------------------

    def shift(self, weeks: int) -> Week | None:
        """The week `weeks` later (earlier when negative); None past the calendar's ends."""
        try:
            return Week(self.start + dt.timedelta(weeks=weeks), self.tz)
        except OverflowError:
            return None

    @property
    def previous(self) -> Week:
        return Week(self.start - ONE_WEEK, self.tz)

    @property
    def next(self) -> Week:
        return Week(self.start + ONE_WEEK, self.tz)

    def trailing(self, count: int) -> list[Week]:
        """The `count` weeks ending with this one, oldest first."""
        return [Week(self.start - dt.timedelta(weeks=n), self.tz)
                for n in range(count - 1, -1, -1)]

    # --- how it reads --------------------------------------------------------------------

    @property
    def label(self) -> str:
        """“Nov 23”, as the pages name a week."""
        return f"{self.start:%b} {self.start.day}"

    def isoformat(self) -> str:
        return self.start.isoformat()

    def __str__(self) -> str:
        return self.isoformat()
