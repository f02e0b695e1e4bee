"""What the plan and role-fit pages show, shaped from what the selectors read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import format_html_join

from salesculture.numbers import number_text

from ..commitments.services import MAX_TARGET
from .calculator import label_of
from .results import PRETEND, STRETCH, PlanLine, PlanResult, PlanRules
from .selectors import commitments_proposal, plan_result_from, plan_rules

if TYPE_CHECKING:
    from salesculture.models import Producer

    from ..models import GoalPlan

# --- the plan page ------------------------------------------------------------------------------

# How a line's best-run cell is coloured: by the label that line alone would give the plan.
TONES = {PRETEND: "bad", STRETCH: "warn"}


@dataclass
class PlanRow:
    line: PlanLine
    tone: str  # "bad", "warn" or ""


@dataclass
class PlanPage:
    producer: Producer
    is_own: bool
    plan: GoalPlan
    result: PlanResult
    rules: PlanRules
    proposal_url: str = ""  # the commitments form filled from the plan; "" when none is proposed

    @property
    def whose(self) -> str:
        return "your" if self.is_own else "their"

    @property
    def yours(self) -> str:
        return "yours" if self.is_own else "theirs"

    @property
    def rows(self) -> list[PlanRow]:
        return [PlanRow(line, _tone(line, self.rules)) for line in self.result.lines]


def _tone(line: PlanLine, rules: PlanRules) -> str:
    shown = line.ratio_shown
    return TONES.get(label_of(shown, rules), "") if shown else ""


def commitments_url(proposal: dict[str, int]) -> str:
    base = reverse("accountability:commitments")
    return f"{base}?{urlencode(proposal)}" if proposal else base


def plan_page_for(*, plan: GoalPlan, producer: Producer, is_own: bool) -> PlanPage:
    """A producer proposes their own next week's commitments from the plan, and only while
    they sell."""
    result = plan_result_from(plan)
    proposal = (commitments_proposal(result, cap=MAX_TARGET) if is_own and producer.sells
                else {})
    return PlanPage(producer=producer, is_own=is_own, plan=plan, result=result,
                    rules=plan_rules(producer.agency),
                    proposal_url=commitments_url(proposal) if proposal else "")


# --- role fit -----------------------------------------------------------------------------------

@dataclass
class RoleFitWeek:
    week: dt.date  # its Monday
    kept: int = 0
    total: int = 0
    wins: int = 0
    wins_needed: float | None = None
    kept_below: bool = False
    wins_below: bool = False

    @property
    def wins_vs_plan(self) -> float | None:
        return self.wins / self.wins_needed if self.wins_needed else None

    @property
    def wins_vs_plan_pct(self) -> float | None:
        ratio = self.wins_vs_plan
        return None if ratio is None else 100 * ratio

    @property
    def both_below(self) -> bool:
        return self.kept_below and self.wins_below

    @property
    def title(self) -> str:
        """The strip cell's hover text, built here once rather than from a dozen template
        lookups and localised numbers per cell: a page shows 25 people × 13 weeks."""
        of = f" of {number_text(self.wins_needed, 1)}" if self.wins_needed else ""
        return (f"{self.week:%b} {self.week.day}: kept {self.kept}/{self.total}, "
                f"{self.wins} wins{of}")

    @property
    def tone(self) -> str:
        """How the week is coloured in the role-fit strip."""
        if self.both_below:
            return "both"
        return "one" if self.kept_below or self.wins_below else ""


@dataclass
class RoleFit:
    producer: Producer
    weeks: list[RoleFitWeek] = field(default_factory=list)
    wins_needed: float | None = None
    plan: GoalPlan | None = None
    threshold_weeks: int = 8
    outcome: str = ""  # the latest decision of a one-on-one with them, as it reads

    @property
    def flagged_weeks(self) -> list[RoleFitWeek]:
        return [w for w in self.weeks if w.both_below]

    @property
    def flagged_count(self) -> int:
        return len(self.flagged_weeks)

    @property
    def strip(self) -> str:
        """The strip's cells, oldest week first, built here once: a page is 25 people × 13
        weeks, and as template lookups the cells cost more than the page's queries."""
        assessed = self.assessed
        return format_html_join("", '<span class="{}" title="{}"></span>', (
            (f"fit-week {w.tone if assessed else 'na'}".rstrip(), w.title) for w in self.weeks))

    @property
    def assessed(self) -> bool:
        return self.wins_needed is not None and self.wins_needed > 0

    @property
    def flagged(self) -> bool:
        return self.assessed and self.flagged_count >= self.threshold_weeks
