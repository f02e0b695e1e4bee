"""The plan's arithmetic on its own: hand-worked numbers, no database."""

import ast
import datetime as dt
import math
from decimal import Decimal
from pathlib import Path

import pytest

from accountability.models import GoalPlan
from accountability.planning import calculator
from accountability.planning.calculator import (
    best_four_week_run,
    blend,
    bound_per_week,
    label,
    label_of,
    plan_calculate,
    revenue_needed,
    revenue_per_bound,
    walk_back,
    working_weeks_left,
)
from accountability.planning.funnel import ActivityRatio, Funnel, FunnelStep
from accountability.planning.inputs import ActivityKind, BoundRevenue, PathStage, PlanInputs
from accountability.planning.results import PlanLine, PlanRules

RULES = PlanRules(working_weeks=48, thin=10, stretch=1.0, pretend=1.5)
JUL_1 = dt.date(2026, 7, 1)  # a Wednesday; its week starts Monday June 29
LEAD, CONTACTED, BOUND = PathStage(1, "Lead"), PathStage(2, "Contacted"), PathStage(3, "Bound")
CALL = ActivityKind(7, "Call")


def step(stage, reached, *, conversion=None, out=0, entered=None):
    return FunnelStep(stage_id=stage.id, name=stage.name, kind="open", position=stage.id,
                      reached=reached, advances_out=out, conversion=conversion,
                      entered=reached if entered is None else entered)


def funnel(steps, ratios=()):
    now = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    return Funnel(start=now, end=now, weeks=52, steps=list(steps), activity_ratios=list(ratios))


# The producer: 12 advances out of Lead (enough to stand alone) at 50%; 5 out of Contacted
# (half the evidence needed) at 40%, where 3 of the 5 reaching it won it (the rest skipped it).
OWN = funnel([step(LEAD, 10, conversion=0.5, out=12), step(CONTACTED, 5, conversion=0.4, out=5,
                                                            entered=3),
              step(BOUND, 2)],
             [ActivityRatio(CALL.id, "Call", 40, 10.0)])
# The agency: 60% on from Contacted; 10 of the 20 reaching it won it; 20 calls per new prospect.
EVERYONE = funnel([step(LEAD, 40, conversion=0.5, out=40),
                   step(CONTACTED, 20, conversion=0.6, out=20, entered=10), step(BOUND, 12)],
                  [ActivityRatio(CALL.id, "Call", 800, 20.0)])


def inputs(**changes):
    values = dict(producer_id=1, today=JUL_1, annual_goal=Decimal("120000"), rules=RULES,
                  path=[LEAD, CONTACTED, BOUND], ends_won=True, own=OWN, everyone=EVERYONE,
                  bound=BoundRevenue(own_n=10, own_sum=Decimal("50000"), all_n=10,
                                     all_sum=Decimal("70000"), ytd_n=6,
                                     ytd_sum=Decimal("30000")),
                  activity_types=[CALL])
    values.update(changes)
    return PlanInputs(**values)


# --- step 1: revenue still needed ---------------------------------------------------------------

def test_revenue_needed_is_the_goal_less_what_is_bound_and_never_below_zero():
    assert revenue_needed(Decimal("120000"), Decimal("30000")) == Decimal("90000")
    assert revenue_needed(Decimal("120000"), Decimal("130000")) == Decimal("0")


def test_revenue_per_bound_prospect_is_own_with_enough_bound_else_blended_else_agency():
    assert revenue_per_bound(BoundRevenue(own_n=10, own_sum=Decimal("50000"), all_n=20,
                                          all_sum=Decimal("120000")), 10) == (
        5000.0, "own", 1.0, 5000.0, 6000.0)
    # 4 of the 10 bound prospects needed: 0.4 × $5,000 + 0.6 × $7,000 = $6,200.
    assert revenue_per_bound(BoundRevenue(own_n=4, own_sum=Decimal("20000"), all_n=10,
                                          all_sum=Decimal("70000")), 10) == pytest.approx(
        (6200.0, "blend", 0.4, 5000.0, 7000.0))
    # Bound prospects without a revenue do not make an average.
    assert revenue_per_bound(BoundRevenue(own_n=2, own_sum=None, all_n=10,
                                          all_sum=Decimal("70000")), 10) == (
        7000.0, "agency", 0.0, None, 7000.0)
    assert revenue_per_bound(BoundRevenue(), 10) == (None, "", 0.0, None, None)


# --- step 2: working weeks left -----------------------------------------------------------------

