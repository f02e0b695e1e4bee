import datetime as dt
from unittest import mock

import pytest

from accountability.models import Commitment, WeekClosure, WeeklyScorecard
from accountability.scorecards.rollover import week_due_for_closing
from accountability.tasks import close_finished_weeks
from tests.factories import AgencyFactory, CommitmentFactory, ProducerFactory


def frozen(moment: dt.datetime):
    return mock.patch("django.utils.timezone.now", return_value=moment.astimezone(dt.UTC))


@pytest.mark.parametrize("zone", ["America/Chicago", "Asia/Tokyo"])
@pytest.mark.django_db
def test_last_week_closes_at_monday_0005_local_and_only_once(zone):
    agency = AgencyFactory(time_zone=zone)
    producer = ProducerFactory(agency=agency)
    last_week = dt.date(2026, 11, 16)
    commitment = CommitmentFactory(producer=producer, week_start=last_week, target=5)
    tz = agency.tz

    # One minute before Monday 00:05 in the agency's zone, last week is not yet closed.
    with frozen(dt.datetime(2026, 11, 23, 0, 4, tzinfo=tz)):
        close_finished_weeks()
    assert not WeekClosure.objects.filter(agency=agency, week_start=last_week).exists()

    # At 00:05 it closes; beat firing twice changes nothing the second time.
    with frozen(dt.datetime(2026, 11, 23, 0, 5, tzinfo=tz)):
        assert week_due_for_closing(agency) == last_week
        close_finished_weeks()
        closed_at = WeekClosure.objects.get(agency=agency, week_start=last_week).closed_at
        close_finished_weeks()
    assert WeekClosure.objects.filter(agency=agency, week_start=last_week).count() == 1
    assert WeekClosure.objects.get(agency=agency, week_start=last_week).closed_at == closed_at
    card = WeeklyScorecard.objects.get(producer=producer, week_start=last_week)
    assert card.is_final
    commitment.refresh_from_db()
    assert (commitment.status, commitment.actual) == (Commitment.Status.MISSED, 0)


@pytest.mark.django_db
def test_the_nightly_job_stores_a_plan_for_every_selling_producer_once():
    from accountability.models import GoalPlan
    from accountability.tasks import refresh_goal_plans

    agency = AgencyFactory()
    people = [ProducerFactory(agency=agency) for _ in range(3)]
    ProducerFactory(agency=agency, role="non_producer")
    refresh_goal_plans()
    refresh_goal_plans()
    assert sorted(GoalPlan.objects.values_list("producer", flat=True)) == [p.pk for p in people]
