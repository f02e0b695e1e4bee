"""Reads for commitments: a week's commitments, the live ledger they are measured against, and
their progress.

Progress against this week's commitments is computed from the live ledgers with the same rule
the scorecard job uses (`commitments.rules`), so the number a producer just created by a tap
shows at once instead of after the job has run; judged weeks read the judged status.
Each function is a fixed number of queries however many prospects or activities there are.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.http import Http404

from pipeline.models import ActivityType, Stage, StageAdvance
from pipeline.selectors import (
    active_activity_types,
    activity_counts_between,
    stages_for,
    wins_between,
)
from salesculture.models import Producer
from salesculture.weeks import Week

from ..models import Commitment, WeeklyScorecard
from .rules import commitment_actual, commitment_target, counts_toward_total


@dataclass
class WeekLedger:
    """What happened in one producer-week, read live from the ledgers."""

    counts: dict[int, int]
    wins: list[StageAdvance]

    @property
    def activities_total(self) -> int:
        return sum(self.counts.values())

    @property
    def wins_by_stage(self) -> dict[str, int]:
        result: dict[str, int] = {}
        for win in self.wins:
            key = str(win.to_stage_id)
            result[key] = result.get(key, 0) + 1
        return result


@dataclass
class Progress:
    commitment: Commitment
    actual: int
    target: int
    percent: int = 0
    kept: bool = False
    counts: bool = True
    extra: dict = field(default_factory=dict)


def week_ledger(producer: Producer, week: dt.date) -> WeekLedger:
    start, end = Week(week, producer.agency.tz).bounds
    return WeekLedger(counts=activity_counts_between(producer, start, end),
                      wins=wins_between(producer, start, end))


def commitments_of_week(producer: Producer, week: dt.date) -> list[Commitment]:
    return list(Commitment.objects.filter(producer=producer, week_start=week)
                .select_related("activity_type", "stage", "prospect")
                .order_by("kind", "activity_type__position", "stage__position", "due_date", "id"))


def commitment_progress(commitments: list[Commitment], ledger: WeekLedger) -> list[Progress]:
    counts = {str(k): v for k, v in ledger.counts.items()}
    by_stage = ledger.wins_by_stage
    wins = len(ledger.wins)
    rows = []
    for c in commitments:
        values = {"kind": c.kind, "activity_type_id": c.activity_type_id, "stage_id": c.stage_id,
                  "target": c.target, "self_reported_done": c.self_reported_done}
        actual = commitment_actual(values, counts, by_stage, wins)
        target = commitment_target(values)
        rows.append(Progress(
            commitment=c, actual=actual, target=target,
            percent=min(100, round(100 * actual / target)) if target else 0,
            kept=bool(target) and actual >= target, counts=counts_toward_total(values)))
    return rows


def judged_commitments(producer: Producer, week: dt.date) -> list[Progress]:
    """A finished week's commitments, kept or missed. Measurable ones come from the ledgers
    (the judged actual, or the materialised scorecard before the rollover has run, or the
    ledger itself); specific promises are the producer's own tick and say so."""
    commitments = commitments_of_week(producer, week)
    card = (WeeklyScorecard.objects.filter(producer=producer, week_start=week)
            .only("commitment_actuals").first())
    ledger = None
    rows = []
    for c in commitments:
        values = {"kind": c.kind, "target": c.target}
        target = commitment_target(values)
        if c.status != Commitment.Status.OPEN and c.actual is not None:
            actual = c.actual
        elif card is not None and str(c.pk) in card.commitment_actuals:
            actual = card.commitment_actuals[str(c.pk)]
        else:
            ledger = ledger or week_ledger(producer, week)
            actual = commitment_progress([c], ledger)[0].actual
        kept = (c.status == Commitment.Status.KEPT if c.status != Commitment.Status.OPEN
                else actual >= target)
        rows.append(Progress(commitment=c, actual=actual, target=target,
                             percent=min(100, round(100 * actual / target)) if target else 0,
                             kept=kept))
    return rows


def commitment_form_choices(producer: Producer) -> tuple[list[ActivityType], list[Stage]]:
    """Active activity types, and the stages a win can go into: every stage but Lost and the
    first one (a prospect enters the first stage by being created, which is not a win)."""
    types = list(active_activity_types(producer.agency))
    stages = list(stages_for(producer.agency).exclude(kind=Stage.Kind.LOST))
    return types, stages[1:]


def commitment_get_own(*, producer: Producer, commitment_id) -> Commitment:
    try:
        return (Commitment.objects.select_related("agency", "activity_type", "stage")
                .get(producer=producer, pk=int(commitment_id)))
    except (Commitment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such commitment.") from None
