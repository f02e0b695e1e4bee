"""Goal-to-plan, the reads: the ledgers read into the snapshot `calculator` works the plan out
from, stored plans read back, and the limit on an absurd goal. `services` stores plans.

Computing a plan takes a fixed number of queries (about ten) however long the ledgers are,
fewer when it stops early (no goal, no won stage, nobody has bound anything yet).
"""

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from pipeline.models import Activity, ActivityType, Prospect, Stage, StageAdvance, StageWin
from salesculture.models import Agency, Producer
from salesculture.weeks import Week, local_now

from ..models import GoalPlan
from . import calculator
from .funnel import Funnel, funnel_compute, path_stages
from .inputs import ActivityKind, BoundRevenue, PathStage, PlanInputs
from .results import HISTORY_WEEKS, LAST_WEEKS, PlanLine, PlanResult, PlanRules

ABSURD_FACTOR = 100


def plan_rules(agency: Agency | None = None) -> PlanRules:
    """The instance's rules, with the agency's own working weeks per year when given (the
    owner sets them on the agency's settings page; the setting is a new agency's default)."""
    rules = PlanRules.from_settings(settings.SALESCULTURE)
    if agency is not None and agency.working_weeks_per_year:
        rules = dataclasses.replace(rules, working_weeks=agency.working_weeks_per_year)
    return rules


def plan_path(stages: list[Stage]) -> list[Stage]:
    """The plan asks for wins only at stages still in use: a retired stage is never won again."""
    return path_stages([stage for stage in stages if stage.retired_at is None])


def working_weeks_left(agency: Agency, *, working_weeks: int, today: dt.date | None = None) -> int:
    today = today or local_now(agency).date()
    return calculator.working_weeks_left(today, working_weeks=working_weeks)


@dataclass(frozen=True)
class AgencyPlanReads:
    """What every producer's plan in an agency shares, read once when all of them are worked
    out together (the nightly refresh): the stages, the agency's funnel, the bound revenue of
    every producer and the active activity types. Without it each plan reads the whole
    agency's history again."""

    now: dt.datetime
    stages: list[Stage]
    everyone: Funnel
    bound: dict[int, BoundRevenue]  # producer id → their BoundRevenue
    nobody_bound: BoundRevenue  # for a producer with no row: the agency's figures alone
    activity_types: list[ActivityKind]


def agency_plan_reads(agency: Agency, *, now: dt.datetime | None = None) -> AgencyPlanReads:
    """Read once for all of the agency's plans: five queries, however many producers."""
    now = now or timezone.now()
    stages = list(Stage.objects.filter(agency=agency).order_by("position"))
    start = Week.current(agency, now=now).trailing(HISTORY_WEEKS)[0].begins
    everyone = funnel_compute(agency=agency, start=start, end=now, producers=None,
                              stages=stages, with_medians=False)
    own, ytd = _bound_by_producer(agency, start, now)
    all_n = sum(n for n, _ in own.values())
    all_sum = sum((total for _, total in own.values() if total is not None), Decimal(0)) \
        if any(total is not None for _, total in own.values()) else None
    nobody = BoundRevenue(all_n=all_n, all_sum=all_sum)
    bound = {pid: BoundRevenue(own_n=own.get(pid, (0, None))[0],
                               own_sum=own.get(pid, (0, None))[1], all_n=all_n, all_sum=all_sum,
                               ytd_n=ytd.get(pid, (0, None))[0],
                               ytd_sum=ytd.get(pid, (0, None))[1])
             for pid in {*own, *ytd}}
    kinds = [ActivityKind(kind.pk, kind.name) for kind in ActivityType.objects
             .filter(agency=agency, is_active=True).order_by("position", "name")]
    return AgencyPlanReads(now=now, stages=stages, everyone=everyone, bound=bound,
                           nobody_bound=nobody, activity_types=kinds)