def test_working_weeks_left_scales_the_calendar_weeks_left():
    # Jun 29 to Dec 28 (the Monday of Dec 31): 26 weeks later, so 27 weeks; × 48/52 = 24.9.
    assert working_weeks_left(JUL_1, working_weeks=48) == 25
    assert working_weeks_left(JUL_1, working_weeks=52) == 27


def test_working_weeks_left_at_the_year_end_is_at_least_one():
    assert working_weeks_left(dt.date(2026, 12, 28), working_weeks=48) == 1  # 1 × 48/52
    assert working_weeks_left(dt.date(2026, 12, 31), working_weeks=20) == 1  # 0.38, floored


def test_working_weeks_left_counts_a_year_that_starts_mid_week_as_53():
    # Jan 1, 2026 is a Thursday: its week (from Dec 29, 2025) and 52 more to Dec 28.
    assert working_weeks_left(dt.date(2026, 1, 1), working_weeks=52) == 53
    assert working_weeks_left(dt.date(2026, 1, 5), working_weeks=52) == 52


def test_working_weeks_left_counts_whole_weeks_monday_to_sunday():
    # Sunday Jan 4 still belongs to the week of Dec 29; Saturday Dec 26 to the week of
    # Dec 21, one before the last.
    assert working_weeks_left(dt.date(2026, 1, 4), working_weeks=52) == 53
    assert working_weeks_left(dt.date(2026, 12, 26), working_weeks=52) == 2


# --- step 3: bound a week -----------------------------------------------------------------------

def test_bound_per_week_is_revenue_over_average_over_weeks():
    assert bound_per_week(Decimal("62500"), 5000.0, 25) == pytest.approx(0.5)
    assert bound_per_week(Decimal("120000"), 5000.0, 48) == pytest.approx(0.5)


# --- step 4: walking the stages back, blended rates ---------------------------------------------

def test_blend_weighs_the_own_rate_by_its_evidence():
    assert blend(0.4, 5, 0.6, 10) == pytest.approx((0.5, "blend", 0.5))  # ½·0.4 + ½·0.6
    assert blend(0.2, 3, 0.8, 10) == pytest.approx((0.62, "blend", 0.3))  # .3·.2 + .7·.8


def test_blend_takes_the_own_rate_alone_with_enough_evidence_or_no_agency_rate():
    assert blend(0.4, 10, 0.6, 10) == (0.4, "own", 1.0)
    assert blend(0.4, 2, None, 10) == (0.4, "own", 1.0)


def test_blend_takes_the_agency_rate_without_evidence_and_nothing_without_either():
    assert blend(None, 0, 0.6, 10) == (0.6, "agency", 0.0)
    assert blend(0.9, 0, 0.6, 10) == (0.6, "agency", 0.0)
    assert blend(None, 0, None, 10) == (None, "", 0.0)


def bound_line(per_week=0.9):
    return PlanLine(key="stage:3", kind="bound", name="Bound", ref_id=3, per_week=per_week,
                    win_share=1.0)


def test_walk_back_divides_each_need_by_the_blended_conversion():
    walk = walk_back(inputs(), bound_line(0.9), pace_bound=0.5)
    contacted, lead = walk.lines
    # Contacted: 5 advances out of 10 → ½·40% + ½·60% = 50%; 0.9 bound ÷ 0.5 = 1.8.
    assert (contacted.name, contacted.source) == ("Contacted", "blend")
    assert contacted.rate == pytest.approx(0.5) and contacted.weight == pytest.approx(0.5)
    assert contacted.per_week == pytest.approx(1.8)
    # Lead: 12 advances out, its own 50% alone; 1.8 ÷ 0.5 = 3.6.
    assert (lead.source, lead.rate) == ("own", 0.5)
    assert lead.per_week == pytest.approx(3.6)
    assert walk.first_need == pytest.approx(3.6) and walk.problems == []


def test_walk_back_counts_pace_wins_by_win_share_leaving_out_the_first_stage():
    walk = walk_back(inputs(), bound_line(0.9), pace_bound=0.5)
    # Contacted's win share: own 3/5 = 0.6 on 5 prospects, agency 10/20 = 0.5 → 0.55.
    assert walk.lines[0].win_share == pytest.approx(0.55)
    # 0.5 bound + 0.5 × 2 reaching Contacted per bound × 0.55; Lead (created, not won) not.
    assert walk.pace_wins == pytest.approx(0.5 + 0.5 * 2 * 0.55)


