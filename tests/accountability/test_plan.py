"""Goal-to-plan, computed by hand on small ledgers."""

import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accountability.models import GoalPlan
from accountability.planning.presenters import commitments_url
from accountability.planning.selectors import (
    commitments_proposal,
    plan_compute,
    plan_result_from,
    working_weeks_left,
)
from accountability.planning.services import goal_plan_refresh
from pipeline.models import Stage
from tests.accountability.test_plan_ledger import PATH, at, calls, journey
from tests.conftest import login
from tests.factories import ProducerFactory, activity_type, stage
from tests.queries import queries_of

JUL_1 = dt.date(2026, 7, 1)
JUN_22 = dt.date(2026, 6, 22)


@pytest.fixture
def now(agency):
    return at(agency, JUL_1, 12)


@pytest.fixture
def thin_one(settings):
    settings.SALESCULTURE = {**settings.SALESCULTURE, "THIN_HISTORY_ADVANCES": 1}


@pytest.fixture
def history(producer, agency):
    """Ten prospects created on Monday June 22, moved one stage an hour:

    reached  Lead 10 → Contacted 8 → Appointment 6 → Discovery 4 → Submitted 4 → Proposal 2
             → Bound 1 (revenue $5,000)
    and 200 calls: 100 on June 23 and 100 eight weeks earlier (April 27).
    """
    start = at(agency, JUN_22, 9)
    ends = [7, 6, 5, 5, 3, 3, 2, 2, 1, 1]  # how far along PATH each prospect goes
    for i, length in enumerate(ends):
        journey(producer, PATH[:length], start + dt.timedelta(minutes=i),
                revenue=5000 if length == 7 else 1000, name=f"P{i}")
    calls(producer, 100, at(agency, dt.date(2026, 6, 23), 10))
    calls(producer, 100, at(agency, dt.date(2026, 4, 27), 10))


def lines_by_name(result):
    return {line.name: line for line in result.lines}


def test_working_weeks_left_scales_calendar_weeks(agency):
    # Jul 1 2026: Mondays from Jun 29 to Dec 28 are 27 calendar weeks; 27 × 48/52 = 24.9 → 25.
    assert working_weeks_left(agency, working_weeks=48, today=JUL_1) == 25
    assert working_weeks_left(agency, working_weeks=48, today=dt.date(2026, 12, 30)) == 1
    assert working_weeks_left(agency, working_weeks=52, today=dt.date(2026, 1, 5)) == 52


def test_pretend_plan_by_hand(history, producer, now, thin_one):
    producer.annual_goal = Decimal("130000")
    result = plan_compute(producer=producer, now=now)
    # $125,000 still needed ÷ $5,000 a bound prospect ÷ 25 working weeks = 1.0 bound a week.
    assert result.weeks_left == 25
    assert result.bound_ytd == Decimal("5000")
    assert result.revenue_needed == Decimal("125000")
    assert result.avg_revenue == 5000 and result.avg_revenue_source == "own"
    lines = lines_by_name(result)
    expected = {"Bound": 1.0, "Proposal presented": 2.0, "Submitted to markets": 4.0,
                "Discovery done": 4.0, "Appointment set": 6.0, "Contacted": 8.0, "Lead": 10.0,
                "Call": 200.0}
    assert {name: pytest.approx(line.per_week) for name, line in lines.items()} == expected
    assert lines["Appointment set"].rate == pytest.approx(4 / 6)
    assert (lines["Lead"].own_n, lines["Lead"].own_base, lines["Lead"].source) == (8, 10, "own")
    assert lines["Call"].rate == pytest.approx(20)  # 200 calls ÷ 10 prospects reaching Lead
    # Best four-week runs: everything happened in one week, except the calls (two batches).
    assert lines["Bound"].best_run == pytest.approx(0.25)
    assert lines["Lead"].best_run == pytest.approx(2.5)
    assert lines["Call"].best_run == pytest.approx(25)
    assert lines["Lead"].last_weeks_total == 10 and lines["Call"].last_weeks_total == 100
    # Every stage line needs 4× its best run; calls 8×: calls decide, and it is pretend.
    assert lines["Bound"].ratio == pytest.approx(4)
    assert lines["Call"].ratio == pytest.approx(8) and lines["Call"].decides
    assert result.label == GoalPlan.Label.PRETEND
    assert result.label_reason == ("Needs 200.0 Call a week; the best four-week run so far was "
                                   "25.0 a week (8.0×).")
    assert result.pace_bound_per_week == pytest.approx(130000 / 5000 / 48)
    assert result.pace_wins_per_week == pytest.approx(130000 / 5000 / 48 * 25)