def _bound_by_producer(agency: Agency, start: dt.datetime, now: dt.datetime
                       ) -> tuple[dict[int, tuple], dict[int, tuple]]:
    """{owner: (prospects bound in the history window, their revenue)} and {producer: (bound
    by them since January 1st, revenue)}, counted as `_bound_revenue` counts them. Two
    queries."""
    year_start = dt.datetime.combine(dt.date(now.astimezone(agency.tz).year, 1, 1), dt.time.min,
                                     tzinfo=agency.tz)
    won_in_history = StageAdvance.objects.filter(
        prospect=OuterRef("pk"), to_stage__kind=Stage.Kind.WON, occurred_at__gte=start,
        occurred_at__lt=now)
    own = {row["owner_id"]: (row["n"], row["total"]) for row in
           Prospect.all_objects.filter(agency=agency).filter(Exists(won_in_history))
           .values("owner_id").annotate(n=Count("id"), total=Sum("estimated_revenue"))
           .order_by()}
    ytd: dict[int, tuple] = {}
    # A prospect bound twice by one producer this year counts once, as in `_bound_revenue`.
    # An imported prospect already bound was bound before the import, on a day nobody knows:
    # not this year's revenue (its size still counts in the history's average).
    for producer_id, _, revenue in (StageAdvance.objects
                                    .filter(agency=agency, to_stage__kind=Stage.Kind.WON,
                                            occurred_at__gte=year_start, occurred_at__lt=now,
                                            source=StageAdvance.Source.LIVE)
                                    .values_list("producer_id", "prospect_id",
                                                 "prospect__estimated_revenue")
                                    .distinct().order_by()):
        n, total = ytd.get(producer_id, (0, Decimal(0)))
        ytd[producer_id] = (n + 1, total + revenue)
    return own, ytd


def plan_compute(*, producer: Producer, annual_goal: Decimal | None = None,
                 now: dt.datetime | None = None,
                 shared: AgencyPlanReads | None = None) -> PlanResult:
    """The plan for the producer's goal (or `annual_goal`, to preview one). Reads only, and
    only as far as the plan can go: each early stop is a query or more not made. With
    `shared` (read once for the agency) only the producer's own ledgers are read."""
    now = shared.now if shared is not None else (now or timezone.now())
    inputs, stages = _plan_basics(producer, annual_goal, now, shared)  # one query, or none
    if not calculator.setup_problems(inputs):
        _read_history(inputs, producer, stages, now, shared)  # five queries, or two
        if calculator.revenue_per_bound(inputs.bound, inputs.rules.thin).revenue is not None:
            _read_weeks(inputs, producer, stages, now, shared)  # three queries
    return calculator.plan_calculate(inputs)


def _plan_basics(producer: Producer, annual_goal: Decimal | None, now: dt.datetime,
                 shared: AgencyPlanReads | None) -> tuple[PlanInputs, list[Stage]]:
    agency = producer.agency
    stages = shared.stages if shared is not None else list(
        Stage.objects.filter(agency=agency).order_by("position"))
    path = plan_path(stages)
    inputs = PlanInputs(
        producer_id=producer.pk, today=now.astimezone(agency.tz).date(),
        annual_goal=Decimal(producer.annual_goal if annual_goal is None else annual_goal),
        rules=plan_rules(agency), path=[PathStage(stage.pk, stage.name) for stage in path],
        ends_won=bool(path) and path[-1].kind == Stage.Kind.WON)
    return inputs, stages


def _history_start(producer: Producer, now: dt.datetime) -> dt.datetime:
    return Week.current(producer.agency, now=now).trailing(HISTORY_WEEKS)[0].begins


def _read_history(inputs: PlanInputs, producer: Producer, stages: list[Stage],
                  now: dt.datetime, shared: AgencyPlanReads | None) -> None:
    """The producer's and the agency's funnels, and the revenue bound."""
    agency, start = producer.agency, _history_start(producer, now)
    mine = Producer.objects.filter(pk=producer.pk)
    inputs.own = funnel_compute(agency=agency, start=start, end=now, producers=mine,
                                stages=stages, with_medians=False)
    if shared is not None:
        inputs.everyone = shared.everyone
        inputs.bound = shared.bound.get(producer.pk, shared.nobody_bound)
        return
    inputs.everyone = funnel_compute(agency=agency, start=start, end=now, producers=None,
                                     stages=stages, with_medians=False)
    inputs.bound = _bound_revenue(producer, start, now)


