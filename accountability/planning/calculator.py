"""Goal-to-plan, the arithmetic: an annual revenue goal turned, with the producer's own history,
into what is needed each week at every stage and in activities — and checked against the
producer's best four-week run (realistic / stretch / pretend).

No database here: `selectors.plan_compute` reads the ledgers into a `PlanInputs` snapshot and
`plan_calculate` works it out, one function per step:

1. Revenue still needed this year = annual goal − revenue of the producer's prospects bound
   since January 1st (agency time zone).
2. Working weeks left = calendar weeks left in the year (this one included) scaled by
   WORKING_WEEKS_PER_YEAR / 52, rounded, at least 1.
3. Bound a week = revenue needed ÷ average revenue per bound prospect ÷ working weeks left.
   The average is the producer's own, blended with the agency's like the rates below when
   they have bound fewer than THIN_HISTORY_ADVANCES prospects (the evidence being their bound
   prospects): one $800 sale is not a deal size to plan a year on.
4. Walking the path backwards: need(stage) = need(next stage) ÷ conversion(stage → next).
   Conversion is the producer's own (from the funnel over the last HISTORY_WEEKS weeks); with
   fewer than THIN_HISTORY_ADVANCES advances out of the stage it is blended with the agency's
   rate in proportion to the evidence: w = advances ÷ N, rate = w·own + (1 − w)·agency.
5. Activities a week, per type = need(first stage) × activities of that type per prospect
   reaching the first stage (blended the same way, the evidence being those prospects).
6. The label: every line's weekly need ÷ the producer's best four consecutive weeks of that
   line (per week); the largest ratio decides, as shown to one decimal: above PRETEND_RATIO
   pretend, above STRETCH_RATIO stretch, otherwise realistic. A line the producer has no
   history of their own for (its rate is the agency's alone, e.g. an activity type they never
   log) is shown, marked as agency-based, but never decides: their best run of something they
   have never done is 0, and a ratio to 0 says nothing about their plan.

Two ways of counting stages, reconciled here: the funnel (and so every rate and every stage
line of the plan, its last four weeks and its best run) counts the prospects that *reached* a
stage, a skip counting for the stages skipped over; scorecards, commitments and role fit count
*wins*, one per forward move. Where the plan speaks in wins (the proposed "wins_any"
commitment, the steady-pace wins role fit compares scorecards with) each stage's need is
weighted by its win share: wins into the stage ÷ prospects reaching it.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from salesculture.numbers import half_up

from .inputs import BoundRevenue, PathStage, PlanInputs
from .results import (
    HISTORY_WEEKS,
    INCOMPLETE,
    LAST_WEEKS,
    PRETEND,
    REALISM_UNCHECKED,
    REALISTIC,
    STRETCH,
    PlanLine,
    PlanResult,
    PlanRules,
)

if TYPE_CHECKING:
    from .funnel import FunnelStep


# --- the steps ----------------------------------------------------------------------------------

def revenue_needed(goal: Decimal, bound_ytd: Decimal) -> Decimal:
    """Step 1: what is still to bind this year; nothing once the goal is reached."""
    return max(goal - bound_ytd, Decimal(0))


def working_weeks_left(today: dt.date, *, working_weeks: int) -> int:
    """Step 2. Weeks run Monday to Sunday; the week holding December 31st is the last."""
    year_end = dt.date(today.year, 12, 31)
    calendar_weeks = (_monday(year_end) - _monday(today)).days // 7 + 1
    return max(1, int(half_up(calendar_weeks * working_weeks / 52)))


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


class Average(NamedTuple):
    revenue: float | None
    source: str  # "own", "blend", "agency", or "" when nobody has bound anything
    weight: float  # the own average's share
    own: float | None
    agency: float | None


def revenue_per_bound(bound: BoundRevenue, thin: int) -> Average:
    """Revenue per bound prospect: the producer's own average, blended with the agency's in
    proportion to their bound prospects below `thin` of them (as `blend` does the rates),
    the agency's when they have bound nothing with a revenue."""
    own = float(bound.own_sum) / bound.own_n if bound.own_n and bound.own_sum else None
    agency = float(bound.all_sum) / bound.all_n if bound.all_n and bound.all_sum else None
    revenue, source, weight = blend(own, bound.own_n if own is not None else 0, agency, thin)
    return Average(revenue, source, weight, own, agency)


