"""Goal-to-plan: an annual revenue goal turned, with the producer's own history, into what is
needed each week at every stage and in activities — and checked against the producer's best
four-week run (realistic / stretch / pretend).

Everything here reads; `services.plans` stores the result in GoalPlan. The computation uses a
fixed number of queries (about ten) however long the ledgers are.

The numbers, in order:
1. Revenue still needed this year = annual goal − revenue of the producer's prospects bound
   since January 1st (agency time zone).
2. Working weeks left = calendar weeks left in the year (this one included) scaled by
   WORKING_WEEKS_PER_YEAR / 52, rounded, at least 1.
3. Bound a week = revenue needed ÷ average revenue per bound prospect ÷ working weeks left.
4. Walking the path backwards: need(stage) = need(next stage) ÷ conversion(stage → next).
   Conversion is the producer's own (from the funnel over the last HISTORY_WEEKS weeks); with
   fewer than THIN_HISTORY_ADVANCES advances out of the stage it is blended with the agency's
   rate in proportion to the evidence: w = advances ÷ N, rate = w·own + (1 − w)·agency.
5. Activities a week, per type = need(first stage) × activities of that type per prospect
   reaching the first stage (blended the same way, the evidence being those prospects).
6. The label: every line's weekly need ÷ the producer's best four consecutive weeks of that
   line (per week); the largest ratio decides, as shown to one decimal: above PRETEND_RATIO
   pretend, above STRETCH_RATIO stretch, otherwise realistic.

Two ways of counting stages, reconciled here: the funnel (and so every rate and every stage
line of the plan, its last four weeks and its best run) counts the prospects that *reached* a
stage, a skip counting for the stages skipped over; scorecards, commitments and role fit count
*wins*, one per forward move. Where the plan speaks in wins (the proposed "wins_any"
commitment, the steady-pace wins role fit compares scorecards with) each stage's need is
weighted by its win share: wins into the stage ÷ prospects reaching it.
"""

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from pipeline.models import Activity, ActivityType, Prospect, Stage, StageAdvance
from salesculture.models import Agency, Producer
from salesculture.weeks import Week, local_now

from ..models import GoalPlan
from .funnel import funnel_compute, path_stages

HISTORY_WEEKS = 52
ABSURD_FACTOR = 100
LAST_WEEKS = 4


def rules() -> dict:
    conf = settings.SALESCULTURE
    return {
        "working_weeks": int(conf.get("WORKING_WEEKS_PER_YEAR", 48)),
        "thin": int(conf.get("THIN_HISTORY_ADVANCES", 10)),
        "stretch": float(conf.get("STRETCH_RATIO", 1.0)),
        "pretend": float(conf.get("PRETEND_RATIO", 1.5)),
    }


