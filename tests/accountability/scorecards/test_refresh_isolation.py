"""Issue 11 #1: one producer's data can never stop the agency's scorecards. A goal of $0.01
(stored before the goal range, bypassing the form) once made coverage overflow numeric(8,2)
and every refresh of the agency-week failed on PostgreSQL; a colleague's card then stayed at
105 activities while the ledger had 108."""

import logging
from decimal import Decimal

from accountability.models import Commitment, WeeklyScorecard
from accountability.scorecards import refresh
from accountability.scorecards.refresh import scorecards_refresh
from salesculture.models import Agency, Producer
from salesculture.weeks import Week
from tests.factories import (
    ActivityFactory,
    CommitmentFactory,
    ProducerFactory,
    ProspectFactory,
    StageAdvanceFactory,
    stage,
)

COVERAGE_MAX = Decimal("999999.99")  # WeeklyScorecard.coverage is numeric(8,2)


def card_of(producer) -> WeeklyScorecard:
    return WeeklyScorecard.objects.get(producer=producer, week_start=Week.current(
        producer.agency).start)


def test_a_tiny_goal_no_longer_stops_a_colleagues_card(agency, team, producer):
    # given a colleague whose card counts 3 activities, and a producer with open pipeline
    week = Week.current(agency).start
    colleague = ProducerFactory(agency=agency, team=team, user__first_name="Cora")
    ActivityFactory(producer=colleague, quantity=3)
    prospect = ProspectFactory(owner=producer, estimated_revenue=Decimal("50000"))
    StageAdvanceFactory(prospect=prospect, from_stage=None, to_stage=stage(agency, "Lead"))
    scorecards_refresh(agency=agency, week_start=week)
    assert card_of(colleague).activities_total == 3
    # when the producer's goal becomes $0.01 behind the form's back and the colleague logs more
    Producer.objects.filter(pk=producer.pk).update(annual_goal=Decimal("0.01"))
    ActivityFactory(producer=colleague, quantity=2)
    version = Agency.objects.get(pk=agency.pk).live_version
    scorecards_refresh(agency=agency, week_start=week)

    # then the colleague's card counts all 5, and the ratio is held to what its column stores
    # (50,000 ÷ (0.01 / 4) would be 20,000,000)
    assert card_of(colleague).activities_total == 5
    assert card_of(producer).coverage == COVERAGE_MAX
    assert card_of(producer).pipeline_open_value == Decimal("50000")
    assert Agency.objects.get(pk=agency.pk).live_version > version


def test_no_goal_means_no_coverage(agency, producer):
    Producer.objects.filter(pk=producer.pk).update(annual_goal=Decimal("0"))
    prospect = ProspectFactory(owner=producer, estimated_revenue=Decimal("50000"))
    StageAdvanceFactory(prospect=prospect, from_stage=None, to_stage=stage(agency, "Lead"))

    scorecards_refresh(agency=agency, week_start=Week.current(agency).start)

    assert card_of(producer).coverage is None
    assert card_of(producer).pipeline_open_value == Decimal("50000")


def test_a_card_that_cannot_be_computed_is_skipped_and_logged(agency, team, producer,
                                                             monkeypatch, caplog):
    # given both producers have a stored card, and the producer a commitment for the week
    week = Week.current(agency).start
    colleague = ProducerFactory(agency=agency, team=team, user__first_name="Cora")
    ActivityFactory(producer=producer, quantity=4)
    ActivityFactory(producer=colleague, quantity=1)
    promise = CommitmentFactory(producer=producer, week_start=week, target=4)
    scorecards_refresh(agency=agency, week_start=week)
    ActivityFactory(producer=producer, quantity=6)
    ActivityFactory(producer=colleague, quantity=6)
    # when computing the producer's card fails (and only theirs)
    coverage = refresh._coverage

    def broken_for_producer(snapshot, pid, open_value):
        if pid == producer.pk:
            raise ArithmeticError("bad data")
        return coverage(snapshot, pid, open_value)

    monkeypatch.setattr(refresh, "_coverage", broken_for_producer)
    with caplog.at_level(logging.ERROR, logger="accountability.scorecards.refresh"):
        scorecards_refresh(agency=agency, week_start=week, final=True)

    # then the colleague's card moves on, the producer's keeps what it had, and the log says who
    assert card_of(colleague).activities_total == 7
    assert card_of(colleague).is_final
    assert (card_of(producer).activities_total, card_of(producer).is_final) == (4, False)
    # a skipped card judges nothing: the producer's commitment is not marked missed
    promise.refresh_from_db()
    assert promise.status == Commitment.Status.OPEN
    [record] = [r for r in caplog.records if r.name == "accountability.scorecards.refresh"]
    assert f"producer {producer.pk} " in record.getMessage()
    assert f"agency {agency.pk}, week of {week}" in record.getMessage()
    assert record.exc_info and isinstance(record.exc_info[1], ArithmeticError)