def bound_per_week(revenue: Decimal, avg_revenue: float, weeks: int) -> float:
    """Step 3; also the steady pace, with the whole goal over the whole working year."""
    return float(revenue) / avg_revenue / weeks


class Blend(NamedTuple):
    rate: float | None
    source: str  # "own", "blend", "agency", or "" with no rate at all
    weight: float  # the own rate's share


def blend(own: float | None, own_evidence: int, agency: float | None, thin: int) -> Blend:
    """Own when the evidence is enough, agency when there is none, else in proportion."""
    if own is None or own_evidence <= 0:
        if agency is None:
            return Blend(None, "", 0.0)
        return Blend(agency, "agency", 0.0)
    if own_evidence >= thin or agency is None:
        return Blend(own, "own", 1.0)
    weight = own_evidence / thin
    return Blend(weight * own + (1 - weight) * agency, "blend", weight)


def win_share(own_step: FunnelStep, all_step: FunnelStep, thin: int) -> float:
    """Wins per prospect reaching the stage, blended on the prospects reaching it."""
    share = blend(own_step.win_share, own_step.reached, all_step.win_share, thin).rate
    return 1.0 if share is None else share


def best_four_week_run(by_week: dict[dt.date, int], weeks: list[dt.date]) -> float:
    """The best sum over four consecutive weeks, per week (missing weeks count as zero)."""
    values = [by_week.get(w, 0) for w in weeks]
    if not values:
        return 0.0
    span = min(LAST_WEEKS, len(values))
    best = max(sum(values[i:i + span]) for i in range(len(values) - span + 1))
    return best / LAST_WEEKS


def with_history(line: PlanLine, inputs: PlanInputs) -> PlanLine:
    by_week = inputs.weekly.get(line.key, {})
    line.best_run = best_four_week_run(by_week, inputs.history)
    line.last_weeks_total = sum(by_week.get(w, 0) for w in inputs.last_weeks)
    return line


class Walk(NamedTuple):
    lines: list[PlanLine]
    problems: list[str]
    first_need: float | None  # prospects needed a week at the first stage
    pace_wins: float | None


def walk_back(inputs: PlanInputs, bound_line: PlanLine, pace_bound: float) -> Walk:
    """Step 4: from the bound stage back to the first one. `multiplier` is how many reach the
    stage per bound prospect; it and `need` become None together once a rate is missing."""
    path = inputs.path
    need: float | None = bound_line.per_week
    multiplier: float | None = 1.0
    pace_wins = pace_bound * bound_line.win_share
    lines, problems = [], []
    for index in range(len(path) - 2, -1, -1):
        line = stage_line(inputs, index)
        if line.rate is None or line.rate <= 0:
            problems.append(_no_rate(path[index], path[index + 1]))
            need = multiplier = None
        elif need is not None:
            need = need / line.rate
            multiplier = multiplier / line.rate
        # The first stage is entered by creating a prospect, which is not a win.
        if index > 0 and multiplier is not None:
            pace_wins += pace_bound * multiplier * line.win_share
        line.per_week = need
        lines.append(with_history(line, inputs))
    return Walk(lines, problems, need, pace_wins if multiplier is not None else None)


def stage_line(inputs: PlanInputs, index: int) -> PlanLine:
    """The line of the path's stage `index`, with its blended conversion to the next stage."""
    stage = inputs.path[index]
    own_step, all_step = inputs.own.steps[index], inputs.everyone.steps[index]
    rate, source, weight = blend(own_step.conversion, own_step.advances_out,
                                 all_step.conversion, inputs.rules.thin)
    return PlanLine(
        key=f"stage:{stage.id}", kind="stage", name=stage.name, ref_id=stage.id,
        rate=rate, source=source, own_rate=own_step.conversion, own_n=own_step.advances_out,
        own_base=own_step.reached, agency_rate=all_step.conversion,
        agency_n=all_step.reached, weight=weight,
        win_share=win_share(own_step, all_step, inputs.rules.thin))


def _no_rate(stage: PathStage, following: PathStage) -> str:
    return (f"None of the prospects counted went on from {stage.name} to {following.name} "
            f"in the last {HISTORY_WEEKS} weeks (a rate of 0), so how many {stage.name} "
            "are needed a week cannot be computed.")


