"""Reads for commitments: a week's commitments, the live ledger they are measured against, and
their progress.

Progress against this week's commitments is computed from the live ledgers with the same rule
the scorecard job uses (`commitments.rules`, shaped by `presenters.commitment_progress`), so
the number a producer just created by a tap shows at once instead of after the job has run;
judged weeks read the judged status.
Each function is a fixed number of queries however many prospects or activities there are.
"""

import datetime as dt
from dataclasses import dataclass

from django.http import Http404

from pipeline.models import ActivityType, Stage, StageAdvance
from pipeline.selectors import (
    active_activity_types,
    activity_counts_between,
    stage_wins_between,
    stages_offered,
    wins_between,
)
from salesculture.models import Producer
from salesculture.weeks import Week

from ..models import Commitment, WeeklyScorecard
from .presenters import Progress, commitment_progress, commitment_values
from .rules import commitment_target


@dataclass
class WeekLedger:
    """What happened in one producer-week, read live from the ledgers."""

    counts: dict[int, int]
    wins: list[StageAdvance]  # the moves that won something, each with its `stage_wins`

    @property
    def activities_total(self) -> int:
        return sum(self.counts.values())

    @property
    def wins_total(self) -> int:
        """Stage wins: a skip counts each stage it reached for the first time."""
        return sum(move.wins for move in self.wins)

    @property
    def wins_by_stage(self) -> dict[str, int]:
        result: dict[str, int] = {}
        for move in self.wins:
            for win in move.stage_wins.all():
                key = str(win.stage_id)
                result[key] = result.get(key, 0) + 1
        return result


@dataclass
class WeekTally:
    """What one producer-week counted, without the moves themselves: all that progress
    against commitments reads (the commitments page shows no list of wins)."""

    counts: dict[int, int]
    wins_by_stage: dict[str, int]

    @property
    def wins_total(self) -> int:
        return sum(self.wins_by_stage.values())


def week_tally(producer: Producer, week: dt.date) -> WeekTally:
    """Two aggregate queries, read live so a tap shows at once."""
    start, end = Week(week, producer.agency.tz).bounds
    return WeekTally(counts=activity_counts_between(producer, start, end),
                     wins_by_stage=stage_wins_between(producer, start, end))


def week_ledger(producer: Producer, week: dt.date) -> WeekLedger:
    start, end = Week(week, producer.agency.tz).bounds
    return WeekLedger(counts=activity_counts_between(producer, start, end),
                      wins=wins_between(producer, start, end))


def commitments_of_week(producer: Producer, week: dt.date) -> list[Commitment]:
    return commitments_of_weeks(producer, [week])[week]


def commitments_of_weeks(producer: Producer, weeks: list[dt.date]) -> dict[dt.date,
                                                                           list[Commitment]]:
    """{week start: that week's commitments, in the page's order} for a few weeks; one query."""
    by_week: dict[dt.date, list[Commitment]] = {week: [] for week in weeks}
    for c in (Commitment.objects.filter(producer=producer, week_start__in=by_week)
              .select_related("activity_type", "stage", "prospect")
              .order_by("kind", "activity_type__position", "stage__position", "due_date",
                        "id")):
        by_week[c.week_start].append(c)
    return by_week


def judged_commitments(producer: Producer, week: dt.date,
                       commitments: list[Commitment] | None = None) -> list[Progress]:
    """A finished week's commitments, kept or missed. Measurable ones come from the ledgers
    (the judged actual, or the materialised scorecard before the rollover has run, or the
    ledger itself); specific promises are the producer's own tick and say so. `commitments`,
    the week's, when the caller has read them already."""
    if commitments is None:
        commitments = commitments_of_week(producer, week)
    card = (WeeklyScorecard.objects.filter(producer=producer, week_start=week)
            .only("commitment_actuals").first())
    ledger = None
    rows = []
    for c in commitments:
        target = commitment_target(commitment_values(c))
        if c.status != Commitment.Status.OPEN and c.actual is not None:
            actual = c.actual
        elif card is not None and str(c.pk) in card.commitment_actuals:
            actual = card.commitment_actuals[str(c.pk)]
        else:
            ledger = ledger or week_tally(producer, week)
            actual = commitment_progress([c], ledger)[0].actual
        kept = (c.status == Commitment.Status.KEPT if c.status != Commitment.Status.OPEN
                else actual >= target)
        rows.append(Progress(commitment=c, actual=actual, target=target, kept=kept))
    return rows


def commitment_form_choices(producer: Producer) -> tuple[list[ActivityType], list[Stage]]:
    """Active activity types, and the stages a win can go into: every stage but Lost and the
    first one (a prospect enters the first stage by being created, which is not a win)."""
    types = list(active_activity_types(producer.agency))
    stages = list(stages_offered(producer.agency).exclude(kind=Stage.Kind.LOST))
    return types, stages[1:]


def commitment_get_own(*, producer: Producer, commitment_id) -> Commitment:
    try:
        return (Commitment.objects.select_related("agency", "activity_type", "stage")
                .get(producer=producer, pk=int(commitment_id)))
    except (Commitment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such commitment.") from None
