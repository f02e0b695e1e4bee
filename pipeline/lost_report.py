"""The lost-reason report (issue 15 item 7): why prospects were lost over a period, counted by
reason, by the stage they were lost from, by line of business and by producer, so a coaching
conversation starts from data.

What counts: every move into a Lost-kind stage made in the app (`StageAdvance.source` live)
in the period, in the agency's time zone, credited to the producer who owned the prospect at
the move (the ledger's `producer`). A prospect re-opened and lost again counts each time it
was lost; a prospect deleted since still counts (it was lost). Imported history is left out:
its losses are dated the day of the import, not the day they happened. The reason is the
text the move recorded (`StageAdvance.lost_reason`), so renaming or retiring a pick-list
reason never rewrites a past loss; the line of business too is the one the move recorded.

Scope: a leader sees the losses of their team's producers, an owner the whole agency
(`producers_visible_to`) or one team of it; the view refuses everyone else. On PostgreSQL one
grouped query (GROUPING SETS) whatever the number of losses or people, a row per reason,
stage, line or person with its count, read from one index of the ledger, then the stages'
and the people's names; elsewhere one grouped query per tally. The days before today are
counted once and kept until a loss of theirs changes (salesculture/agency_cache.py); today's
are counted on each view and added.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial

from django.db import connection
from django.db.models import Case, Count, Value, When

from salesculture.agency_cache import (
    PAST_MOVES,
    STAGES,
    agency_cached,
    agency_cached_many,
    past_week,
)
from salesculture.models import Agency, Producer, Team
from salesculture.selectors import person_name, producers_visible_to
from salesculture.weeks import local_now

from .models import Prospect, Stage, StageAdvance

NO_REASON = "No reason given"
# The longest period the report covers in one view: a year (and a day, for a leap year).
MAX_DAYS = 366
# Past days' tallies change only by the app's own writes, each of which bumps a stamp they
# are kept under (a move of their week, a person, a stage): kept for a day, not the minute
# of figures that a write outside the app could change unseen.
KEPT_PAST_SECONDS = 24 * 3600


@dataclass
class Tally:
    label: str
    n: int
    share: int  # whole percent of all losses in the report
    key: str = ""


@dataclass
class LostReport:
    start: dt.date
    end: dt.date  # inclusive
    total: int = 0
    by_reason: list[Tally] = field(default_factory=list)
    by_stage: list[Tally] = field(default_factory=list)
    by_line: list[Tally] = field(default_factory=list)
    by_producer: list[Tally] = field(default_factory=list)

    def producers_first(self, n: int) -> tuple[list[Tally], Tally | None]:
        """The `n` producers who lost most, and the rest summed up as one row (None when
        there are no more): an owner of 500 reads who loses most, not 500 rows."""
        shown, rest = self.by_producer[:n], self.by_producer[n:]
        if not rest:
            return shown, None
        lost = sum(t.n for t in rest)
        return shown, Tally(label=f"{len(rest)} more producer{'s' if len(rest) > 1 else ''}",
                            n=lost, share=round(100 * lost / self.total) if self.total else 0)


def period_bounds(agency: Agency, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, the day after end 00:00) on the agency's clock."""
    return (dt.datetime.combine(start, dt.time.min, tzinfo=agency.tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=agency.tz))


# What a period's losses count, before naming: (reason, n), (stage lost from, n),
# (line, n) and (producer, n) rows.
Tallies = tuple[list, list, list, list]


def lost_report(*, actor: Producer, start: dt.date, end: dt.date,
                team: Team | None = None) -> LostReport:
    """`team`: only the losses of the people on it now (one of the actor's agency's teams,
    as the page offers them to an owner). The days before today are kept between changes
    to them (`_past_tallies`); today's, where the day's losses come in, are counted on each
    view."""
    agency = actor.agency
    today = local_now(agency).date()
    yesterday = today - dt.timedelta(days=1)
    parts = []
    if start < today:
        past = min(end, yesterday)
        parts.append(agency_cached(
            agency, (PAST_MOVES, STAGES), ("lost", *_scope(actor, team), start, past),
            partial(_past_tallies, actor, start, past, team), seconds=KEPT_PAST_SECONDS,
            people=not _whole_agency(actor, team)))
    if end >= today:
        parts.append(_tallies(actor, max(start, today), end, team))
    reasons, stage_counts, lines, by_person = (_summed(rows) for rows in zip(*parts,
                                                                             strict=True))
    named = {pk: (name, position) for pk, name, position in Stage.objects.filter(
        agency=agency, pk__in=[pk for pk, _ in stage_counts if pk is not None])
        .values_list("pk", "name", "position")} if stage_counts else {}
    stages = [(pk, *named.get(pk, (None, -1)), n) for pk, n in stage_counts]
    return report_build(start, end, reasons=reasons, stages=stages, lines=lines,
                        people=_named(agency, dict(by_person)) if by_person else [])