def _bound_revenue(producer: Producer, start: dt.datetime, now: dt.datetime) -> BoundRevenue:
    """Revenue per bound prospect (own and agency) since `start`, and the revenue the producer
    bound since January 1st. One query."""
    agency = producer.agency
    year_start = dt.datetime.combine(dt.date(now.astimezone(agency.tz).year, 1, 1), dt.time.min,
                                     tzinfo=agency.tz)
    won_in_history = StageAdvance.objects.filter(
        prospect=OuterRef("pk"), to_stage__kind=Stage.Kind.WON, occurred_at__gte=start,
        occurred_at__lt=now)
    won_this_year = StageAdvance.objects.filter(
        prospect=OuterRef("pk"), to_stage__kind=Stage.Kind.WON, producer=producer,
        occurred_at__gte=year_start, occurred_at__lt=now,
        source=StageAdvance.Source.LIVE)  # an imported Bound was bound before, unknown when
    # all_objects: a prospect bound and deleted since was still bound (history, like its win).
    bound = (Prospect.all_objects.filter(agency=agency)
             .alias(in_history=Exists(won_in_history), this_year=Exists(won_this_year))
             .filter(Q(in_history=True) | Q(this_year=True))
             .aggregate(
                 own_n=Count("id", filter=Q(in_history=True, owner=producer)),
                 own_sum=Sum("estimated_revenue", filter=Q(in_history=True, owner=producer)),
                 all_n=Count("id", filter=Q(in_history=True)),
                 all_sum=Sum("estimated_revenue", filter=Q(in_history=True)),
                 ytd_n=Count("id", filter=Q(this_year=True)),
                 ytd_sum=Sum("estimated_revenue", filter=Q(this_year=True))))
    return BoundRevenue(own_n=bound["own_n"] or 0, own_sum=bound["own_sum"],
                        all_n=bound["all_n"] or 0, all_sum=bound["all_sum"],
                        ytd_n=bound["ytd_n"] or 0, ytd_sum=bound["ytd_sum"])


def _read_weeks(inputs: PlanInputs, producer: Producer, stages: list[Stage],
                now: dt.datetime, shared: AgencyPlanReads | None) -> None:
    """Each line's history week by week (for the best run and the last four weeks), and the
    active activity types."""
    this_week = Week.current(producer.agency, now=now)
    history = this_week.trailing(HISTORY_WEEKS)
    inputs.history = [week.start for week in history]
    inputs.last_weeks = [week.start for week in this_week.previous.trailing(LAST_WEEKS)]
    inputs.weekly = _weekly_counts(producer, history[0].begins, now, plan_path(stages))
    inputs.activity_types = shared.activity_types if shared is not None else [
        ActivityKind(kind.pk, kind.name) for kind in
        ActivityType.objects.filter(agency=producer.agency, is_active=True)
        .order_by("position", "name")]


def _weekly_counts(producer: Producer, start: dt.datetime, end: dt.datetime,
                   path: list[Stage]) -> dict[str, dict[dt.date, int]]:
    """{line key: {week Monday: count}} from the ledgers. Three aggregate queries.

    A stage line counts, each week, the prospects that reached the stage for the first time,
    as the funnel whose rates the plan uses counts them: the stage wins of the week
    (pipeline/wins.py: a skip reaches every stage it passes; a move out of Lost counts when it
    goes beyond the furthest stage reached; moving back reaches nothing new), plus the
    prospects created in the stage or past it. Activity lines are the quantities logged."""
    agency = producer.agency
    counts: dict[str, dict[dt.date, int]] = {}
    weekly = {"week": TruncWeek("occurred_at", tzinfo=agency.tz)}
    for row in (StageWin.objects
                .filter(producer=producer, occurred_at__gte=start, occurred_at__lt=end)
                .annotate(**weekly).values("week", "stage_id").annotate(n=Count("id"))
                .order_by()):
        _add(counts, f"stage:{row['stage_id']}", Week.of(agency, row["week"]).start, row["n"])
    created = {
        f"s{s.pk}": Count("id", filter=Q(to_stage__position__gte=s.position)) for s in path}
    for row in (StageAdvance.objects
                .filter(producer=producer, from_stage__isnull=True, occurred_at__gte=start,
                        occurred_at__lt=end)
                .exclude(to_stage__kind=Stage.Kind.LOST)
                # A spreadsheet brought in is not a week of selling: it would make the import's
                # week everyone's best run.
                .exclude(source=StageAdvance.Source.IMPORTED)
                .annotate(**weekly).values("week").annotate(**created).order_by()):
        monday = Week.of(agency, row["week"]).start
        for s in path:
            _add(counts, f"stage:{s.pk}", monday, row[f"s{s.pk}"])
    for row in (Activity.objects
                .filter(producer=producer, occurred_at__gte=start, occurred_at__lt=end)
                .annotate(week=TruncWeek("occurred_at", tzinfo=agency.tz))
                .values("week", "activity_type_id").annotate(n=Sum("quantity")).order_by()):
        _add(counts, f"activity:{row['activity_type_id']}", Week.of(agency, row["week"]).start,
             row["n"])
    return counts


