"""The scorecard job keeps the stored cards it read between its runs (stored_cards.py) and
sends its reads together (raw.py, `reads_run`): neither may change a number it stores."""

import datetime as dt

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from accountability.models import WeeklyScorecard
from accountability.scorecards.refresh import scorecards_refresh
from salesculture.raw import Read, reads_run, rows_of
from salesculture.weeks import Week
from tests.factories import ActivityFactory, ProducerFactory


@pytest.fixture
def week(agency, producer):
    """This week, three calls logged by the producer and one by a teammate, refreshed twice:
    the second run finds nothing new, and keeps the cards it read."""
    this = Week.current(agency)
    at = min(this.begins + dt.timedelta(hours=1), timezone.now())
    ActivityFactory(producer=producer, occurred_at=at, quantity=3)
    ActivityFactory(producer=ProducerFactory(agency=agency, team=producer.team),
                    occurred_at=at, quantity=1)
    scorecards_refresh(agency=agency, week_start=this.start)
    assert not scorecards_refresh(agency=agency, week_start=this.start).changed_producer_ids
    return this


def _card(producer, week) -> WeeklyScorecard:
    return WeeklyScorecard.objects.get(producer=producer, week_start=week.start)


@pytest.mark.django_db
def test_a_card_written_since_the_last_run_is_read_again_not_taken_as_kept(
        agency, producer, week):
    # Another worker (or a run that was rolled back) left other numbers in the stored card:
    # its stamp changed, so the next run compares with the row, and puts the ledger's back.
    WeeklyScorecard.objects.filter(producer=producer, week_start=week.start).update(
        activities_total=99, computed_at=timezone.now())
    changed = scorecards_refresh(agency=agency, week_start=week.start)
    assert _card(producer, week).activities_total == 3
    assert changed.changed_producer_ids == {producer.pk}


@pytest.mark.django_db
def test_a_refresh_rolled_back_leaves_the_next_one_right(agency, producer, week):
    ActivityFactory(producer=producer, occurred_at=_card(producer, week).computed_at,
                    quantity=2)
    with pytest.raises(RuntimeError), transaction.atomic():
        scorecards_refresh(agency=agency, week_start=week.start)
        assert _card(producer, week).activities_total == 5
        raise RuntimeError("the task's transaction fails after the refresh")
    assert _card(producer, week).activities_total == 3
    changed = scorecards_refresh(agency=agency, week_start=week.start)
    assert _card(producer, week).activities_total == 5
    assert changed.changed_producer_ids == {producer.pk}


@pytest.mark.django_db
def test_runs_at_one_stopped_moment_still_compare_with_the_stored_card(
        agency, producer, monkeypatch):
    """Two writes of a card at the same moment stamp it alike; the run that wrote it does not
    keep what it read before, so the next one reads the row."""
    this = Week.current(agency)
    moment = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: moment)
    at = min(this.begins + dt.timedelta(hours=1), moment)
    ActivityFactory(producer=producer, occurred_at=at, quantity=3)
    scorecards_refresh(agency=agency, week_start=this.start)  # writes 3
    scorecards_refresh(agency=agency, week_start=this.start)  # reads 3, keeps it
    late = ActivityFactory(producer=producer, occurred_at=at, quantity=2)
    scorecards_refresh(agency=agency, week_start=this.start)  # writes 5, stamped alike
    assert _card(producer, this).activities_total == 5
    late.delete()
    scorecards_refresh(agency=agency, week_start=this.start)
    assert _card(producer, this).activities_total == 3


@pytest.mark.django_db
def test_reads_sent_together_bring_what_each_would_alone(agency, producer):
    reads = [Read("SELECT id FROM salesculture_producer WHERE agency_id = %s", [agency.pk],
                  sorted),
             Read("SELECT %s + 1", [41], list)]
    assert reads_run(*reads) == [sorted(rows_of(r.sql, r.params)) for r in reads[:1]] + [[(42,)]]


@pytest.mark.django_db
def test_a_failing_read_sent_with_others_fails_as_a_database_error(agency):
    with pytest.raises(DatabaseError), transaction.atomic():
        reads_run(Read("SELECT 1", [], list), Read("SELECT * FROM no_such_table", [], list))