@dataclass
class PlanLine:
    key: str  # "stage:<id>" or "activity:<id>"
    kind: str  # "bound", "stage", "activity"
    name: str
    ref_id: int
    per_week: float | None = None
    # How this line follows from the one above it (a stage's conversion to the next step, or
    # an activity type's count per prospect reaching the first stage).
    rate: float | None = None
    source: str = ""  # "own", "blend", "agency"
    own_rate: float | None = None
    own_n: int = 0  # the evidence: advances out of the stage, or prospects reaching stage 1
    own_base: int = 0  # the denominator of the own rate (prospects that reached the stage)
    agency_rate: float | None = None
    agency_n: int = 0
    weight: float = 0.0  # share of the own rate in a blend
    last_weeks_total: int = 0
    best_run: float = 0.0  # best four consecutive weeks, per week
    ratio: float | None = None  # per_week ÷ best_run (None: no need or not computed)
    decides: bool = False
    # Wins (forward moves into the stage itself, as scorecards count them) per prospect
    # reaching the stage: below 1 where the stage is often skipped. None in plans stored
    # before it existed: read as 1.
    win_share: float | None = None

    @property
    def rate_pct(self) -> float | None:
        return None if self.rate is None else 100 * self.rate

    @property
    def own_pct(self) -> float | None:
        return None if self.own_rate is None else 100 * self.own_rate

    @property
    def agency_pct(self) -> float | None:
        return None if self.agency_rate is None else 100 * self.agency_rate

    @property
    def own_reached_next(self) -> int:
        return round((self.own_rate or 0) * self.own_base)

    @property
    def weight_pct(self) -> float:
        return 100 * self.weight

    @property
    def last_weeks_per_week(self) -> float:
        return self.last_weeks_total / LAST_WEEKS

    @property
    def ratio_shown(self) -> float | None:
        """The ratio as the page shows it (one decimal); the label is decided on it, so a
        line shown as 1.0× is never what makes a plan a stretch."""
        if self.ratio is None or math.isinf(self.ratio):
            return self.ratio
        return round(self.ratio, 1)

    @property
    def ratio_is_infinite(self) -> bool:
        return self.ratio is not None and math.isinf(self.ratio)

    def as_json(self) -> dict:
        data = {k: v for k, v in self.__dict__.items()}
        if data["ratio"] is not None and math.isinf(data["ratio"]):
            data["ratio"] = "inf"
        return data

    @classmethod
    def from_json(cls, data: dict) -> "PlanLine":
        data = dict(data)
        if data.get("ratio") == "inf":
            data["ratio"] = math.inf
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass
class PlanResult:
    producer_id: int
    year: int
    annual_goal: Decimal
    working_weeks: int
    weeks_left: int
    label: str = GoalPlan.Label.INCOMPLETE
    label_reason: str = ""
    lines: list[PlanLine] = field(default_factory=list)
    bound_ytd: Decimal = Decimal(0)
    bound_ytd_count: int = 0
    revenue_needed: Decimal = Decimal(0)
    avg_revenue: float | None = None
    avg_revenue_source: str = ""  # "own" or "agency"
    own_bound_n: int = 0
    agency_bound_n: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    uses_agency_history: bool = False
    history_weeks: int = HISTORY_WEEKS
    # The whole goal spread over a full working year, for reference next to the catch-up plan.
    pace_bound_per_week: float | None = None
    # Forward stage advances a week at that steady pace (the won stage and every stage after
    # the first), counted as scorecards count wins — one per move, so a stage the producer
    # usually skips adds little (see PlanLine.win_share): what role fit measures wins against.
    pace_wins_per_week: float | None = None

    @property
    def bound_line(self) -> PlanLine | None:
        return next((line for line in self.lines if line.kind == "bound"), None)

    @property
    def chain_lines(self) -> list[PlanLine]:
        """Bound ← each stage ← the busiest activity, as in “0.9 bound ← … ← 38 calls”."""
        chain = [line for line in self.lines if line.kind != "activity"]
        activities = [line for line in self.lines
                      if line.kind == "activity" and line.per_week is not None]
        if activities:
            chain.append(max(activities, key=lambda line: line.per_week))
        return chain

    @property
    def is_incomplete(self) -> bool:
        return self.label == GoalPlan.Label.INCOMPLETE

    @property
    def decisive_line(self) -> PlanLine | None:
        return next((line for line in self.lines if line.decides), None)

    def summary_json(self) -> dict:
        return {
            "kind": "summary", "bound_ytd": str(self.bound_ytd),
            "bound_ytd_count": self.bound_ytd_count, "revenue_needed": str(self.revenue_needed),
            "avg_revenue": self.avg_revenue, "avg_revenue_source": self.avg_revenue_source,
            "own_bound_n": self.own_bound_n, "agency_bound_n": self.agency_bound_n,
            "problems": self.problems, "notes": self.notes,
            "uses_agency_history": self.uses_agency_history, "history_weeks": self.history_weeks,
            "pace_bound_per_week": self.pace_bound_per_week,
            "pace_wins_per_week": self.pace_wins_per_week,
        }


def working_weeks_left(agency: Agency, *, working_weeks: int, today: dt.date | None = None) -> int:
    today = today or local_now(agency).date()
    this_week = Week.of(agency, today)
    last_week_of_year = Week.of(agency, dt.date(today.year, 12, 31))
    calendar_weeks = (last_week_of_year.start - this_week.start).days // 7 + 1
    return max(1, round(calendar_weeks * working_weeks / 52))


def _blend(own: float | None, own_evidence: int, agency: float | None, thin: int):
    """(rate, source, weight) — own when the evidence is enough, agency when there is none."""
    if own is None or own_evidence <= 0:
        if agency is None:
            return None, "", 0.0
        return agency, "agency", 0.0
    if own_evidence >= thin or agency is None:
        return own, "own", 1.0
    weight = own_evidence / thin
    return weight * own + (1 - weight) * agency, "blend", weight


