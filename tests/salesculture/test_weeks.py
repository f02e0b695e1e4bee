"""The Week value object: which week a moment falls in, in the agency's zone, across DST."""

import datetime as dt
import zoneinfo
from types import SimpleNamespace

import pytest

from salesculture.weeks import Week

CHICAGO = SimpleNamespace(tz=zoneinfo.ZoneInfo("America/Chicago"))
TOKYO = SimpleNamespace(tz=zoneinfo.ZoneInfo("Asia/Tokyo"))


def test_a_moment_falls_in_the_week_of_the_agencys_own_clock():
    sunday_night_utc = dt.datetime(2026, 11, 30, 3, 0, tzinfo=dt.UTC)  # Sun 21:00 in Chicago
    assert Week.of(CHICAGO, sunday_night_utc).start == dt.date(2026, 11, 23)
    assert Week.of(TOKYO, sunday_night_utc).start == dt.date(2026, 11, 30)  # Mon 12:00


def test_any_day_names_its_monday_and_weeks_compare_by_monday():
    assert Week(dt.date(2026, 11, 26), CHICAGO.tz).start == dt.date(2026, 11, 23)
    assert Week(dt.date(2026, 11, 23), CHICAGO.tz) == Week(dt.date(2026, 11, 29), TOKYO.tz)
    assert Week(dt.date(2026, 11, 16), CHICAGO.tz) < Week(dt.date(2026, 11, 23), CHICAGO.tz)


def test_a_week_across_a_dst_change_runs_monday_midnight_to_monday_midnight():
    def hours(week):
        begins, ends = week.bounds
        assert (begins.hour, ends.hour) == (0, 0)
        return (ends.astimezone(dt.UTC) - begins.astimezone(dt.UTC)) / dt.timedelta(hours=1)

    assert hours(Week(dt.date(2026, 10, 26), CHICAGO.tz)) == 169  # clocks back on Nov 1
    assert hours(Week(dt.date(2026, 3, 2), CHICAGO.tz)) == 167  # clocks forward on Mar 8
    assert hours(Week(dt.date(2026, 11, 23), CHICAGO.tz)) == 168


def test_the_weeks_around_it():
    week = Week(dt.date(2026, 11, 23), CHICAGO.tz)
    assert week.previous.start == dt.date(2026, 11, 16)
    assert week.next.start == dt.date(2026, 11, 30)
    assert [w.start.day for w in week.trailing(3)] == [9, 16, 23]
    assert Week(dt.date(9999, 12, 27), CHICAGO.tz).shift(1) is None
    assert week.label == "Nov 23" and str(week) == "2026-11-23"


def test_a_week_parameter_is_parsed_or_refused_with_a_message():
    assert Week.parse(CHICAGO, "2026-11-26").start == dt.date(2026, 11, 23)
    assert Week.parse(CHICAGO, "") is None
    with pytest.raises(ValueError, match="is not a week. Use a date like 2026-11-23."):
        Week.parse(CHICAGO, "next tuesday")
