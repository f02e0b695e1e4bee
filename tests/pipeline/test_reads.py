"""My week's plain-SQL reads (pipeline/reads.py, commitments_of_weeks_read): they hand back
what the ORM would have — the same values and types, the columns left out deferred, the related
rows already joined — on PostgreSQL and on SQLite alike (the suite runs on either)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accountability.commitments.selectors import (
    commitments_of_week,
    week_ledger,
    week_tally,
)
from accountability.models import Commitment
from pipeline.models import Prospect
from pipeline.reads import LISTED_FIELDS, next_steps_read, next_steps_summary_read
from pipeline.selectors import next_steps_with_summary, xdates_near
from pipeline.services import prospect_delete
from salesculture.weeks import Week
from tests.factories import (
    CommitmentFactory,
    ProspectFactory,
    StageAdvanceFactory,
    activity_type,
    stage,
)

TODAY = dt.date(2026, 12, 1)


def _no_queries(read):
    with CaptureQueriesContext(connection) as seen:
        value = read()
    assert len(seen) == 0, [q["sql"] for q in seen]
    return value


def test_a_listed_prospect_is_what_the_orm_makes_with_its_stage_joined(producer):
    made = ProspectFactory(owner=producer, name="Acme Roofing",
                           x_date=TODAY + dt.timedelta(days=40),
                           current_premium=Decimal("1234.50"), current_carrier="Travelers",
                           next_step="Call", next_step_due=TODAY - dt.timedelta(days=2),
                           stage_entered_at=timezone.now() - dt.timedelta(days=3),
                           email="owner@acme.test")
    [near] = xdates_near(producer, today=TODAY)
    orm = Prospect.objects.get(pk=made.pk)
    for name in LISTED_FIELDS:
        attname = Prospect._meta.get_field(name).attname
        assert getattr(near, attname) == getattr(orm, attname), name
        assert type(getattr(near, attname)) is type(getattr(orm, attname)), name
    assert near.current_premium == Decimal("1234.50") and near.stage_entered_at.tzinfo
    # The columns a listed prospect never shows are left to the ORM, as `.only()` left them.
    assert {"email", "source", "created_at"} <= near.get_deferred_fields()
    assert _no_queries(lambda: (near.stage.name, near.stage.kind)) == ("Lead", "open")


def test_next_steps_count_every_open_prospect_past_the_cap(producer):
    def make(due, where="Lead"):
        return ProspectFactory(owner=producer, next_step_due=due,
                               stage=stage(producer.agency, where))

    for days in (1, 2, 3):
        make(TODAY - dt.timedelta(days=days))
    today_ones = {make(TODAY).pk, make(TODAY).pk}
    make(None)
    make(TODAY + dt.timedelta(days=5))
    make(TODAY - dt.timedelta(days=9), where="Lost")  # not open: neither listed nor counted
    prospect_delete(prospect=make(TODAY), actor=producer)  # gone from every list

    steps, summary = next_steps_with_summary(producer, limit=2, today=TODAY)
    assert {p.pk for p in steps} == today_ones and [p.due_state for p in steps] == ["today"] * 2
    assert summary == {"overdue": 3, "today": 2, "unscheduled": 1, "open": 7}
    assert next_steps_summary_read(producer, today=TODAY).run() == summary
    only_today, _ = next_steps_read(producer, today=TODAY, limit=12, only_today=True).run()
    assert {p.pk for p in only_today} == today_ones
    # Today's alone would count today's alone: the counts of them all are read apart.
    with pytest.raises(ValueError, match="read it apart"):
        next_steps_read(producer, today=TODAY, limit=12, only_today=True, summary=True)


def test_no_open_prospect_counts_nought(producer):
    nought = {"overdue": 0, "today": 0, "unscheduled": 0, "open": 0}
    assert next_steps_with_summary(producer, limit=5, today=TODAY) == ([], nought)
    assert next_steps_summary_read(producer, today=TODAY).run() == nought


def test_a_weeks_commitments_come_with_their_type_stage_and_prospect(producer):
    agency = producer.agency
    gone = ProspectFactory(owner=producer, name="Gone Bakery")
    specific = CommitmentFactory(producer=producer, kind=Commitment.Kind.SPECIFIC,
                                 prospect=gone, due_date=Week.current(agency).start)
    calls = CommitmentFactory(producer=producer, target=12)
    wins = CommitmentFactory(producer=producer, kind=Commitment.Kind.STAGE_WINS,
                             stage=stage(agency, "Appointment set"), target=2)
    prospect_delete(prospect=gone, actor=producer)  # the promise was made all the same

    rows = commitments_of_week(producer, Week.current(agency).start)
    assert [c.pk for c in rows] == [calls.pk, specific.pk, wins.pk]  # by kind, as ever
    named = _no_queries(lambda: [(c.activity_type and c.activity_type.name,
                                  c.stage and c.stage.name, c.prospect and c.prospect.name)
                                 for c in rows])
    assert named == [(activity_type(agency).name, None, None), (None, None, "Gone Bakery"),
                     (None, "Appointment set", None)]
    assert rows[1].due_date == Week.current(agency).start and rows[2].target == 2


def test_the_weeks_wins_name_their_prospect_even_deleted_and_count_stages_skipped(producer):
    agency = producer.agency
    skipped = ProspectFactory(owner=producer, name="Skip Co")
    # Lead → Appointment set wins two stages.
    StageAdvanceFactory(prospect=skipped, to_stage=stage(agency, "Appointment set"))
    gone = ProspectFactory(owner=producer, name="Gone Bakery")
    StageAdvanceFactory(prospect=gone)
    prospect_delete(prospect=gone, actor=producer)

    week = Week.current(agency).start
    ledger = week_ledger(producer, week)
    shown = _no_queries(lambda: [(w.prospect.name, bool(w.prospect.deleted_at), w.to_stage.name,
                                  w.wins) for w in ledger.wins])
    assert sorted(shown) == [("Gone Bakery", True, "Contacted", 1),
                             ("Skip Co", False, "Appointment set", 2)]
    assert ledger.wins_total == 3 == week_tally(producer, week).wins_total
    assert sum(ledger.wins_by_stage.values()) == 3
