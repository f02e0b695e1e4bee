"""rows_upsert writes what bulk_create would: every kind of column a scorecard has comes back
as it went in, a second write updates in place, and the fields not named stay as they were."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accountability.models import WeeklyScorecard
from salesculture.upsert import rows_upsert

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 23)


def _row(producer, **numbers) -> dict:
    return {"agency": producer.agency, "producer_id": producer.pk, "week_start": MONDAY,
            "activity_counts": {"Call": 12, "Quote \"sent\"": 1}, "wins": 3,
            "pipeline_open_value": Decimal("12500.50"), "coverage": None,
            "confidence": Decimal("3.67"), "is_final": False,
            "computed_at": dt.datetime(2026, 11, 27, 16, 5, 9, 123456, tzinfo=dt.UTC),
            **numbers}


def _write(rows):
    rows_upsert(WeeklyScorecard, rows, unique_fields=["producer", "week_start"],
                update_fields=["activity_counts", "wins", "pipeline_open_value", "confidence",
                               "computed_at"])


def test_a_new_row_reads_back_as_written(producer):
    _write([_row(producer)])
    card = WeeklyScorecard.objects.get(producer=producer, week_start=MONDAY)
    assert card.agency_id == producer.agency_id
    assert card.activity_counts == {"Call": 12, "Quote \"sent\"": 1}
    assert (card.wins, card.pipeline_open_value, card.coverage, card.confidence) == (
        3, Decimal("12500.50"), None, Decimal("3.67"))
    assert card.computed_at == dt.datetime(2026, 11, 27, 16, 5, 9, 123456, tzinfo=dt.UTC)
    assert card.is_final is False


def test_a_second_write_updates_the_named_fields_in_place(producer, other_producer):
    _write([_row(producer)])
    first = WeeklyScorecard.objects.get(producer=producer).pk
    _write([_row(producer, wins=5, activity_counts={}, is_final=True,
                 computed_at=timezone.now()),
            _row(other_producer, agency=other_producer.agency, wins=1)])
    card = WeeklyScorecard.objects.get(producer=producer)
    assert (card.pk, card.wins, card.activity_counts) == (first, 5, {})
    assert card.is_final is False  # not among the fields to update
    assert WeeklyScorecard.objects.get(producer=other_producer).wins == 1


def test_nothing_to_write_runs_nothing(producer, django_assert_num_queries):
    with django_assert_num_queries(0):
        _write([])