def _weekly_counts(producer: Producer, start: dt.datetime, end: dt.datetime, path: list[Stage]):
    """{line key: {week Monday: count}} from the ledgers. Two aggregate queries.

    A stage line counts, each week, the prospects that reached the stage the way the funnel
    counts them (the rates come from the funnel, so the history they are checked against must
    be counted alike): a forward move or a creation into the stage *or past it* reaches it, so
    a skip Lead → Discovery done counts for Contacted and Appointment set too. Backward moves
    reach nothing new. Activity lines are the quantities logged, by type."""
    tz = producer.agency.tz
    counts: dict[str, dict[dt.date, int]] = {}
    moves = (StageAdvance.objects
             .filter(producer=producer, occurred_at__gte=start, occurred_at__lt=end)
             .exclude(to_stage__kind=Stage.Kind.LOST))
    reach = {
        f"s{s.pk}": Count("prospect", distinct=True, filter=(
            Q(to_stage__position__gte=s.position)
            & (Q(from_stage__isnull=True) | Q(from_stage__position__lt=s.position))))
        for s in path}
    if reach:
        for row in (moves.annotate(week=TruncWeek("occurred_at", tzinfo=tz))
                    .values("week").annotate(**reach).order_by()):
            week = _as_date(row["week"], tz)
            for s in path:
                if row[f"s{s.pk}"]:
                    counts.setdefault(f"stage:{s.pk}", {})[week] = row[f"s{s.pk}"]
    for row in (Activity.objects
                .filter(producer=producer, occurred_at__gte=start, occurred_at__lt=end)
                .annotate(week=TruncWeek("occurred_at", tzinfo=tz))
                .values("week", "activity_type_id").annotate(n=Sum("quantity")).order_by()):
        week = _as_date(row["week"], tz)
        line = counts.setdefault(f"activity:{row['activity_type_id']}", {})
        line[week] = line.get(week, 0) + row["n"]
    return counts


def _as_date(value, tz) -> dt.date:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(tz)
        return value.date()
    return value


def best_four_week_run(by_week: dict[dt.date, int], weeks: list[dt.date]) -> float:
    """The best sum over four consecutive weeks, per week (missing weeks count as zero)."""
    values = [by_week.get(w, 0) for w in weeks]
    if not values:
        return 0.0
    span = min(LAST_WEEKS, len(values))
    best = max(sum(values[i:i + span]) for i in range(len(values) - span + 1))
    return best / LAST_WEEKS