@pytest.mark.parametrize("goal, label", [
    # $5,000 already bound; 25 weeks; the calls line decides (best run 25 calls a week).
    ("20625", GoalPlan.Label.REALISTIC),  # 0.125 bound → 25 calls a week: 1.0×
    # 0.13 bound → 26 calls: 1.04×, shown as 1.0×, so realistic (the label follows the page).
    ("21250", GoalPlan.Label.REALISTIC),
    ("22500", GoalPlan.Label.STRETCH),  # 0.14 bound → 28 calls: 1.12×, shown 1.1×
    ("23750", GoalPlan.Label.STRETCH),  # 0.15 bound → 30 calls a week: 1.2×
    ("130000", GoalPlan.Label.PRETEND),  # 1.0 bound → 200 calls: 8×
])
def test_label_thresholds(history, producer, now, thin_one, goal, label):
    producer.annual_goal = Decimal(goal)
    assert plan_compute(producer=producer, now=now).label == label


def test_thresholds_are_settings(history, producer, now, thin_one, settings):
    settings.SALESCULTURE = {**settings.SALESCULTURE, "PRETEND_RATIO": 10.0}
    producer.annual_goal = Decimal("130000")
    assert plan_compute(producer=producer, now=now).label == GoalPlan.Label.STRETCH


def test_proposed_commitments_round_up_the_plan(history, producer, now, thin_one, agency):
    producer.annual_goal = Decimal("130000")
    proposal = commitments_proposal(plan_compute(producer=producer, now=now))
    call = activity_type(agency, "Call")
    bound = stage(agency, "Bound")
    # Wins: bound 1 + proposal 2 + submitted 4 + discovery 4 + appointment 6 + contacted 8
    # (a new Lead is a creation, not a win).
    assert proposal == {f"activity_{call.pk}": 200, f"wins_{bound.pk}": 1, "wins_any": 25}
    url = commitments_url(proposal)
    try:
        base = reverse("accountability:commitments")
    except NoReverseMatch:
        base = "/commitments/"
    parts = urlsplit(url)
    assert parts.path == base
    assert parse_qs(parts.query) == {f"activity_{call.pk}": ["200"],
                                     f"wins_{bound.pk}": ["1"], "wins_any": ["25"]}
    # The commitments form takes targets up to its maximum; a bigger need is proposed there.
    capped = commitments_proposal(plan_compute(producer=producer, now=now), cap=20)
    assert capped == {f"activity_{call.pk}": 20, f"wins_{bound.pk}": 1, "wins_any": 20}


def test_thin_history_blends_with_the_agency_in_proportion(producer, agency, now):
    # Producer: 4 prospects, 2 moved on from Lead (2 advances out of Lead, own rate 0.5).
    # A peer: 16 prospects, all moved on, one of them to Bound.
    start = at(agency, JUN_22, 9)
    for i, length in enumerate([2, 2, 1, 1]):
        journey(producer, PATH[:length], start + dt.timedelta(minutes=i), name=f"M{i}")
    peer = ProducerFactory(agency=agency)
    for i in range(16):
        journey(peer, PATH if i == 0 else PATH[:2], start + dt.timedelta(minutes=i),
                revenue=8000, name=f"Q{i}")
    producer.annual_goal = Decimal("100000")
    result = plan_compute(producer=producer, now=now)
    lead = lines_by_name(result)["Lead"]
    # Agency: 18 of 20 reached Contacted = 0.9; w = 2 advances ÷ 10 = 0.2;
    # 0.2 × 0.5 + 0.8 × 0.9 = 0.82.
    assert (lead.own_rate, lead.agency_rate) == (pytest.approx(0.5), pytest.approx(0.9))
    assert lead.weight == pytest.approx(0.2)
    assert lead.rate == pytest.approx(0.82)
    assert lead.source == "blend"
    assert any("blended with the agency's" in note for note in result.notes)
    # No bound prospect of their own: revenue per bound prospect is the agency's, so the
    # plan is computed but cannot be judged against the producer's own runs.
    assert result.avg_revenue == 8000 and result.avg_revenue_source == "agency"
    assert result.label == GoalPlan.Label.INCOMPLETE
    assert "rests on agency history" in result.label_reason


