"""The lost-reason report (issue 15 item 7): why prospects were lost over a period, counted by
reason, by the stage they were lost from, by line of business and by producer, so a coaching
conversation starts from data.

What counts: every move into a Lost-kind stage made in the app (`StageAdvance.source` live)
in the period, in the agency's time zone, credited to the producer who owned the prospect at
the move (the ledger's `producer`). A prospect re-opened and lost again counts each time it
was lost; a prospect deleted since still counts (it was lost). Imported history is left out:
its losses are dated the day of the import, not the day they happened. The reason is the
text the move recorded (`StageAdvance.lost_reason`), so renaming or retiring a pick-list
reason never rewrites a past loss.

Scope: a leader sees the losses of their team's producers, an owner the whole agency
(`producers_visible_to`) or one team of it; the view refuses everyone else. One grouped query
whatever the number of losses or people: a row per (reason, stage, line, producer) with its
count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count

from salesculture.models import Agency, Producer, Team
from salesculture.selectors import producers_visible_to

from .models import Prospect, Stage, StageAdvance

NO_REASON = "No reason given"
# The longest period the report covers in one view: a year (and a day, for a leap year).
MAX_DAYS = 366


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


def period_bounds(agency: Agency, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, the day after end 00:00) on the agency's clock."""
    return (dt.datetime.combine(start, dt.time.min, tzinfo=agency.tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=agency.tz))


def lost_report(*, actor: Producer, start: dt.date, end: dt.date,
                team: Team | None = None) -> LostReport:
    """`team`: only the losses of the people on it now (one of the actor's agency's teams,
    as the page offers them to an owner)."""
    agency = actor.agency
    begins, ends = period_bounds(agency, start, end)
    people = producers_visible_to(actor)
    if team is not None:
        people = people.filter(team=team)
    rows = list(
        StageAdvance.objects.filter(
            agency=agency, to_stage__kind=Stage.Kind.LOST, occurred_at__gte=begins,
            occurred_at__lt=ends, source=StageAdvance.Source.LIVE,
            producer__in=people.values("pk"))
        .values("lost_reason", "from_stage_id", "from_stage__name", "from_stage__position",
                "prospect__line_of_business", "producer_id", "producer__user__first_name",
                "producer__user__last_name", "producer__user__username")
        .annotate(n=Count("id")).order_by())
    return report_build(start, end, rows)


def report_build(start: dt.date, end: dt.date, rows: list[dict]) -> LostReport:
    """The four tallies from the grouped rows (no queries): most losses first, ties by name;
    stages in the pipeline's order."""
    report = LostReport(start=start, end=end, total=sum(r["n"] for r in rows))
    lines = dict(Prospect.LineOfBusiness.choices)
    reasons: dict[str, int] = {}
    stages: dict[int | None, tuple[int, str, int]] = {}
    by_line: dict[str, int] = {}
    people: dict[int, tuple[str, int]] = {}
    for r in rows:
        reason = r["lost_reason"].strip() or NO_REASON
        reasons[reason] = reasons.get(reason, 0) + r["n"]
        position, name, n = stages.get(r["from_stage_id"], (
            r["from_stage__position"] if r["from_stage_id"] else -1,
            r["from_stage__name"] or "Created lost", 0))
        stages[r["from_stage_id"]] = (position, name, n + r["n"])
        line = lines.get(r["prospect__line_of_business"], r["prospect__line_of_business"])
        by_line[line] = by_line.get(line, 0) + r["n"]
        name = (f'{r["producer__user__first_name"]} {r["producer__user__last_name"]}'.strip()
                or r["producer__user__username"])
        people[r["producer_id"]] = (name, people.get(r["producer_id"], ("", 0))[1] + r["n"])

    def tally(label: str, n: int, key: str = "") -> Tally:
        return Tally(label=label, n=n, key=key,
                     share=round(100 * n / report.total) if report.total else 0)

    def most_first(counts: dict[str, int]) -> list[Tally]:
        return [tally(label, n) for label, n in sorted(counts.items(),
                                                       key=lambda kv: (-kv[1], kv[0]))]

    report.by_reason = most_first(reasons)
    report.by_line = most_first(by_line)
    report.by_stage = [tally(name, n, str(pk or "")) for pk, (_, name, n) in
                       sorted(stages.items(), key=lambda kv: kv[1][0])]
    report.by_producer = [tally(name, n, str(pk)) for pk, (name, n) in
                          sorted(people.items(), key=lambda kv: (-kv[1][1], kv[1][0]))]
    return report