def plan_compute(*, producer: Producer, annual_goal: Decimal | None = None,
                 now: dt.datetime | None = None) -> PlanResult:
    """The plan for the producer's goal (or `annual_goal`, to preview one). Reads only."""
    agency = producer.agency
    now = now or timezone.now()
    conf = rules()
    today = now.astimezone(agency.tz).date()
    goal = Decimal(producer.annual_goal if annual_goal is None else annual_goal)
    result = PlanResult(producer_id=producer.pk, year=today.year, annual_goal=goal,
                        working_weeks=conf["working_weeks"],
                        weeks_left=working_weeks_left(agency, working_weeks=conf["working_weeks"],
                                                      today=today))
    stages = list(Stage.objects.filter(agency=agency).order_by("position"))
    path = path_stages(stages)
    won = path[-1] if path and path[-1].kind == Stage.Kind.WON else None

    if goal <= 0:
        result.problems.append("Set an annual new-revenue goal above $0 to get a plan.")
    if won is None:
        result.problems.append(
            "Your agency's stages have no won stage, so there is nothing to count as bound. "
            "An owner can mark one stage as won.")
    if result.problems:
        result.label_reason = result.problems[0]
        return result

    this_week = Week.of(agency, today).start
    history_first = this_week - dt.timedelta(weeks=HISTORY_WEEKS - 1)
    start = Week(history_first, agency.tz).begins
    mine = Producer.objects.filter(pk=producer.pk)
    own = funnel_compute(agency=agency, start=start, end=now, producers=mine, stages=stages,
                         with_medians=False)
    everyone = funnel_compute(agency=agency, start=start, end=now, producers=None,
                              stages=stages, with_medians=False)

    # Revenue per bound prospect (own and agency) and the revenue already bound this year.
    year_start = dt.datetime.combine(dt.date(today.year, 1, 1), dt.time.min, tzinfo=agency.tz)
    won_in_history = StageAdvance.objects.filter(
        prospect=OuterRef("pk"), to_stage__kind=Stage.Kind.WON, occurred_at__gte=start,
        occurred_at__lt=now)
    won_this_year = StageAdvance.objects.filter(
        prospect=OuterRef("pk"), to_stage__kind=Stage.Kind.WON, producer=producer,
        occurred_at__gte=year_start, occurred_at__lt=now)
    bound = (Prospect.objects.filter(agency=agency)
             .alias(in_history=Exists(won_in_history), this_year=Exists(won_this_year))
             .filter(Q(in_history=True) | Q(this_year=True))
             .aggregate(
                 own_n=Count("id", filter=Q(in_history=True, owner=producer)),
                 own_sum=Sum("estimated_revenue", filter=Q(in_history=True, owner=producer)),
                 all_n=Count("id", filter=Q(in_history=True)),
                 all_sum=Sum("estimated_revenue", filter=Q(in_history=True)),
                 ytd_n=Count("id", filter=Q(this_year=True)),
                 ytd_sum=Sum("estimated_revenue", filter=Q(this_year=True))))
    result.own_bound_n = bound["own_n"] or 0
    result.agency_bound_n = bound["all_n"] or 0
    result.bound_ytd = bound["ytd_sum"] or Decimal(0)
    result.bound_ytd_count = bound["ytd_n"] or 0
    result.revenue_needed = max(goal - result.bound_ytd, Decimal(0))
    if result.own_bound_n and bound["own_sum"]:
        result.avg_revenue = float(bound["own_sum"]) / result.own_bound_n
        result.avg_revenue_source = "own"
    elif result.agency_bound_n and bound["all_sum"]:
        result.avg_revenue = float(bound["all_sum"]) / result.agency_bound_n
        result.avg_revenue_source = "agency"
        result.uses_agency_history = True
        result.notes.append(
            f"You have no bound prospect in the last {HISTORY_WEEKS} weeks, so revenue per "
            f"bound prospect is the agency's (${result.avg_revenue:,.0f}, "
            f"{result.agency_bound_n} bound).")
    else:
        result.problems.append(
            f"Nobody in the agency has bound a prospect with a revenue in the last "
            f"{HISTORY_WEEKS} weeks, so revenue per bound prospect — and the bound prospects "
            "needed a week — cannot be computed yet.")
        result.label_reason = result.problems[0]
        return result

    # Weekly history, for the best run and the last four weeks.
    weeks = [history_first + dt.timedelta(weeks=i) for i in range(HISTORY_WEEKS)]
    weekly = _weekly_counts(producer, start, now, path)
    last_weeks = [this_week - dt.timedelta(weeks=i) for i in range(LAST_WEEKS, 0, -1)]

    def with_history(line: PlanLine) -> PlanLine:
        by_week = weekly.get(line.key, {})
        line.best_run = best_four_week_run(by_week, weeks)
        line.last_weeks_total = sum(by_week.get(w, 0) for w in last_weeks)
        return line

    bound_per_week = float(result.revenue_needed) / result.avg_revenue / result.weeks_left
    result.pace_bound_per_week = float(goal) / result.avg_revenue / result.working_weeks
    def win_share(index: int) -> float:
        own_step, all_step = own.steps[index], everyone.steps[index]
        share, _, _ = _blend(own_step.win_share, own_step.reached, all_step.win_share,
                             conf["thin"])
        return 1.0 if share is None else share

    bound_line = with_history(PlanLine(
        key=f"stage:{won.pk}", kind="bound", name=won.name, ref_id=won.pk,
        per_week=bound_per_week, rate=result.avg_revenue, source=result.avg_revenue_source,
        own_n=result.own_bound_n, agency_n=result.agency_bound_n,
        win_share=win_share(len(path) - 1)))
    lines = [bound_line]
    if result.revenue_needed == 0:
        result.notes.append(
            f"The goal is already reached this year: ${result.bound_ytd:,.0f} bound. "
            "Keep your pace, or raise the goal.")

    # Walk the path backwards; `multiplier` is how many reach the stage per bound prospect.
    need = bound_per_week
    multiplier: float | None = 1.0
    pace_wins = result.pace_bound_per_week * bound_line.win_share
    for index in range(len(path) - 2, -1, -1):
        stage, following = path[index], path[index + 1]
        own_step, all_step = own.steps[index], everyone.steps[index]
        own_rate = own_step.conversion
        rate, source, weight = _blend(own_rate, own_step.advances_out, all_step.conversion,
                                      conf["thin"])
        line = PlanLine(
            key=f"stage:{stage.pk}", kind="stage", name=stage.name, ref_id=stage.pk,
            rate=rate, source=source, own_rate=own_rate, own_n=own_step.advances_out,
            own_base=own_step.reached, agency_rate=all_step.conversion,
            agency_n=all_step.reached, weight=weight, win_share=win_share(index))
        if rate is None or rate <= 0:
            result.problems.append(
                f"None of the prospects counted went on from {stage.name} to {following.name} "
                f"in the last {HISTORY_WEEKS} weeks (a rate of 0), so how many {stage.name} "
                "are needed a week cannot be computed.")
            need = multiplier = None
        elif need is not None:
            need = need / rate
            multiplier = multiplier / rate
        if index > 0 and multiplier is not None and pace_wins is not None:
            pace_wins += result.pace_bound_per_week * multiplier * line.win_share
        line.per_week = need
        lines.append(with_history(line))

    result.pace_wins_per_week = pace_wins if multiplier is not None else None

    # Activities per prospect reaching the first stage.
    first_need = need
    own_ratios = {r.activity_type_id: r for r in own.activity_ratios}
    all_ratios = {r.activity_type_id: r for r in everyone.activity_ratios}
    active = list(ActivityType.objects.filter(agency=agency, is_active=True)
                  .order_by("position", "name"))
    for activity_type in active:
        mine_ratio = own_ratios.get(activity_type.pk)
        all_ratio = all_ratios.get(activity_type.pk)
        own_rate = (mine_ratio.per_first_stage if mine_ratio else
                    (0.0 if own.first_reached else None))
        agency_rate = (all_ratio.per_first_stage if all_ratio else
                       (0.0 if everyone.first_reached else None))
        rate, source, weight = _blend(own_rate, own.first_reached, agency_rate, conf["thin"])
        if not rate:
            continue
        line = PlanLine(
            key=f"activity:{activity_type.pk}", kind="activity", name=activity_type.name,
            ref_id=activity_type.pk, rate=rate, source=source, own_rate=own_rate,
            own_n=own.first_reached, own_base=mine_ratio.total if mine_ratio else 0,
            agency_rate=agency_rate, agency_n=everyone.first_reached, weight=weight,
            per_week=None if first_need is None else first_need * rate)
        lines.append(with_history(line))
    result.lines = lines

    sources = {line.source for line in lines}
    if "agency" in sources:
        result.uses_agency_history = True
    if "blend" in sources:
        result.notes.append(
            f"Where you have fewer than {conf['thin']} advances out of a stage, your rate is "
            "blended with the agency's in proportion to your evidence (marked “blend”).")
    if "agency" in sources and not own.first_reached:
        result.notes.append("You have no history yet: every rate is based on agency history.")

    if result.problems:
        result.label = GoalPlan.Label.INCOMPLETE
        result.label_reason = result.problems[0]
        return result
    if result.avg_revenue_source != "own":
        result.label = GoalPlan.Label.INCOMPLETE
        result.label_reason = (
            "Realism cannot be checked yet: no prospect of this producer's own was bound in "
            f"the last {HISTORY_WEEKS} weeks, so the plan rests on agency history.")
        return result
    _label(result, conf)
    return result