def activity_lines(inputs: PlanInputs, first_need: float | None) -> list[PlanLine]:
    """Step 5: per active type, activities per prospect reaching the first stage; a type
    with no rate at all (or a rate of 0) gives no line."""
    own, everyone = inputs.own, inputs.everyone
    own_ratios = {r.activity_type_id: r for r in own.activity_ratios}
    all_ratios = {r.activity_type_id: r for r in everyone.activity_ratios}
    lines = []
    for kind in inputs.activity_types:
        mine, theirs = own_ratios.get(kind.id), all_ratios.get(kind.id)
        # A type the producer never logged is no history of theirs (not "0 per prospect", which
        # would make its line need nothing or, blended, something they have never once done):
        # the line is the agency's.
        own_rate = mine.per_first_stage if mine else None
        agency_rate = (theirs.per_first_stage if theirs else
                       (0.0 if everyone.first_reached else None))
        rate, source, weight = blend(own_rate, own.first_reached if mine else 0, agency_rate,
                                     inputs.rules.thin)
        if not rate:
            continue
        lines.append(with_history(PlanLine(
            key=f"activity:{kind.id}", kind="activity", name=kind.name, ref_id=kind.id,
            rate=rate, source=source, own_rate=own_rate, own_n=own.first_reached,
            own_base=mine.total if mine else 0, agency_rate=agency_rate,
            agency_n=everyone.first_reached, weight=weight,
            per_week=None if first_need is None else first_need * rate), inputs))
    return lines


def label(lines: list[PlanLine], rules: PlanRules) -> tuple[str, str]:
    """Step 6: (label, reason). Sets each line's ratio and marks the line that decides; a line
    without own history (`judged` false) gets a ratio only against a run it has, and never
    decides."""
    worst: PlanLine | None = None
    unjudged_need = False
    for line in lines:
        line.ratio = _ratio(line)
        if not line.judged:
            unjudged_need = unjudged_need or bool(line.per_week)
        elif line.ratio is not None and (worst is None or line.ratio > worst.ratio):
            worst = line
    if worst is None and unjudged_need:
        return INCOMPLETE, (f"{REALISM_UNCHECKED}: every line still needed rests on agency "
                            "history, with none of this producer's own to check it against.")
    if worst is None:
        return REALISTIC, "Nothing more is needed this year: the goal is reached."
    worst.decides = True
    return label_of(worst.ratio_shown, rules), _label_reason(worst)


def _ratio(line: PlanLine) -> float | None:
    if not line.per_week:
        return None
    if line.best_run:
        return line.per_week / line.best_run
    # No run at all: infinitely short of the need, for a line the producer has history for.
    return math.inf if line.judged else None


def label_of(ratio_shown: float, rules: PlanRules) -> str:
    if ratio_shown > rules.pretend:
        return PRETEND
    if ratio_shown > rules.stretch:
        return STRETCH
    return REALISTIC


def _label_reason(worst: PlanLine) -> str:
    if math.isinf(worst.ratio):
        return (f"Needs {worst.per_week:.1f} {worst.name} a week; there has been none in any "
                "four weeks so far.")
    return (f"Needs {worst.per_week:.1f} {worst.name} a week; the best four-week run so far was "
            f"{worst.best_run:.1f} a week ({worst.ratio:.1f}×).")


# --- the whole plan -----------------------------------------------------------------------------

def setup_problems(inputs: PlanInputs) -> list[str]:
    """What stops a plan before any history is read."""
    problems = []
    if inputs.annual_goal <= 0:
        problems.append("Set an annual new-revenue goal above $0 to get a plan.")
    if not inputs.ends_won:
        problems.append(
            "Your agency's stages have no won stage, so there is nothing to count as bound. "
            "An owner can mark one stage as won.")
    return problems


def plan_calculate(inputs: PlanInputs) -> PlanResult:
    """The plan from the snapshot; incomplete, with the reason, when a step cannot be done."""
    rules = inputs.rules
    result = PlanResult(
        producer_id=inputs.producer_id, year=inputs.today.year, annual_goal=inputs.annual_goal,
        working_weeks=rules.working_weeks,
        weeks_left=working_weeks_left(inputs.today, working_weeks=rules.working_weeks),
        problems=setup_problems(inputs))
    if result.problems or not _revenue(result, inputs.bound, rules.thin):
        result.label_reason = result.problems[0]
        return result
    bound_line = _bound_line(result, inputs)
    walk = walk_back(inputs, bound_line, result.pace_bound_per_week)
    result.lines = [bound_line, *walk.lines, *activity_lines(inputs, walk.first_need)]
    result.problems += walk.problems
    result.pace_wins_per_week = walk.pace_wins
    _note_sources(result, inputs)
    result.label, result.label_reason = _judge(result, rules)
    return result