def test_a_stage_without_a_rate_leaves_every_need_above_it_unknown():
    own = funnel([step(LEAD, 10, conversion=0.5, out=12), step(CONTACTED, 0),
                  step(BOUND, 0)])
    everyone = funnel([step(LEAD, 40, conversion=0.5, out=40), step(CONTACTED, 20, out=20),
                       step(BOUND, 0)])
    walk = walk_back(inputs(own=own, everyone=everyone), bound_line(0.9), pace_bound=0.5)
    assert [line.per_week for line in walk.lines] == [None, None]
    assert walk.first_need is None and walk.pace_wins is None
    assert walk.problems == [
        "None of the prospects counted went on from Contacted to Bound in the last 52 weeks "
        "(a rate of 0), so how many Contacted are needed a week cannot be computed."]


# --- step 5: activities a week ------------------------------------------------------------------

def test_activities_a_week_follow_the_first_stage_need():
    (call,) = calculator.activity_lines(inputs(), first_need=3.6)
    # 10 prospects reached Lead, enough evidence: the producer's own 10 calls per prospect.
    assert (call.name, call.source, call.rate) == ("Call", "own", 10.0)
    assert call.per_week == pytest.approx(36.0)
    assert (call.own_n, call.own_base, call.agency_n) == (10, 40, 40)


def test_activities_per_prospect_blend_on_the_prospects_reaching_the_first_stage():
    own = funnel([step(LEAD, 4)], [ActivityRatio(CALL.id, "Call", 40, 10.0)])
    (call,) = calculator.activity_lines(inputs(own=own), first_need=3.6)
    # 4 prospects of the 10 needed: .4·10 + .6·20 = 16 calls per new prospect.
    assert (call.source, call.weight) == ("blend", pytest.approx(0.4))
    assert call.rate == pytest.approx(16.0) and call.per_week == pytest.approx(57.6)


def test_an_activity_nobody_logs_gives_no_line():
    email = ActivityKind(8, "Email")
    assert calculator.activity_lines(inputs(activity_types=[email]), first_need=3.6) == []


# --- step 6: the label --------------------------------------------------------------------------

def test_label_thresholds_are_read_on_the_ratio_as_shown():
    assert label_of(1.0, RULES) == "realistic"
    assert label_of(1.1, RULES) == "stretch"
    assert label_of(1.5, RULES) == "stretch"
    assert label_of(1.6, RULES) == "pretend"
    assert label_of(math.inf, RULES) == "pretend"


def test_the_worst_line_decides_and_a_ratio_shown_as_1_0_is_realistic():
    calls = PlanLine(key="activity:7", kind="activity", name="Call", ref_id=7, per_week=52.0,
                     best_run=50.0)  # 1.04, shown 1.0
    bound = PlanLine(key="stage:3", kind="bound", name="Bound", ref_id=3, per_week=0.5,
                     best_run=1.0)
    assert label([bound, calls], RULES) == (
        "realistic", "Needs 52.0 Call a week; the best four-week run so far was 50.0 a week "
        "(1.0×).")
    assert calls.decides and not bound.decides
    assert bound.ratio == pytest.approx(0.5) and calls.ratio == pytest.approx(1.04)


def test_a_need_never_met_in_four_weeks_is_pretend():
    line = PlanLine(key="stage:2", kind="stage", name="Contacted", ref_id=2, per_week=2.0)
    assert label([line], RULES) == (
        "pretend", "Needs 2.0 Contacted a week; there has been none in any four weeks so far.")
    assert line.ratio_is_infinite


def test_a_line_on_agency_history_alone_never_decides():
    # Calls the producer never logs: 7 a week against a best run of 0 is no verdict on them.
    calls = PlanLine(key="activity:7", kind="activity", name="Call", ref_id=7, per_week=7.0,
                     source="agency")
    bound = PlanLine(key="stage:3", kind="bound", name="Bound", ref_id=3, per_week=0.5,
                     best_run=1.0, source="own")
    assert label([calls, bound], RULES) == (
        "realistic", "Needs 0.5 Bound a week; the best four-week run so far was 1.0 a week "
        "(0.5×).")
    assert bound.decides and not calls.decides and calls.ratio is None
    # With nothing of the producer's own still needed, realism cannot be checked.
    verdict, reason = label([calls], RULES)
    assert verdict == "incomplete" and reason.startswith("Realism cannot be checked yet")


def test_nothing_needed_is_realistic():
    line = PlanLine(key="stage:3", kind="bound", name="Bound", ref_id=3, per_week=0.0)
    assert label([line], RULES) == (
        "realistic", "Nothing more is needed this year: the goal is reached.")
    assert line.ratio is None