def test_no_history_uses_agency_rates_and_says_so(history, agency, now):
    newcomer = ProducerFactory(agency=agency, annual_goal=Decimal("50000"))
    result = plan_compute(producer=newcomer, now=now)
    assert {line.source for line in result.lines} == {"agency"}
    assert lines_by_name(result)["Lead"].rate == pytest.approx(0.8)
    assert result.uses_agency_history
    assert "You have no history yet: every rate is based on agency history." in result.notes
    assert result.label == GoalPlan.Label.INCOMPLETE


def test_no_won_stage_explains_instead_of_dividing(history, producer, agency, now):
    Stage.objects.filter(agency=agency, kind=Stage.Kind.WON).update(kind=Stage.Kind.OPEN)
    result = plan_compute(producer=producer, now=now)
    assert result.label == GoalPlan.Label.INCOMPLETE and not result.lines
    assert "no won stage" in result.label_reason


def test_nobody_bound_explains_instead_of_dividing(producer, agency, now):
    journey(producer, PATH[:3], at(agency, JUN_22, 9))
    result = plan_compute(producer=producer, now=now)
    assert result.label == GoalPlan.Label.INCOMPLETE and not result.lines
    assert "cannot be computed yet" in result.label_reason


def test_a_stage_nobody_left_forward_is_named(producer, agency, now):
    # Ten prospects reached Contacted and were all lost there: with 10 advances out of
    # Contacted the producer's own rate (0) carries full weight; the peer's bound prospect
    # gives a revenue per bound prospect.
    for i in range(10):
        journey(producer, ["Lead", "Contacted", "Lost"], at(agency, JUN_22, 9, i), name=f"Z{i}")
    journey(ProducerFactory(agency=agency), PATH, at(agency, JUN_22, 9), revenue=4000)
    producer.annual_goal = Decimal("40000")
    result = plan_compute(producer=producer, now=now)
    assert result.label == GoalPlan.Label.INCOMPLETE
    assert result.problems[0].startswith(
        "None of the prospects counted went on from Contacted to Appointment set")
    assert lines_by_name(result)["Contacted"].per_week is None
    assert lines_by_name(result)["Lead"].per_week is None


def test_zero_goal_asks_for_a_goal(history, producer, now):
    producer.annual_goal = Decimal("0")
    result = plan_compute(producer=producer, now=now)
    assert result.label == GoalPlan.Label.INCOMPLETE
    assert result.label_reason == "Set an annual new-revenue goal above $0 to get a plan."


def test_goal_already_reached_is_realistic(history, producer, now, thin_one):
    producer.annual_goal = Decimal("5000")
    result = plan_compute(producer=producer, now=now)
    assert result.label == GoalPlan.Label.REALISTIC
    assert lines_by_name(result)["Bound"].per_week == 0


def test_stored_plan_round_trips(history, producer, thin_one, agency):
    plan = goal_plan_refresh(producer=producer)
    again = goal_plan_refresh(producer=producer)
    assert GoalPlan.objects.filter(producer=producer).count() == 1
    assert plan.pk == again.pk
    result = plan_result_from(GoalPlan.objects.get(pk=plan.pk))
    assert result.label == again.label
    assert [line.name for line in result.lines][:2] == ["Bound", "Proposal presented"]


