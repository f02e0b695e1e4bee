"""The X-date window (pipeline/xdates.py): opens 60 days before the X-date, holds to the X-date,
marked at 60, 45 and 30 days; "acted" is a next step due inside it. Today is the agency's day,
across its zone and daylight-saving changes."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from pipeline.selectors import xdates_coming
from pipeline.services import prospect_create
from pipeline.xdates import agency_today, xdate_mark, xdate_needs_follow_up, xdate_window
from tests.factories import ProducerFactory, stage

UTC = dt.UTC
TODAY = dt.date(2027, 1, 10)


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


@pytest.mark.parametrize(("away", "mark"), [
    (61, None), (60, 60), (46, 60), (45, 45), (31, 45), (30, 30), (1, 30), (0, 30), (-1, None)])
def test_the_window_opens_at_60_days_and_is_marked_at_60_45_and_30(away, mark):
    assert xdate_mark(days(away), TODAY) == mark
    assert xdate_window(days(away)).is_open(TODAY) is (mark is not None)


def test_the_window_runs_from_60_days_before_to_the_x_date_itself():
    window = xdate_window(dt.date(2027, 3, 1))
    assert (window.opens, window.closes) == (dt.date(2026, 12, 31), dt.date(2027, 3, 1))


@pytest.fixture
def producer(db):
    return ProducerFactory()


def renewing(producer, name, x_date, due=None, step="Call", stage_name="Lead"):
    return prospect_create(owner=producer, name=name, stage=stage(producer.agency, stage_name),
                           next_step=step if due else "", next_step_due=due,
                           occurred_at=dt.datetime(2027, 1, 1, 12, tzinfo=UTC),
                           details={"x_date": x_date})


@pytest.mark.parametrize(("due_in", "acted"), [
    (None, False),   # no next step at all
    (5, True),       # due well before the X-date
    (45, True),      # due on the X-date: still inside the window
    (46, False),     # due the day after: the policy has renewed by then
    (-3, True),      # overdue, but inside the window: it is on the overdue list already
    (-20, False),    # due before the window opened: about something else
])
def test_has_acted_means_a_next_step_due_inside_the_window(producer, due_in, acted):
    prospect = renewing(producer, "Ava Hart", days(45))
    prospect.next_step, prospect.next_step_due = "Call", (days(due_in) if due_in is not None
                                                          else None)
    assert xdate_needs_follow_up(prospect, TODAY) is not acted


def test_my_x_dates_coming_are_the_ones_at_60_45_and_30_days_with_nobody_acting(producer):
    renewing(producer, "Sixty", days(60))
    renewing(producer, "Forty-five", days(45), due=days(50))  # next step after the X-date
    renewing(producer, "Thirty", days(30))
    renewing(producer, "Acted on", days(30), due=days(10))
    renewing(producer, "Too far", days(61))
    renewing(producer, "Renewed", days(-1))
    renewing(producer, "Bound", days(30), stage_name="Bound")
    renewing(ProducerFactory(agency=producer.agency), "A colleague's", days(30))
    rows = xdates_coming(producer, today=TODAY)
    assert [(p.name, p.x_days, p.x_mark) for p in rows] == [
        ("Thirty", 30, 30), ("Forty-five", 45, 45), ("Sixty", 60, 60)]


CHICAGO = ZoneInfo("America/Chicago")


@pytest.mark.parametrize("local", [
    # The evening before spring forward (CST, UTC-6): UTC is already on the next day.
    dt.datetime(2027, 3, 13, 23, 30, tzinfo=CHICAGO),
    # The evening of spring forward (CDT, UTC-5).
    dt.datetime(2027, 3, 14, 22, 30, tzinfo=CHICAGO),
    # The evening before fall back (CDT) and the evening of it (CST).
    dt.datetime(2026, 10, 31, 23, 30, tzinfo=CHICAGO),
    dt.datetime(2026, 11, 1, 23, 30, tzinfo=CHICAGO),
    # Just after midnight, local (CDT): UTC is the same day, five hours on.
    dt.datetime(2027, 3, 15, 0, 15, tzinfo=CHICAGO),
])
def test_today_is_the_agencys_day_across_daylight_saving(producer, local):
    agency = producer.agency
    now = local.astimezone(UTC)
    today = agency_today(agency, now)
    assert today == local.date()
    if local.hour >= 18:
        assert now.date() == local.date() + dt.timedelta(days=1)  # the server's day differs
    for away, mark in ((60, 60), (45, 45), (30, 30), (61, None)):
        x_date = local.date() + dt.timedelta(days=away)
        assert xdate_mark(x_date, today) == mark, (away, local)
    # 61 days away on the agency's wall clock is 60 by the server's date: not open yet.
    prospect = renewing(producer, "Edge", local.date() + dt.timedelta(days=61))
    assert not xdate_needs_follow_up(prospect, today)
    assert xdate_needs_follow_up(prospect, now.date()) is (now.date() != today)
    assert [p.name for p in xdates_coming(producer, today=today)] == []
