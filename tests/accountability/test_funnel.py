"""The funnel, counted by hand on small ledgers: as the plan reads it from the ledgers
(funnel_compute) and as the funnel page reads it from the stored weeks (funnel_weeks)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.planning.funnel import funnel_compute, parse_weeks, period_bounds
from accountability.tasks import refresh_current_weeks
from pipeline.services import prospect_advance
from salesculture.models import Producer
from tests.accountability.test_plan_ledger import calls, journey
from tests.conftest import login
from tests.factories import ProducerFactory, TeamFactory, stage, where
from tests.queries import queries_of

DAY = dt.timedelta(days=1)


@pytest.fixture
def ledger(producer):
    """Four prospects of `producer`, all moves within the last three weeks:

    A: Lead → Contacted (+2d) → Appointment set (+4d) → Lost (+1d)
    B: Lead → Contacted (+4d), still there
    C: Lead → Discovery done (+8d, skipping two stages) → Proposal presented (+2d) → Bound (+1d)
    D: Lead, still there
    and 30 calls and 10 emails.
    """
    t0 = timezone.now() - dt.timedelta(days=20)
    a = journey(producer, ["Lead"], t0, name="A")
    b = journey(producer, ["Lead"], t0, name="B")
    c = journey(producer, ["Lead"], t0, name="C")
    journey(producer, ["Lead"], t0, name="D")
    def move(prospect, name, when, **extra):
        prospect_advance(prospect=prospect,
                         expected_stage=where(prospect), to_stage=stage(producer.agency, name),
                         actor=producer, occurred_at=when, **extra)

    move(a, "Contacted", t0 + 2 * DAY)
    move(a, "Appointment set", t0 + 6 * DAY)
    move(a, "Lost", t0 + 7 * DAY, lost_reason="Price")
    move(b, "Contacted", t0 + 4 * DAY)
    move(c, "Discovery done", t0 + 8 * DAY)
    move(c, "Proposal presented", t0 + 10 * DAY)
    move(c, "Bound", t0 + 11 * DAY)
    calls(producer, 30, t0 + DAY)
    calls(producer, 10, t0 + DAY, type_name="Email")
    return t0


@pytest.fixture
def stored(ledger):
    """The ledger, with the weeks it touched recomputed by the scorecard job (the outbox
    drained, as the safety refresh does), which is all the funnel page reads."""
    refresh_current_weeks()
    return ledger


def _funnel(agency, producers=None, weeks=26):
    start, end = period_bounds(agency, weeks)
    return funnel_compute(agency=agency, start=start, end=end, producers=producers,
                          weeks=weeks)


def test_reached_counts_conversions_and_drop_off_by_hand(ledger, producer):
    funnel = _funnel(producer.agency, Producer.objects.filter(pk=producer.pk))
    steps = {s.name: s for s in funnel.steps}
    # Lost is not on the path; a skip counts the stages skipped over as reached.
    assert [s.name for s in funnel.steps] == ["Lead", "Contacted", "Appointment set",
                                              "Discovery done", "Submitted to markets",
                                              "Proposal presented", "Bound"]
    assert [s.reached for s in funnel.steps] == [4, 3, 2, 1, 1, 1, 1]
    assert steps["Lead"].conversion == pytest.approx(3 / 4)
    assert steps["Lead"].drop_off == pytest.approx(1 / 4)
    assert steps["Contacted"].conversion == pytest.approx(2 / 3)
    assert steps["Appointment set"].conversion == pytest.approx(1 / 2)
    assert steps["Discovery done"].conversion == 1
    assert steps["Bound"].conversion is None
    # Advances out: every ledger row leaving the stage (forward, lost or skipping).
    assert [s.advances_out for s in funnel.steps] == [3, 1, 1, 1, 0, 1, 0]
    assert [round(s.width) for s in funnel.steps] == [100, 75, 50, 25, 25, 25, 25]
    # Entered: the stage wins of each stage, as scorecards count them (a creation is no win;
    # a skip wins every stage it passes: C's skips win Contacted, Appointment set and
    # Submitted to markets too).
    assert [s.entered for s in funnel.steps] == [0, 3, 2, 1, 1, 1, 1]
    assert steps["Contacted"].win_share == pytest.approx(1)


def test_median_time_in_stage_by_hand(ledger, producer):
    funnel = _funnel(producer.agency, Producer.objects.filter(pk=producer.pk))
    steps = {s.name: s for s in funnel.steps}
    # Lead stays: A 2 days, B 4 days, C 8 days (D is still there: not counted).
    assert (steps["Lead"].median_days, steps["Lead"].stays) == (pytest.approx(4), 3)
    assert steps["Contacted"].median_days == pytest.approx(4)  # A; B still there
    assert steps["Appointment set"].median_days == pytest.approx(1)
    assert steps["Discovery done"].median_days == pytest.approx(2)
    assert steps["Submitted to markets"].median_days is None
    assert steps["Proposal presented"].median_days == pytest.approx(1)


def test_activity_to_first_stage_ratio_by_hand(ledger, producer):
    funnel = _funnel(producer.agency, Producer.objects.filter(pk=producer.pk))
    assert funnel.activities_total == 40
    assert funnel.activities_per_first_stage == pytest.approx(10)
    ratios = {r.name: r.per_first_stage for r in funnel.activity_ratios}
    assert ratios == {"Call": pytest.approx(7.5), "Email": pytest.approx(2.5)}


def test_period_leaves_out_older_moves_and_other_producers(ledger, producer, agency,
                                                           other_producer):
    peer = ProducerFactory(agency=agency)
    journey(peer, ["Lead", "Contacted"], timezone.now() - dt.timedelta(days=3))
    journey(other_producer, ["Lead", "Contacted"], timezone.now() - dt.timedelta(days=3))
    journey(producer, ["Lead", "Contacted"], timezone.now() - dt.timedelta(weeks=30))
    mine = _funnel(agency, Producer.objects.filter(pk=producer.pk))
    assert [s.reached for s in mine.steps][:2] == [4, 3]
    everyone = _funnel(agency)
    assert [s.reached for s in everyone.steps][:2] == [5, 4]
    one_week = _funnel(agency, Producer.objects.filter(pk=producer.pk), weeks=1)
    assert one_week.first_reached == 0


@pytest.mark.parametrize("value, message", [
    ("abc", "“abc” is not a number of weeks."), ("0", "Choose between 1 and 104 weeks."),
    ("500", "Choose between 1 and 104 weeks.")])
def test_bad_weeks_parameter_is_refused_with_a_message(value, message):
    with pytest.raises(ValueError, match=message):
        parse_weeks(value)
    assert parse_weeks(None) == 26


def test_page_shows_the_funnel_with_drop_off(stored, producer_client):
    response = producer_client.get(reverse("accountability:funnel"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-stage="Lead" data-reached="4"' in html
    assert "75% go on" in html and "25% drop off" in html
    assert "median 4 days in stage (n=3)" in html
    assert "10.0</strong> activities for every prospect reaching Lead (40 ÷ 4)" in html


def test_page_keeps_a_bad_weeks_value_and_says_why(producer_client):
    response = producer_client.get(reverse("accountability:funnel") + "?weeks=abc")
    html = response.content.decode()
    assert "“abc” is not a number of weeks." in html
    assert 'value="abc"' in html


def test_leader_sees_team_and_member_producer_cannot_see_peer(stored, client, producer, leader,
                                                              agency):
    url = reverse("accountability:funnel")
    login(client, leader)
    assert client.get(url, {"scope": f"producer:{producer.pk}"}).status_code == 200
    team = client.get(url, {"scope": f"team:{leader.team_id}"})
    assert 'data-stage="Lead" data-reached="4"' in team.content.decode()
    assert client.get(url, {"scope": "agency"}).status_code == 404  # owners only
    other_team = TeamFactory(agency=agency, name="South")
    assert client.get(url, {"scope": f"team:{other_team.pk}"}).status_code == 404
    login(client, producer)
    assert client.get(url, {"scope": f"producer:{leader.pk}"}).status_code == 404
    assert client.get(url, {"scope": f"team:{leader.team_id}"}).status_code == 404


def test_owner_sees_the_agency_and_another_agency_is_404(stored, client, owner, other_producer):
    url = reverse("accountability:funnel")
    login(client, owner)
    assert "Whole agency" in client.get(url).content.decode()
    assert client.get(url, {"scope": "agency"}).status_code == 200
    assert client.get(url, {"scope": f"producer:{other_producer.pk}"}).status_code == 404
    assert client.get(url, {"scope": f"team:{other_producer.team_id}"}).status_code == 404


def test_query_count_does_not_grow_with_prospects_and_advances(client, owner):
    login(client, owner)
    url = reverse("accountability:funnel") + "?scope=agency"
    start = timezone.now() - dt.timedelta(days=10)
    for i in range(3):
        journey(owner, ["Lead", "Contacted", "Appointment set"], start, name=f"S{i}")
    refresh_current_weeks()
    small = queries_of(client.get, url)
    for i in range(40):
        journey(owner, ["Lead", "Contacted", "Appointment set", "Discovery done"],
                start + dt.timedelta(minutes=i), name=f"L{i}")
        calls(owner, 3, start)
    refresh_current_weeks()
    assert "data-reached=\"43\"" in client.get(url).content.decode()
    assert queries_of(client.get, url) == small
    assert small < 20


def test_an_owner_picks_a_team_then_one_of_its_people(client, owner, producer, agency):
    """The picker offers the teams and the agency, and the people of the team in view only:
    at 500 producers one list of every name helps nobody choose."""
    south = TeamFactory(agency=agency, name="South")
    elsewhere = ProducerFactory(agency=agency, team=south, user__first_name="Sam")
    url = reverse("accountability:funnel")
    login(client, owner)
    agency_view = client.get(url, {"scope": "agency"}).content.decode()
    assert f'value="team:{south.pk}"' in agency_view
    assert f'value="producer:{elsewhere.pk}"' not in agency_view
    south_view = client.get(url, {"scope": f"team:{south.pk}"}).content.decode()
    assert f'value="producer:{elsewhere.pk}"' in south_view
    assert f'value="producer:{producer.pk}"' not in south_view
    person_view = client.get(url, {"scope": f"producer:{elsewhere.pk}"}).content.decode()
    assert f'value="producer:{elsewhere.pk}" selected' in person_view