def _label(result: PlanResult, conf: dict) -> None:
    worst: PlanLine | None = None
    for line in result.lines:
        if not line.per_week:
            line.ratio = None
            continue
        line.ratio = line.per_week / line.best_run if line.best_run else math.inf
        if worst is None or line.ratio > worst.ratio:
            worst = line
    if worst is None:
        result.label = GoalPlan.Label.REALISTIC
        result.label_reason = "Nothing more is needed this year: the goal is reached."
        return
    worst.decides = True
    if worst.ratio_shown > conf["pretend"]:
        result.label = GoalPlan.Label.PRETEND
    elif worst.ratio_shown > conf["stretch"]:
        result.label = GoalPlan.Label.STRETCH
    else:
        result.label = GoalPlan.Label.REALISTIC
    if math.isinf(worst.ratio):
        result.label_reason = (f"Needs {worst.per_week:.1f} {worst.name} a week; there has been "
                               "none in any four weeks so far.")
    else:
        result.label_reason = (
            f"Needs {worst.per_week:.1f} {worst.name} a week; the best four-week run so far was "
            f"{worst.best_run:.1f} a week ({worst.ratio:.1f}×).")


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
    for key in ("bound_ytd_count", "avg_revenue", "avg_revenue_source", "own_bound_n",
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
    best = (Prospect.objects.filter(agency=agency).filter(Exists(won))
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
            proposal[f"activity_{line.ref_id}"] = math.ceil(line.per_week - 1e-9)
        elif line.kind == "bound":
            proposal[f"wins_{line.ref_id}"] = math.ceil(line.per_week - 1e-9)
            wins_any += line.per_week * share
        elif line is not first_stage:
            wins_any += line.per_week * share
    if wins_any > 0:
        proposal["wins_any"] = math.ceil(wins_any - 1e-9)
    if cap is not None:
        proposal = {key: min(value, cap) for key, value in proposal.items()}
    return proposal