# --- the page ---------------------------------------------------------------------------

@pytest.fixture
def recent(producer, agency):
    """A little recent history so the page has a plan: 6 prospects in the last weeks."""
    start = timezone.now() - dt.timedelta(days=9)
    for i, length in enumerate([7, 7, 4, 3, 2, 1]):
        journey(producer, PATH[:length], start + dt.timedelta(minutes=i), revenue=5000,
                name=f"R{i}")
    calls(producer, 40, start)


def test_page_shows_plan_label_sample_sizes_and_why(recent, producer_client, producer):
    response = producer_client.get(reverse("accountability:plan"))
    html = response.content.decode()
    assert response.status_code == 200
    plan = GoalPlan.objects.get(producer=producer)
    assert plan.get_label_display() in html
    assert producer.why in html
    # Revenue per bound prospect with its sample size: 2 bound of the 10 a deal size of one's
    # own needs, so it is blended with the agency's (20% yours).
    assert "20% yours ($5,000, 2 bound)" in html
    assert "advances out" in html
    assert 'data-testid="plan-chain"' in html
    assert 'data-testid="propose-commitments"' in html


def test_goal_form_rejects_bad_goals_next_to_the_field(recent, producer_client, producer):
    url = reverse("accountability:plan")
    cases = {
        "0": "A goal of $0 or less gives no plan",
        "-100": "A goal of $0 or less gives no plan",
        "lots": "Enter the goal as a number of dollars",
        # The best producer bound $10,000 in the last year: 100× is $1,000,000.
        "1000001": "is more than 100× what the agency",
    }
    for value, message in cases.items():
        response = producer_client.post(url, {"annual_goal": value})
        html = response.content.decode()
        assert response.status_code == 400
        assert message in html, value
        assert f'value="{value}"' in html  # what the user typed is kept
        assert 'class="field-error"' in html
        producer.refresh_from_db()
        assert producer.annual_goal == Decimal("120000")


def test_goal_form_saves_and_recomputes(recent, producer_client, producer):
    response = producer_client.post(reverse("accountability:plan"), {"annual_goal": "150,000"})
    assert response.status_code == 302
    producer.refresh_from_db()
    assert producer.annual_goal == Decimal("150000")
    assert GoalPlan.objects.get(producer=producer).annual_goal == Decimal("150000")


def test_a_producer_cannot_see_a_peers_plan(recent, client, producer, agency, other_producer):
    peer = ProducerFactory(agency=agency, team=producer.team)
    login(client, peer)
    assert client.get(reverse("accountability:plan_of", args=[producer.pk])).status_code == 404
    assert client.get(reverse("accountability:plan_of",
                              args=[other_producer.pk])).status_code == 404
    assert client.get(reverse("accountability:plan_of", args=[peer.pk])).status_code == 200


