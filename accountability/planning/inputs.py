"""The snapshot a plan is worked out from (`calculator`): what `selectors.plan_compute` reads
from the ledgers, as plain values. No database here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from .results import PlanRules

if TYPE_CHECKING:
    from .funnel import Funnel


@dataclass(frozen=True)
class PathStage:
    id: int
    name: str


@dataclass(frozen=True)
class ActivityKind:
    id: int
    name: str


@dataclass(frozen=True)
class BoundRevenue:
    """Prospects bound: over the history window (the producer's own, the agency's) and by the
    producer since January 1st. A sum is None when there was nothing to add up."""
    own_n: int = 0
    own_sum: Decimal | None = None
    all_n: int = 0
    all_sum: Decimal | None = None
    ytd_n: int = 0
    ytd_sum: Decimal | None = None


@dataclass
class PlanInputs:
    """What the plan is computed from. The selector stops reading once the plan can go no
    further, so the later fields stay empty when an earlier step already failed."""
    producer_id: int
    today: dt.date  # on the agency's clock
    annual_goal: Decimal
    rules: PlanRules
    path: list[PathStage]  # the funnel path; the bound stage last when `ends_won`
    ends_won: bool
    own: Funnel | None = None  # the producer's funnel over the history window
    everyone: Funnel | None = None  # the agency's
    bound: BoundRevenue = field(default_factory=BoundRevenue)
    activity_types: list[ActivityKind] = field(default_factory=list)  # active, in order
    # {line key: {week Monday: count}} over `history`, counted as the funnel counts.
    weekly: dict[str, dict[dt.date, int]] = field(default_factory=dict)
    history: list[dt.date] = field(default_factory=list)  # the Mondays of the history window
    last_weeks: list[dt.date] = field(default_factory=list)  # the four before this one
