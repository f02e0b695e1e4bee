"""Reads for commitments: a week's commitments, the live ledger they are measured against, and
their progress.

Progress against this week's commitments is computed from the live ledgers with the same rule
the scorecard job uses (`commitments.rules`, shaped by `presenters.commitment_progress`), so
the number a producer just created by a tap shows at once instead of after the job has run;
judged weeks read the judged status.
Each function is a fixed number of queries however many prospects or activities there are.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.http import Http404

from pipeline.models import ActivityType, Prospect, Stage, StageAdvance
from pipeline.reads import activity_counts_read, stage_wins_read, win_moves_read
from pipeline.selectors import active_activity_types, stages_offered
from salesculture.models import Producer
from salesculture.raw import Columns, Read, among, day, reads_run, related
from salesculture.weeks import Week

from ..models import Commitment, WeeklyScorecard
from .presenters import Progress, commitment_progress, commitment_values
from .rules import commitment_target


@dataclass
class WeekTally:
    """What one producer-week counted: all that progress against commitments reads."""

    counts: dict[int, int]
    wins_by_stage: dict[str, int]

    @property
    def activities_total(self) -> int:
        return sum(self.counts.values())

    @property
    def wins_total(self) -> int:
        """Stage wins: a skip counts each stage it reached for the first time."""
        return sum(self.wins_by_stage.values())


@dataclass
class WeekLedger(WeekTally):
    """What happened in one producer-week, with the moves that won stages (My week lists
    them; the commitments page does not)."""

    wins: list[StageAdvance] = field(default_factory=list)


def week_tally_reads(producer: Producer, week: dt.date) -> list[Read]:
    """The reads of a `week_tally`, read live so a tap shows at once; `WeekTally(*results)`."""
    start, end = Week(week, producer.agency.tz).bounds
    return [activity_counts_read(producer, start, end), stage_wins_read(producer, start, end)]


def week_ledger_reads(producer: Producer, week: dt.date) -> list[Read]:
    """The reads of a `week_ledger`; `WeekLedger(*results)`."""
    start, end = Week(week, producer.agency.tz).bounds
    return [*week_tally_reads(producer, week), win_moves_read(producer, start, end)]


def week_tally(producer: Producer, week: dt.date) -> WeekTally:
    """Two aggregate queries, sent together."""
    return WeekTally(*reads_run(*week_tally_reads(producer, week)))


def week_ledger(producer: Producer, week: dt.date) -> WeekLedger:
    return WeekLedger(*reads_run(*week_ledger_reads(producer, week)))


COMMITMENT = Columns(Commitment, "c")
COMMITTED_TYPE = Columns(ActivityType, "t")
COMMITTED_STAGE = Columns(Stage, "s")
COMMITTED_PROSPECT = Columns(Prospect, "p")


def commitments_of_weeks_read(producer: Producer,
                              weeks: list[dt.date]) -> Read[dict[dt.date, list[Commitment]]]:
    """{week start: that week's commitments, in the page's order} for a few weeks, each with
    its activity type, stage and prospect (a deleted one too: the promise was made)."""
    in_weeks, days = among("c.week_start", [day(week) for week in weeks])
    sql = f"""
        SELECT {COMMITMENT.sql}, {COMMITTED_TYPE.sql}, {COMMITTED_STAGE.sql},
               {COMMITTED_PROSPECT.sql}
        FROM {Commitment._meta.db_table} c
        LEFT JOIN {ActivityType._meta.db_table} t ON t.id = c.activity_type_id
        LEFT JOIN {Stage._meta.db_table} s ON s.id = c.stage_id
        LEFT JOIN {Prospect._meta.db_table} p ON p.id = c.prospect_id
        WHERE c.producer_id = %s AND {in_weeks}
        ORDER BY c.kind, t.position, s.position, c.due_date, c.id"""

    def by_week(rows) -> dict[dt.date, list[Commitment]]:
        result: dict[dt.date, list[Commitment]] = {week: [] for week in weeks}
        for row in rows:
            c, at = COMMITMENT.instance(row), COMMITMENT.width
            for name, columns in (("activity_type", COMMITTED_TYPE), ("stage", COMMITTED_STAGE),
                                  ("prospect", COMMITTED_PROSPECT)):
                related(c, name, columns.instance(row, at) if row[at] is not None else None)
                at += columns.width
            result[c.week_start].append(c)
        return result

    return Read(sql, [producer.pk, *days], by_week)


def commitments_of_week(producer: Producer, week: dt.date) -> list[Commitment]:
    return commitments_of_weeks(producer, [week])[week]


def commitments_of_weeks(producer: Producer, weeks: list[dt.date]) -> dict[dt.date,
                                                                           list[Commitment]]:
    """{week start: that week's commitments, in the page's order} for a few weeks; one query."""
    return commitments_of_weeks_read(producer, weeks).run()


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
