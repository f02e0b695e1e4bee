"""Helpers that write small, hand-countable ledgers for the plan, funnel and confidence tests
(and a test that they write what they say)."""

import datetime as dt
from decimal import Decimal

from pipeline.models import StageAdvance
from pipeline.services import prospect_advance, prospect_create
from tests.factories import ActivityFactory, activity_type, stage, where

PATH = ["Lead", "Contacted", "Appointment set", "Discovery done", "Submitted to markets",
        "Proposal presented", "Bound"]


def at(agency, day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=agency.tz)


def journey(producer, stages: list[str], start: dt.datetime, *, revenue: int = 2000,
            step: dt.timedelta = dt.timedelta(hours=1), name: str = "Prospect",
            lost_reason: str = "Price"):
    """Create a prospect in stages[0] at `start`, then move it through the rest, one `step`
    apart. Returns the prospect."""
    agency = producer.agency
    prospect = prospect_create(owner=producer, name=name, stage=stage(agency, stages[0]),
                               estimated_revenue=Decimal(revenue), occurred_at=start)
    moment = start
    for name_ in stages[1:]:
        moment += step
        target = stage(agency, name_)
        prospect_advance(prospect=prospect,
                         expected_stage=where(prospect), to_stage=target, actor=producer,
                         occurred_at=moment,
                         lost_reason=lost_reason if target.is_lost else "")
    return prospect


def calls(producer, quantity: int, when: dt.datetime, type_name: str = "Call"):
    return ActivityFactory(producer=producer, activity_type=activity_type(producer.agency,
                                                                          type_name),
                           quantity=quantity, occurred_at=when)


def test_journey_writes_one_ledger_row_per_move(producer):
    start = at(producer.agency, dt.date(2026, 6, 22))
    prospect = journey(producer, ["Lead", "Contacted", "Lost"], start)
    rows = list(StageAdvance.objects.filter(prospect=prospect)
                .values_list("from_stage__name", "to_stage__name", "is_win"))
    assert rows == [(None, "Lead", False), ("Lead", "Contacted", True),
                    ("Contacted", "Lost", False)]