def _scope(actor: Producer, team: Team | None) -> tuple:
    """Whose losses a tally counts, and the clock its days are read by: what its kept copy is
    told apart by."""
    return (actor.pk, actor.role, actor.team_id, team.pk if team else "",
            actor.agency.time_zone)


def _whole_agency(actor: Producer, team: Team | None) -> bool:
    """The whole agency's losses (an owner's, no team picked): who is on which team changes
    none of them, so a person saved leaves them kept (the people are named on each view)."""
    return actor.is_owner and team is None


def _past_tallies(actor: Producer, start: dt.date, past: dt.date, team: Team | None) -> Tallies:
    """The days [start, past], all before today, a week (Monday to Sunday) at a time, each
    week kept until a move of its own changes (salesculture/agency_cache.py: a loss recorded
    late, undone or deleted after its day bumps its week's stamp), a stage changes or, but
    for the whole agency's, a person moves: the first view after a late loss counts its week
    again, some 1,600 losses of an owner's 20,000 a quarter, not the 13 weeks. The weeks not
    kept are counted in one pass."""
    spans: dict[str, tuple[dt.date, dt.date]] = {}
    first = start
    while first <= past:
        last = min(past, first + dt.timedelta(days=6 - first.weekday()))
        spans[first.isoformat()] = (first, last)
        first = last + dt.timedelta(days=1)

    def missing(names: list[str]) -> dict[str, Tallies]:
        return dict(zip(names, _tallies_of_spans(actor, [spans[n] for n in names], team),
                        strict=True))

    kept = agency_cached_many(
        actor.agency, {name: ((past_week(first), STAGES),
                              ("lost-week", *_scope(actor, team), first, last), None)
                       for name, (first, last) in spans.items()},
        seconds=KEPT_PAST_SECONDS, missing=missing, people=not _whole_agency(actor, team))
    return tuple(_summed(rows) for rows in zip(*kept.values(), strict=True))


def _summed(parts: tuple[list, ...]) -> list[tuple]:
    """One tally's (key, n) rows of several periods, as one period's."""
    if len(parts) == 1:
        return list(parts[0])
    total: dict = {}
    for rows in parts:
        for key, n in rows:
            total[key] = total.get(key, 0) + n
    return list(total.items())


def _tallies(actor: Producer, start: dt.date, end: dt.date, team: Team | None) -> Tallies:
    return _tallies_of_run(actor, [(start, end)], team)[(start, end)]


def _tallies_of_spans(actor: Producer, spans: list[tuple[dt.date, dt.date]],
                      team: Team | None) -> list[Tallies]:
    """The tallies of each span of days (in order, none overlapping): one pass over each run
    of adjacent spans, each loss put in its span by the spans' first moments (on PostgreSQL
    `width_bucket`: telling the weeks apart by their dates in the agency's zone took a third
    longer than the whole count)."""
    counted: dict[tuple[dt.date, dt.date], Tallies] = {}
    run: list[tuple[dt.date, dt.date]] = []
    for span in [*spans, None]:
        if run and (span is None or span[0] != run[-1][1] + dt.timedelta(days=1)):
            counted.update(_tallies_of_run(actor, run, team))
            run = []
        if span is not None:
            run.append(span)
    return [counted[span] for span in spans]


def _tallies_of_run(actor: Producer, run: list[tuple[dt.date, dt.date]],
                    team: Team | None) -> dict[tuple[dt.date, dt.date], Tallies]:
    losses = _losses(actor, run[0][0], run[-1][1], team)
    if len(run) == 1:
        return {run[0]: _counted(losses)[0]}
    edges = [period_bounds(actor.agency, first, last)[0] for first, last in run]
    counted = _counted(losses, edges=edges)
    return {span: counted[i] for i, span in enumerate(run, start=1)}


def _losses(actor: Producer, start: dt.date, end: dt.date, team: Team | None):
    agency = actor.agency
    begins, ends = period_bounds(agency, start, end)
    losses = StageAdvance.objects.filter(
        agency=agency, occurred_at__gte=begins, occurred_at__lt=ends,
        to_stage__in=Stage.objects.filter(agency=agency, kind=Stage.Kind.LOST).values("pk"),
        source=StageAdvance.Source.LIVE).order_by()
    if not _whole_agency(actor, team):
        # An owner sees the whole agency: joining its 500 people to 20,000 losses kept none
        # out and took a fifth of the time.
        people = producers_visible_to(actor)
        if team is not None:
            people = people.filter(team=team)
        losses = losses.filter(producer__in=people.values("pk"))
    return losses


