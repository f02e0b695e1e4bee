"""A computed plan and the rules it is judged by: `calculator` works the plan out,
`services.goal_plan_store` keeps it in GoalPlan.lines (JSON), and the plan page, confidence
and role fit read it back."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from salesculture.numbers import half_up

HISTORY_WEEKS = 52
LAST_WEEKS = 4

# GoalPlan.Label's values (this module stays clear of the models).
REALISTIC, STRETCH, PRETEND, INCOMPLETE = "realistic", "stretch", "pretend", "incomplete"
# The start of the reason given when only agency history backs the plan; the label pill and
# the plan page recognise it to say "not checked yet" rather than "cannot compute".
REALISM_UNCHECKED = "Realism cannot be checked yet"


@dataclass(frozen=True)
class PlanRules:
    working_weeks: int = 48
    thin: int = 10  # advances out of a stage below which the producer's rate is blended
    stretch: float = 1.0
    pretend: float = 1.5

    @classmethod
    def from_settings(cls, conf: dict) -> PlanRules:
        """From the SALESCULTURE settings dict."""
        return cls(working_weeks=int(conf.get("WORKING_WEEKS_PER_YEAR", 48)),
                   thin=int(conf.get("THIN_HISTORY_ADVANCES", 10)),
                   stretch=float(conf.get("STRETCH_RATIO", 1.0)),
                   pretend=float(conf.get("PRETEND_RATIO", 1.5)))


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
    def judged(self) -> bool:
        """Whether the line can decide the label: it rests on some history of the producer's
        own. A line on the agency's rate alone (an activity type they never log, a stage they
        never left) is shown beside the others but never decides."""
        return self.source != "agency"

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
        return int(half_up((self.own_rate or 0) * self.own_base))

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
        return float(half_up(self.ratio, 1))

    @property
    def ratio_is_infinite(self) -> bool:
        return self.ratio is not None and math.isinf(self.ratio)

    def as_json(self) -> dict:
        data = dict(self.__dict__)
        if data["ratio"] is not None and math.isinf(data["ratio"]):
            data["ratio"] = "inf"
        return data

    @classmethod
    def from_json(cls, data: dict) -> PlanLine:
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
    label: str = INCOMPLETE
    label_reason: str = ""
    lines: list[PlanLine] = field(default_factory=list)
    bound_ytd: Decimal = Decimal(0)
    bound_ytd_count: int = 0
    revenue_needed: Decimal = Decimal(0)
    avg_revenue: float | None = None
    avg_revenue_source: str = ""  # "own", "blend" or "agency"
    avg_revenue_weight: float = 0.0  # the own average's share in a blend
    own_avg_revenue: float | None = None  # the producer's own average, and the agency's
    agency_avg_revenue: float | None = None
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
    def avg_revenue_weight_pct(self) -> float:
        return 100 * self.avg_revenue_weight

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
        return self.label == INCOMPLETE

    @property
    def realism_unchecked(self) -> bool:
        return self.label == INCOMPLETE and REALISM_UNCHECKED in self.label_reason

    def summary_json(self) -> dict:
        return {
            "kind": "summary", "bound_ytd": str(self.bound_ytd),
            "bound_ytd_count": self.bound_ytd_count, "revenue_needed": str(self.revenue_needed),
            "avg_revenue": self.avg_revenue, "avg_revenue_source": self.avg_revenue_source,
            "avg_revenue_weight": self.avg_revenue_weight,
            "own_avg_revenue": self.own_avg_revenue,
            "agency_avg_revenue": self.agency_avg_revenue,
            "own_bound_n": self.own_bound_n, "agency_bound_n": self.agency_bound_n,
            "problems": self.problems, "notes": self.notes,
            "uses_agency_history": self.uses_agency_history, "history_weeks": self.history_weeks,
            "pace_bound_per_week": self.pace_bound_per_week,
            "pace_wins_per_week": self.pace_wins_per_week,
        }
