import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from pipeline.models import Prospect, Stage, StageAdvance
from salesculture.models import Producer
from salesculture.weeks import Week

from ..models import ConfidenceCheckIn, WeeklyScorecard
from ..planning.selectors import goal_plan_for, plan_compute, plan_result_from


def check_in_for_week(producer: Producer, week_start: dt.date) -> ConfidenceCheckIn | None:
    return ConfidenceCheckIn.objects.filter(producer=producer, week_start=week_start).first()


# --- the confidence panel: self-ratings next to what the ledgers measure ---------------------

PANEL_WEEKS = 13


@dataclass
class ConfidenceWeek:
    week: dt.date
    check_in: ConfidenceCheckIn | None = None
    process_adherence: Decimal | None = None  # percent of wins meeting the process
    kept: int = 0
    total: int = 0
    weighted_pipeline: float = 0.0
    revenue_needed: float | None = None
    coverage: float | None = None  # weighted pipeline ÷ revenue still needed
    goal_met: bool = False

    @property
    def kept_pct(self) -> float | None:
        return 100 * self.kept / self.total if self.total else None

    @property
    def coverage_pct(self) -> float | None:
        return None if self.coverage is None else 100 * self.coverage

    @property
    def coverage_meter(self) -> float | None:
        """How full the coverage meter is: coverage beyond 100% fills it."""
        return None if self.coverage is None else min(100, self.coverage_pct)


def win_probabilities(producer: Producer, *, now: dt.datetime | None = None) -> dict[int, float]:
    """{open stage id: chance a prospect there is bound}, the product of the plan's stage
    conversions from that stage on (the producer's own rates, blended with the agency's when
    thin). Read from the stored plan of the year, computed when there is none."""
    now = now or timezone.now()
    year = now.astimezone(producer.agency.tz).year
    stored = goal_plan_for(producer, year)
    result = plan_result_from(stored) if stored else plan_compute(producer=producer, now=now)
    chance: dict[int, float] = {}
    running = 1.0
    for line in result.lines:  # bound first, then each stage walking backwards
        if line.kind == "bound":
            chance[line.ref_id] = 1.0
        elif line.kind == "stage":
            running = running * line.rate if line.rate else 0.0
            chance[line.ref_id] = running
    return chance


def confidence_panel(producer: Producer, *, weeks: int = PANEL_WEEKS,
                     now: dt.datetime | None = None) -> list[ConfidenceWeek]:
    """The last `weeks` weeks (this one last): check-ins, process adherence and kept
    commitments from the scorecards, and pipeline coverage replayed from the stage ledger.
    A fixed number of queries: check-ins, scorecards, the plan, stages and one ledger read."""
    now = now or timezone.now()
    week_list = [week.start for week in Week.current(producer.agency).trailing(weeks)]
    rows = {w: ConfidenceWeek(week=w) for w in week_list}
    for check_in in ConfidenceCheckIn.objects.filter(producer=producer,
                                                     week_start__in=week_list):
        rows[check_in.week_start].check_in = check_in
    for card in (WeeklyScorecard.objects.filter(producer=producer, week_start__in=week_list)
                 .only("week_start", "process_adherence", "commitments_kept",
                       "commitments_total")):
        row = rows[card.week_start]
        row.process_adherence = card.process_adherence
        row.kept, row.total = card.commitments_kept, card.commitments_total
    _add_coverage(rows, producer, now=now)
    return [rows[w] for w in week_list]


def _add_coverage(rows: dict[dt.date, ConfidenceWeek], producer: Producer, *,
                  now: dt.datetime) -> None:
    """Each week's weighted pipeline at its end (or now), and its coverage of the revenue the
    year still needs; `rows` are in week order, oldest first."""
    agency = producer.agency
    chance = win_probabilities(producer, now=now)
    replay = _PipelineReplay(producer, kinds=dict(Stage.objects.filter(agency=agency)
                                                  .values_list("pk", "kind")))
    goal = float(producer.annual_goal)
    for week, row in rows.items():
        end = min(Week(week, agency.tz).ends, now)
        replay.advance_to(end)
        row.weighted_pipeline = replay.weighted_pipeline(chance)
        if goal > 0:
            year = (end - dt.timedelta(seconds=1)).astimezone(agency.tz).year
            needed = goal - replay.bound_in_year.get(year, 0.0)
            row.revenue_needed = max(needed, 0.0)
            row.goal_met = needed <= 0
            # Without conversion rates (no plan could be made) coverage is unknown, not 0.
            row.coverage = row.weighted_pipeline / needed if needed > 0 and chance else None


class _PipelineReplay:
    """The producer's stage ledger walked forward in time (one read): where each prospect
    stood, and the revenue bound in each year so far."""

    def __init__(self, producer: Producer, *, kinds: dict[int, str]):
        self.tz = producer.agency.tz
        self.kinds = kinds
        self.entries = list(StageAdvance.objects.filter(prospect__owner=producer)
                            .order_by("occurred_at", "id")
                            .values_list("prospect_id", "to_stage_id", "occurred_at",
                                         "prospect__estimated_revenue"))
        # A deleted prospect leaves the pipeline when it was deleted; what it bound stays.
        self.deleted_at = dict(Prospect.all_objects.filter(owner=producer,
                                                           deleted_at__isnull=False)
                               .values_list("pk", "deleted_at"))
        self.position = 0
        self.stage_of: dict[int, tuple[int, float]] = {}
        self.bound_in_year: dict[int, float] = {}  # {year: revenue bound}

    def advance_to(self, end: dt.datetime) -> None:
        """Apply every move before `end`, and drop the prospects deleted before it."""
        while self.position < len(self.entries) and self.entries[self.position][2] < end:
            prospect_id, to_stage_id, occurred_at, revenue = self.entries[self.position]
            self.stage_of[prospect_id] = (to_stage_id, float(revenue or 0))
            if self.kinds.get(to_stage_id) == Stage.Kind.WON:
                year = occurred_at.astimezone(self.tz).year
                self.bound_in_year[year] = self.bound_in_year.get(year, 0.0) + float(revenue or 0)
            self.position += 1
        for prospect_id, deleted_at in self.deleted_at.items():
            if deleted_at < end:
                self.stage_of.pop(prospect_id, None)

    def weighted_pipeline(self, chance: dict[int, float]) -> float:
        return sum(value * chance.get(stage_id, 0.0) for stage_id, value in self.stage_of.values()
                   if self.kinds.get(stage_id) == Stage.Kind.OPEN)