def _revenue(result: PlanResult, bound: BoundRevenue, thin: int) -> bool:
    """Steps 1 and the average revenue per bound prospect; False when there is none."""
    result.own_bound_n, result.agency_bound_n = bound.own_n, bound.all_n
    result.bound_ytd, result.bound_ytd_count = bound.ytd_sum or Decimal(0), bound.ytd_n
    result.revenue_needed = revenue_needed(result.annual_goal, result.bound_ytd)
    average = revenue_per_bound(bound, thin)
    result.avg_revenue, result.avg_revenue_source = average.revenue, average.source
    result.avg_revenue_weight = average.weight
    result.own_avg_revenue, result.agency_avg_revenue = average.own, average.agency
    if average.source == "agency":
        result.uses_agency_history = True
        result.notes.append(
            f"You have no bound prospect in the last {HISTORY_WEEKS} weeks, so revenue per "
            f"bound prospect is the agency's (${result.avg_revenue:,.0f}, "
            f"{result.agency_bound_n} bound).")
    elif average.source == "blend":
        result.notes.append(
            f"You have bound {result.own_bound_n} of the {thin} prospects a deal size of your "
            f"own needs, so revenue per bound prospect blends your average "
            f"(${average.own:,.0f}) with the agency's (${average.agency:,.0f}) in proportion: "
            f"{100 * average.weight:.0f}% yours (marked “blend”).")
    elif result.avg_revenue is None:
        result.problems.append(
            f"Nobody in the agency has bound a prospect with a revenue in the last "
            f"{HISTORY_WEEKS} weeks, so revenue per bound prospect — and the bound prospects "
            "needed a week — cannot be computed yet.")
        return False
    return True


def _bound_line(result: PlanResult, inputs: PlanInputs) -> PlanLine:
    """Step 3, and the steady pace beside it."""
    won = inputs.path[-1]
    last = len(inputs.path) - 1
    result.pace_bound_per_week = bound_per_week(result.annual_goal, result.avg_revenue,
                                                result.working_weeks)
    if result.revenue_needed == 0:
        result.notes.append(
            f"The goal is already reached this year: ${result.bound_ytd:,.0f} bound. "
            "Keep your pace, or raise the goal.")
    return with_history(PlanLine(
        key=f"stage:{won.id}", kind="bound", name=won.name, ref_id=won.id,
        per_week=bound_per_week(result.revenue_needed, result.avg_revenue, result.weeks_left),
        rate=result.avg_revenue, source=result.avg_revenue_source,
        own_rate=result.own_avg_revenue, own_n=result.own_bound_n,
        agency_rate=result.agency_avg_revenue, agency_n=result.agency_bound_n,
        weight=result.avg_revenue_weight,
        win_share=win_share(inputs.own.steps[last], inputs.everyone.steps[last],
                            inputs.rules.thin)), inputs)


def _note_sources(result: PlanResult, inputs: PlanInputs) -> None:
    sources = {line.source for line in result.lines}
    if "agency" in sources:
        result.uses_agency_history = True
    if "blend" in {line.source for line in result.lines if line.kind != "bound"}:
        result.notes.append(
            f"Where you have fewer than {inputs.rules.thin} advances out of a stage, your rate "
            "is blended with the agency's in proportion to your evidence (marked “blend”).")
    if "agency" in sources and not inputs.own.first_reached:
        result.notes.append("You have no history yet: every rate is based on agency history.")


def _judge(result: PlanResult, rules: PlanRules) -> tuple[str, str]:
    """The label and its reason; realism is only judged against the producer's own history."""
    if result.problems:
        return INCOMPLETE, result.problems[0]
    if result.avg_revenue_source == "agency":
        return INCOMPLETE, (
            f"{REALISM_UNCHECKED}: no prospect of this producer's own was bound in the last "
            f"{HISTORY_WEEKS} weeks, so the plan rests on agency history.")
    return label(result.lines, rules)