def test_leader_sees_a_team_members_plan_without_the_goal_form(recent, leader_client, producer,
                                                               other_producer):
    response = leader_client.get(reverse("accountability:plan_of", args=[producer.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Pat Producer's plan" in html
    assert "Save goal" not in html and "propose-commitments" not in html
    assert leader_client.get(reverse("accountability:plan_of",
                                     args=[other_producer.pk])).status_code == 404


def test_query_count_does_not_grow_with_the_ledgers(producer_client, producer):
    url = reverse("accountability:plan")
    start = timezone.now() - dt.timedelta(days=9)
    journey(producer, PATH, start, revenue=5000)
    small = queries_of(producer_client.get, url)  # computes and stores the plan
    small_cached = queries_of(producer_client.get, url)  # reads the stored plan
    for i in range(40):
        journey(producer, PATH[: 2 + i % 6], start + dt.timedelta(minutes=i), name=f"B{i}")
        calls(producer, 2, start + dt.timedelta(minutes=i))
    GoalPlan.objects.all().delete()
    assert queries_of(producer_client.get, url) == small
    assert queries_of(producer_client.get, url) == small_cached
    assert small < 40 and small_cached < 15


def test_plan_label_partial_contract(recent, producer):
    from django.template.loader import render_to_string

    plan = goal_plan_refresh(producer=producer)
    html = render_to_string("accountability/planning/_plan_label.html", {"plan": plan})
    assert plan.get_label_display() in html and plan.label_reason[:20] in html
    assert "No plan" in render_to_string("accountability/planning/_plan_label.html", {"plan": None})


def test_stale_plan_is_recomputed_when_the_goal_changes(recent, producer_client, producer):
    producer_client.get(reverse("accountability:plan"))
    producer.annual_goal = Decimal("90000")
    producer.save(update_fields=["annual_goal"])
    producer_client.get(reverse("accountability:plan"))
    assert GoalPlan.objects.get(producer=producer).annual_goal == Decimal("90000")


def test_skipped_stages_count_as_reached_and_won_in_history(producer, agency, now, thin_one):
    """A skip reaches the stages it passes, and wins each of them (pipeline/wins.py): the rates
    (the funnel), the history each line is checked against and the wins the plan proposes all
    count it alike."""
    start = at(agency, JUN_22, 9)
    skip = ["Lead", "Discovery done", "Submitted to markets", "Proposal presented", "Bound"]
    for i in range(2):  # A, B skip Contacted and Appointment set, and are bound ($5,000)
        journey(producer, skip, start + dt.timedelta(minutes=i), revenue=5000, name=f"S{i}")
    for i in range(2):  # C, D walk every step to Discovery done
        journey(producer, PATH[:4], start + dt.timedelta(minutes=10 + i), name=f"W{i}")
    # Reached: Lead 4, Contacted 4, Appointment 4, Discovery 4, Submitted 2, Proposal 2,
    # Bound 2. Stage wins: each stage reached is won (a skip wins what it passes).
    # $10,000 bound; goal $72,500 → $62,500 ÷ $5,000 ÷ 25 weeks = 0.5 bound a week.
    producer.annual_goal = Decimal("72500")
    result = plan_compute(producer=producer, now=now)
    lines = lines_by_name(result)
    expected = {"Bound": 0.5, "Proposal presented": 0.5, "Submitted to markets": 0.5,
                "Discovery done": 1.0, "Appointment set": 1.0, "Contacted": 1.0, "Lead": 1.0}
    assert {name: pytest.approx(line.per_week) for name, line in lines.items()} == expected
    # All four reached Contacted in the week of June 22, two of them by skipping it:
    # best run 4 ÷ 4 weeks = 1.0 a week, exactly the need — realistic, not 2× (pretend).
    assert lines["Contacted"].last_weeks_total == 4
    assert lines["Contacted"].best_run == pytest.approx(1.0)
    assert lines["Contacted"].ratio == pytest.approx(1.0)
    assert result.label == GoalPlan.Label.REALISTIC
    assert lines["Contacted"].win_share == pytest.approx(1.0)
    assert lines["Discovery done"].win_share == pytest.approx(1.0)
    # Wins a week at the steady pace: bound 1 + proposal 1 + submitted 1 + discovery 2
    # + appointment 2 + contacted 2 = 9 per bound prospect.
    pace = 72500 / 5000 / 48
    assert result.pace_wins_per_week == pytest.approx(9 * pace)
    # Proposed wins: 0.5 + 0.5 + 0.5 + 1.0 + 1.0 + 1.0 = 4.5 → 5.
    assert commitments_proposal(result)["wins_any"] == 5


def test_a_non_producer_sees_their_plan_for_reference_without_a_proposal(recent,
                                                                         producer_client,
                                                                         producer):
    assert 'data-testid="propose-commitments"' in producer_client.get(
        reverse("accountability:plan")).content.decode()
    producer.role = "non_producer"
    producer.save(update_fields=["role"])
    html = producer_client.get(reverse("accountability:plan")).content.decode()
    assert "You are in a non-selling role" in html
    assert 'data-testid="propose-commitments"' not in html
