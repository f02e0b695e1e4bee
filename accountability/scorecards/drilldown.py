"""What the producer drill-down shows, built from the rows its selector read (no queries):
13 weeks of numbers, each week's commitments with their state, and the stage wins as bars."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pipeline.models import Stage
from salesculture.models import Producer
from salesculture.weeks import Week

from ..commitments.rules import commitment_target
from ..models import Celebration, Commitment, GoalPlan, WeeklyScorecard
from .numbers import CardNumbers
from .presenters import NONE

STATE_PILLS = {"kept": "pill-good", "done": "pill-good", "missed": "pill-bad"}
# A stage with any wins keeps a sliver of a bar, however far the widest outruns it.
MIN_BAR_PERCENT = 2


@dataclass
class WeekLine:
    week: dt.date
    card: WeeklyScorecard | None
    commitments: list[Commitment]
    numbers: CardNumbers = field(init=False)

    def __post_init__(self) -> None:
        self.numbers = CardNumbers.of(self.card)

    @property
    def is_final(self) -> bool:
        return bool(self.card and self.card.is_final)

    @property
    def kept_class(self) -> str:
        return self.numbers.kept_class(judged=self.is_final)

    @property
    def kept_summary(self) -> str:
        """“3/4 kept” once the week is judged, “3/4 done so far” while it runs."""
        verb = "kept" if self.is_final else "done so far"
        return f"{self.numbers.kept}/{self.numbers.kept_of} {verb}"


@dataclass
class StageWinsBar:
    """A stage's wins over the weeks, as a bar of the drill-down's stage funnel."""

    stage: Stage
    wins: int
    width: int  # percent of the widest bar


@dataclass
class Drilldown:
    producer: Producer
    week: dt.date
    lines: list[WeekLine]
    wins: list[Celebration]
    funnel: list[StageWinsBar]
    plan: GoalPlan | None
    week_labels: list[str]  # “Nov 23”, one per line
    # As read: the lines' weeks and any the caller asked for too (role fit's 13).
    cards: dict[dt.date, WeeklyScorecard] = field(default_factory=dict, repr=False)

    @property
    def totals(self) -> CardNumbers:
        return CardNumbers.total(line.numbers for line in self.lines)

    @property
    def week_card(self) -> WeeklyScorecard | None:
        """The drill-down week's own card: its production numbers are the week's."""
        return self.lines[-1].card

    @property
    def first_card_week(self) -> dt.date:
        """Weeks before a producer's first scorecard are left out of the table."""
        return next((line.week for line in self.lines if line.card), self.week)

    @property
    def has_commitments(self) -> bool:
        return any(line.commitments for line in self.lines)

    # A week without a scorecard (before the producer joined, or untouched) is a gap in the
    # charts, not a week of zeros.
    @property
    def wins_series(self) -> list[int | None]:
        return [line.numbers.wins if line.card else None for line in self.lines]

    @property
    def activities_series(self) -> list[int | None]:
        return [line.numbers.activities if line.card else None for line in self.lines]

    @property
    def kept_series(self) -> list[float | None]:
        return [line.card.kept_ratio if line.card else None for line in self.lines]


def drilldown_build(*, producer: Producer, weeks: list[Week], this_week: Week,
                    cards: dict[dt.date, WeeklyScorecard], commitments: list[Commitment],
                    wins: list[Celebration], stages: list[Stage],
                    plan: GoalPlan | None) -> Drilldown:
    """`weeks` oldest first, ending with the drill-down's week; `commitments` in week order."""
    by_week: dict[dt.date, list[Commitment]] = {}
    for c in commitments:
        _judge_for_display(c, cards.get(c.week_start), this_week)
        by_week.setdefault(c.week_start, []).append(c)
    return Drilldown(
        producer=producer, week=weeks[-1].start,
        lines=[WeekLine(week=w.start, card=cards.get(w.start),
                        commitments=by_week.get(w.start, [])) for w in weeks],
        wins=wins, funnel=_stage_wins_bars(stages, [cards[w.start] for w in weeks
                                                    if w.start in cards]),
        plan=plan, week_labels=[w.label for w in weeks], cards=cards)


def _judge_for_display(c: Commitment, card: WeeklyScorecard | None, this_week: Week) -> None:
    """Sets `progress`, `goal` and `state` (kept or missed once judged, done or open while its
    week runs, none for a target of zero), and how the page shows them."""
    c.progress = card.commitment_actuals.get(str(c.pk)) if card else None
    if c.progress is None:
        c.progress = c.actual or 0
    c.goal = commitment_target({"kind": c.kind, "target": c.target})
    if c.goal <= 0:
        c.state = NONE
    elif c.status != Commitment.Status.OPEN:
        c.state = c.status
    elif c.week_start < this_week.start:
        # Over, but not judged yet (the rollover runs at 00:05 on Monday): judge it the
        # way the rollover will, so an ended week never shows a commitment as open.
        c.state = "kept" if c.progress >= c.goal else "missed"
    else:  # the week is still running: done already, or still open
        c.state = "done" if c.progress >= c.goal else "open"
    c.state_label = "no target" if c.state == NONE else c.state
    c.pill_class = STATE_PILLS.get(c.state, "")
    if c.kind == Commitment.Kind.SPECIFIC:
        c.progress_text = "done (self-reported)" if c.self_reported_done else "not done"
    else:
        c.progress_text = f"{c.progress}/{c.goal}"


def _stage_wins_bars(stages: list[Stage], cards) -> list[StageWinsBar]:
    stage_wins: dict[str, int] = {}
    for card in cards:
        for stage_id, n in (card.wins_by_stage or {}).items():
            stage_wins[stage_id] = stage_wins.get(stage_id, 0) + n
    stages = [s for s in stages if s.kind != Stage.Kind.LOST]
    # The first stage is where prospects start; no advance lands there, so it is left out.
    steps = [(s, stage_wins.get(str(s.pk), 0)) for s in stages[1:]]
    widest = max((n for _, n in steps), default=0) or 1
    return [StageWinsBar(stage=s, wins=n,
                         width=max(MIN_BAR_PERCENT, round(100 * n / widest)) if n else 0)
            for s, n in steps]
