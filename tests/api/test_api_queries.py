"""The API's reads cost the same number of queries however much data there is, as the pages'
do: each is run with a little and with ten times as much."""

import pytest
from django.utils import timezone

from accountability.models import WeeklyScorecard
from salesculture.weeks import Week
from tests.factories import (
    ActivityFactory,
    CommitmentFactory,
    ProducerFactory,
    ProspectFactory,
    StageAdvanceFactory,
    activity_type,
    stage,
)
from tests.queries import queries_of


def _grow(agency, producer, team, n: int, *, weeks_back: int = 1) -> None:
    """n more of everything the lists read, for the producer and for n colleagues of the team."""
    this_week = Week.current(agency)
    for i in range(n):
        colleague = ProducerFactory(agency=agency, team=team)
        for person in (producer, colleague):
            prospect = ProspectFactory(owner=person)
            StageAdvanceFactory(prospect=prospect, to_stage=stage(agency, "Appointment set"))
            ActivityFactory(producer=person, activity_type=activity_type(agency, "Email"))
            WeeklyScorecard.objects.create(
                agency=agency, producer=person, week_start=this_week.shift(-i - weeks_back).start,
                computed_at=timezone.now(), wins=i)
        CommitmentFactory(producer=producer, week_start=this_week.start, kind="specific",
                          text=f"Promise {i}")


@pytest.mark.parametrize("path", [
    "/stages", "/activity-types", "/activities", "/prospects", "/week", "/scorecards", "/wins",
    "/team-scorecard",
])
def test_list_reads_do_not_grow_with_the_data(api_as, agency, team, producer, leader, path):
    api = api_as(leader if path == "/team-scorecard" else producer)
    _grow(agency, producer, team, 2)
    # The token's first call of a minute notes its use (one more write); count after that.
    api.get(path)
    small = queries_of(api.get, path)
    _grow(agency, producer, team, 20, weeks_back=3)
    large = queries_of(api.get, path)
    assert small == large
    assert large.count <= 8
