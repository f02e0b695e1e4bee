"""The funnel page reads the weeks the scorecard job stores, never the ledgers: the numbers,
counted by hand, for a person, a team and the agency; and what the job writes."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accountability.models import AgencyFunnelWeek, WeeklyScorecard
from accountability.planning.funnel_weeks import funnel_for
from accountability.scorecards.refresh import scorecards_refresh
from accountability.tasks import refresh_current_weeks
from pipeline.services import prospect_advance, prospect_create
from salesculture.weeks import Week
from tests.accountability.test_funnel import ledger  # noqa: F401 - a fixture
from tests.accountability.test_plan_ledger import journey
from tests.conftest import login
from tests.factories import ProducerFactory, earlier_this_week, stage, where


def _reached(funnel):
    return {s.name: s.reached for s in funnel.steps}


@pytest.fixture
def stored(ledger):  # noqa: F811
    refresh_current_weeks()
    return ledger


def test_person_team_and_agency_read_the_same_hand_counted_funnel(stored, producer, leader,
                                                                   owner):
    for actor, scope in ((producer, "me"), (leader, f"team:{producer.team_id}"),
                         (owner, "agency")):
        _, funnel = funnel_for(actor=actor, scope_key=scope, weeks=26)
        assert [s.reached for s in funnel.steps] == [4, 3, 2, 1, 1, 1, 1], scope
        assert [s.advances_out for s in funnel.steps] == [3, 1, 1, 1, 0, 1, 0], scope
        assert [s.median_days for s in funnel.steps] == [4, 4, 1, 2, None, 1, None], scope
        assert funnel.activities_total == 40
        assert {r.name: r.total for r in funnel.activity_ratios} == {"Call": 30, "Email": 10}


def test_the_page_reads_no_ledger(stored, client, owner):
    login(client, owner)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("accountability:funnel"), {"scope": "agency"})
    assert 'data-stage="Lead" data-reached="4"' in response.content.decode()
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    for ledger_table in ("pipeline_stageadvance", "pipeline_activity", "pipeline_stagewin",
                         "pipeline_prospect"):
        assert f'"{ledger_table}"' not in tables


def test_a_prospect_created_in_a_later_stage_reached_the_stages_before(producer, owner):
    prospect_create(owner=producer, name="Referral", stage=stage(producer.agency, "Contacted"),
                    occurred_at=earlier_this_week(producer.agency, hours=2))
    refresh_current_weeks()
    _, funnel = funnel_for(actor=owner, scope_key="agency", weeks=1)
    assert _reached(funnel)["Lead"] == 1 and _reached(funnel)["Contacted"] == 1
    assert _reached(funnel)["Appointment set"] == 0


def test_an_older_prospect_counts_in_the_week_it_moves_on(producer):
    """A flow: a prospect created weeks ago and moved on this week reaches the new stage in
    this week's funnel (not Lead again), so one week's Contacted can exceed its Lead."""
    old = journey(producer, ["Lead"], timezone.now() - dt.timedelta(weeks=5), name="Old")
    prospect_advance(prospect=old, expected_stage=where(old),
                     to_stage=stage(producer.agency, "Contacted"), actor=producer,
                     occurred_at=timezone.now() - dt.timedelta(minutes=5))
    refresh_current_weeks()
    _, this_week = funnel_for(actor=producer, scope_key="me", weeks=1)
    assert (_reached(this_week)["Lead"], _reached(this_week)["Contacted"]) == (0, 1)
    lead = this_week.steps[0]
    assert lead.advances_out == 1 and lead.median_days == pytest.approx(35, abs=1)
    _, six_weeks = funnel_for(actor=producer, scope_key="me", weeks=6)
    assert (_reached(six_weeks)["Lead"], _reached(six_weeks)["Contacted"]) == (1, 1)


def test_the_agency_week_is_the_sum_of_its_cards_and_a_second_run_writes_nothing(
        stored, producer, agency):
    peer = ProducerFactory(agency=agency, team=producer.team)
    journey(peer, ["Lead", "Contacted"], earlier_this_week(agency, hours=3),
            step=dt.timedelta(seconds=1))
    week = Week.current(agency).start
    scorecards_refresh(agency=agency, week_start=week)
    row = AgencyFunnelWeek.objects.get(agency=agency, week_start=week)
    cards = WeeklyScorecard.objects.filter(agency=agency, week_start=week)
    assert row.funnel["created"] == {
        key: sum(c.funnel.get("created", {}).get(key, 0) for c in cards)
        for key in row.funnel["created"]}
    stamp = row.computed_at
    scorecards_refresh(agency=agency, week_start=week)
    assert AgencyFunnelWeek.objects.get(pk=row.pk).computed_at == stamp


def test_another_agencys_weeks_never_count(stored, owner, other_producer):
    journey(other_producer, ["Lead", "Contacted", "Appointment set"],
            timezone.now() - dt.timedelta(hours=3))
    refresh_current_weeks()
    _, funnel = funnel_for(actor=owner, scope_key="agency", weeks=26)
    assert [s.reached for s in funnel.steps][:3] == [4, 3, 2]