TALLIED = ("lost_reason", "from_stage_id", "line_of_business", "producer_id")
# The grouping a row of _counted belongs to on PostgreSQL: GROUPING() over TALLIED has a bit
# set for each column the row is not grouped by (the first column is the highest bit).
_GROUPED_BY = {0b0111: 0, 0b1011: 1, 0b1101: 2, 0b1110: 3}


def _counted(losses, edges: list[dt.datetime] | None = None) -> dict[int, Tallies]:
    """The four tallies (reason, stage lost from, line, producer) of `losses`, each as (key,
    count) rows: {0: tallies}, or with `edges` {i: the tallies of the losses from
    edges[i - 1] to edges[i], or on, for the last}. On PostgreSQL from one scan of the
    covering index (GROUPING SETS): an owner of 500 has some 20,000 losses a quarter, and
    four scans of them took four times as long; elsewhere one grouped query per tally (so
    four however many spans), counted by a column of the (agency, to_stage, occurred_at)
    index, not the id, so each is read from the index alone."""
    counted: defaultdict[int, Tallies] = defaultdict(lambda: ([], [], [], []))
    if connection.vendor != "postgresql":
        # The span of each loss as width_bucket numbers it: the losses all start at edges[0].
        bucketed = losses.annotate(bucket=Case(
            *(When(occurred_at__lt=edge, then=Value(i))
              for i, edge in enumerate(edges[1:], start=1)),
            default=Value(len(edges))) if edges else Value(0))
        for which, column in enumerate(TALLIED):
            for index, key, n in (bucketed.values_list("bucket", column)
                                  .annotate(n=Count("occurred_at"))):
                counted[index][which].append((key, n))
        return counted
    inner, params = losses.values_list("occurred_at", *TALLIED).query.sql_with_params()
    columns = ", ".join(TALLIED)
    bucket = "width_bucket(occurred_at, %s)" if edges else "0"
    # OFFSET 0 keeps the subquery apart, so each loss's bucket is worked out once, not once
    # a grouping set.
    sql = (f"SELECT GROUPING({columns}), bucket, {columns}, COUNT(*) FROM "
           f"(SELECT {bucket} AS bucket, {columns} FROM ({inner}) AS losses OFFSET 0) "
           "AS bucketed "
           f"GROUP BY GROUPING SETS ({', '.join(f'(bucket, {c})' for c in TALLIED)})")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*([edges] if edges else []), *params])
        for grouping, index, *keys, n in cursor.fetchall():
            which = _GROUPED_BY[grouping]
            counted[index][which].append((keys[which], n))
    return counted


def _named(agency: Agency, counts: dict[int, int]) -> list[tuple[int, str, str, str, int]]:
    """The producers' losses with their names, read apart: counted first, then named (joined
    to the 20,000 losses, the people were looked up once a loss). The agency's people are
    read whole: planning `pk IN` 500 ids took longer than reading them."""
    return [(pk, first, last, username, counts[pk]) for pk, first, last, username in
            Producer.objects.filter(agency=agency).values_list(
                "pk", "user__first_name", "user__last_name", "user__username")
            if pk in counts]


def report_build(start: dt.date, end: dt.date, *, reasons, stages, lines,
                 people) -> LostReport:
    """The four tallies from the grouped rows (a row per reason, stage, line or person with
    its count): most losses first, ties by name; stages in the pipeline's order."""
    stages = list(stages)
    report = LostReport(start=start, end=end, total=sum(row[-1] for row in stages))
    labels = dict(Prospect.LineOfBusiness.choices)
    by_reason: dict[str, int] = {}
    for reason, count in reasons:
        reason = reason.strip() or NO_REASON
        by_reason[reason] = by_reason.get(reason, 0) + count
    by_line: dict[str, int] = {}
    for line, count in lines:
        label = labels.get(line, line) or "Not recorded"
        by_line[label] = by_line.get(label, 0) + count
    by_person = [(pk, person_name(first, last, username), count)
                 for pk, first, last, username, count in people]

    def tally(label: str, n: int, key: str = "") -> Tally:
        return Tally(label=label, n=n, key=key,
                     share=round(100 * n / report.total) if report.total else 0)

    def most_first(counts: dict[str, int]) -> list[Tally]:
        return [tally(label, n) for label, n in sorted(counts.items(),
                                                       key=lambda kv: (-kv[1], kv[0]))]

    report.by_reason = most_first(by_reason)
    report.by_line = most_first(by_line)
    report.by_stage = [tally(name or "Created lost", count, str(pk or ""))
                       for pk, name, _, count in sorted(
                           stages, key=lambda row: -1 if row[0] is None else row[2])]
    report.by_producer = [tally(name, count, str(pk)) for pk, name, count in
                          sorted(by_person, key=lambda row: (-row[2], row[1]))]
    return report