def _add(counts: dict[str, dict[dt.date, int]], line: str, monday: dt.date, n: int) -> None:
    if n:
        week = counts.setdefault(line, {})
        week[monday] = week.get(monday, 0) + n


# --- reading stored plans --------------------------------------------------------------------

def goal_plan_for(producer: Producer, year: int) -> GoalPlan | None:
    return GoalPlan.objects.filter(producer=producer, year=year).first()


def plan_result_from(plan: GoalPlan) -> PlanResult:
    """A stored plan back into the shape the page renders (no queries)."""
    rows = list(plan.lines or [])
    summary = next((r for r in rows if r.get("kind") == "summary"), {})
    result = PlanResult(
        producer_id=plan.producer_id, year=plan.year, annual_goal=plan.annual_goal,
        working_weeks=plan.working_weeks, weeks_left=plan.weeks_left, label=plan.label,
        label_reason=plan.label_reason,
        lines=[PlanLine.from_json(r) for r in rows if r.get("kind") != "summary"])
    for key in ("bound_ytd_count", "avg_revenue", "avg_revenue_source", "avg_revenue_weight",
                "own_avg_revenue", "agency_avg_revenue", "own_bound_n",
                "agency_bound_n", "problems", "notes", "uses_agency_history", "history_weeks",
                "pace_bound_per_week", "pace_wins_per_week"):
        if key in summary:
            setattr(result, key, summary[key])
    for key in ("bound_ytd", "revenue_needed"):
        if key in summary:
            setattr(result, key, Decimal(summary[key]))
    return result


def absurd_goal_limit(agency: Agency, *, now: dt.datetime | None = None) -> Decimal | None:
    """100 × the bound revenue of the agency's best producer over the last year; None when
    nobody has bound anything (then only the field's own limit applies). One query."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=365)
    won = StageAdvance.objects.filter(prospect=OuterRef("pk"), to_stage__kind=Stage.Kind.WON,
                                      occurred_at__gte=since, occurred_at__lt=now)
    best = (Prospect.all_objects.filter(agency=agency).filter(Exists(won))
            .values("owner_id").annotate(total=Sum("estimated_revenue"))
            .order_by("-total").values_list("total", flat=True).first())
    return Decimal(best) * ABSURD_FACTOR if best else None


def commitments_proposal(result: PlanResult, *, cap: int | None = None) -> dict[str, int]:
    """Next week's commitments proposed by the plan, as the commitments page's GET fields:
    activity_<type id>, wins_<stage id> (the won stage) and wins_any (all forward advances).
    Rounded up: a commitment of 0.6 bound is a commitment of 1. `cap` is the largest target
    the commitments form takes; a pretend plan is proposed at that cap, to be edited."""
    if result.is_incomplete and not result.lines:
        return {}
    proposal: dict[str, int] = {}
    stage_lines = [line for line in result.lines if line.kind == "stage"]
    # The first stage is entered by creating a prospect, which is not a win: it is left out.
    # Stage lines count prospects reaching a stage (skips included); wins_any is judged on
    # scorecard wins (one per move), so each line is weighted by its share of wins.
    first_stage = stage_lines[-1] if stage_lines else None
    wins_any = 0.0
    for line in result.lines:
        if line.per_week is None or line.per_week <= 0:
            continue
        share = 1.0 if line.win_share is None else line.win_share
        if line.kind == "activity":
            proposal[f"activity_{line.ref_id}"] = _round_up(line.per_week)
        elif line.kind == "bound":
            proposal[f"wins_{line.ref_id}"] = _round_up(line.per_week)
            wins_any += line.per_week * share
        elif line is not first_stage:
            wins_any += line.per_week * share
    if wins_any > 0:
        proposal["wins_any"] = _round_up(wins_any)
    if cap is not None:
        proposal = {key: min(value, cap) for key, value in proposal.items()}
    return proposal


def _round_up(need: float) -> int:
    # A need that float arithmetic leaves at 2.0000000001 is a commitment of 2, not 3.
    return math.ceil(need - 1e-9)