def test_the_labels_are_the_goal_plans():
    assert {calculator.REALISTIC, calculator.STRETCH, calculator.PRETEND,
            calculator.INCOMPLETE} == set(GoalPlan.Label.values)


# --- best four-week run -------------------------------------------------------------------------

def test_best_four_week_run_is_the_best_four_consecutive_weeks_per_week():
    weeks = [dt.date(2026, 5, 4) + dt.timedelta(weeks=i) for i in range(8)]
    counts = {weeks[1]: 3, weeks[3]: 5, weeks[4]: 4, weeks[5]: 1, weeks[6]: 8}
    # Windows: 8, 12, 10, 18 (weeks 3–6), 13.
    assert best_four_week_run(counts, weeks) == 4.5


def test_best_run_over_fewer_than_four_weeks_is_still_per_week_of_four():
    weeks = [dt.date(2026, 6, 22), dt.date(2026, 6, 29)]
    assert best_four_week_run({weeks[0]: 2, weeks[1]: 4}, weeks) == 1.5
    assert best_four_week_run({}, []) == 0.0


# --- the whole plan -----------------------------------------------------------------------------

def test_plan_calculate_works_every_step_through():
    history = [dt.date(2026, 6, 29) - dt.timedelta(weeks=i) for i in range(51, -1, -1)]
    weekly = {"stage:3": {history[10]: 1, history[11]: 1}, "activity:7": {history[-2]: 30}}
    result = plan_calculate(inputs(history=history, last_weeks=history[-5:-1], weekly=weekly))
    # $120,000 − $30,000 = $90,000 ÷ $5,000 = 18 bound over 25 weeks: 0.72 a week.
    assert result.revenue_needed == Decimal("90000") and result.weeks_left == 25
    assert result.avg_revenue == 5000.0 and result.avg_revenue_source == "own"
    bound, contacted, lead, call = result.lines
    assert bound.per_week == pytest.approx(0.72) and bound.best_run == 0.5
    assert contacted.per_week == pytest.approx(1.44) and lead.per_week == pytest.approx(2.88)
    assert call.per_week == pytest.approx(28.8) and call.last_weeks_total == 30
    assert result.pace_bound_per_week == pytest.approx(0.5)  # $120,000 ÷ $5,000 ÷ 48
    # 28.8 calls against a best run of 30 ÷ 4 = 7.5 a week: 3.84×. But Contacted and Lead
    # have no history at all: the first infinite ratio, Contacted, decides.
    assert call.ratio == pytest.approx(3.84) and bound.ratio == pytest.approx(1.44)
    assert [line.decides for line in result.lines] == [False, True, False, False]
    assert (result.label, result.label_reason) == (
        "pretend", "Needs 1.4 Contacted a week; there has been none in any four weeks so far.")
    assert result.notes == ["Where you have fewer than 10 advances out of a stage, your rate "
                            "is blended with the agency's in proportion to your evidence "
                            "(marked “blend”)."]


def test_plan_calculate_stops_at_the_first_missing_input():
    no_goal = plan_calculate(inputs(annual_goal=Decimal(0), ends_won=False))
    assert no_goal.label == "incomplete" and len(no_goal.problems) == 2
    assert no_goal.label_reason == "Set an annual new-revenue goal above $0 to get a plan."
    nobody_bound = plan_calculate(inputs(bound=BoundRevenue()))
    assert nobody_bound.label == "incomplete" and nobody_bound.lines == []
    assert nobody_bound.label_reason.startswith("Nobody in the agency has bound a prospect")


def test_a_plan_on_agency_revenue_is_not_judged_for_realism():
    result = plan_calculate(inputs(bound=BoundRevenue(all_n=10, all_sum=Decimal("70000"))))
    assert result.avg_revenue == 7000.0 and result.uses_agency_history
    assert result.label == "incomplete" and result.realism_unchecked
    assert result.lines  # the numbers exist; only their realism is unchecked


def test_the_calculator_and_its_results_stay_clear_of_django_and_the_database():
    folder = Path(calculator.__file__).parent
    for name in ("calculator.py", "inputs.py", "results.py"):
        tree = ast.parse((folder / name).read_text())
        modules = {node.module or "" for node in ast.walk(tree)
                   if isinstance(node, ast.ImportFrom) and not node.level}
        modules |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                    for alias in node.names}
        # salesculture.numbers (rounding half up) is plain Python too: see test_numbers.py
        assert not {m for m in modules - {"salesculture.numbers"}
                    if m.split(".")[0] in ("django", "pipeline", "salesculture")}, name
