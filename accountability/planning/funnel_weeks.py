"""The funnel page's funnel, read from the numbers the scorecard job stores a week at a time
(each producer's weekly scorecard, and the agency's funnel week), never from the ledgers: a
page for 500 producers over a year reads 52 rows for the agency, or a card per producer-week
of a team or a person.

Stored a week at a time, the numbers must add up across weeks, so the page's funnel counts
flows rather than distinct prospects (the plan, computed in the background, still walks the
ledger: funnel.py):

- *Reached* a stage: the prospects that reached it for the first time in the period: its
  stage wins (a skip wins every stage it passes), and the prospects created in it or in a
  later stage (a creation is no win, but the prospect stands in the funnel from then on).
  Each prospect reaches a stage once, ever, so a week's count never repeats another's.
- The conversion to the next step is reached(next) ÷ reached(this): over a long period the
  share of those reaching a stage that go on to the next; over a short one it can pass 100%
  when older prospects move on.
- *Advances out* of a stage: the moves leaving it in the period (forward, back or lost).
- *Time in stage*: the stays that ended in the period, each from the move into the stage to
  the move out, in whole days (stored as counts per day, which add up); the median is that
  of those whole days.
- Activities: the quantities logged in the period, by type, ÷ the first stage reached.

Queries: stages, the rows of the period, activity type names: three, whatever the size.
"""

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from pipeline.models import ActivityType, Stage
from salesculture.models import Agency, Producer
from salesculture.weeks import Week

from ..models import AgencyFunnelWeek, WeeklyScorecard
from .funnel import (
    ActivityRatio,
    Funnel,
    FunnelScope,
    FunnelStep,
    _convert,
    funnel_scope_get,
    path_stages,
)

STORED_FIELDS = ["activity_counts", "wins_by_stage", "funnel"]


def merge_counts(into: dict, counts: dict) -> dict:
    """Add `counts` (a count per key, or nested dicts of them) into `into`."""
    for key, value in counts.items():
        if isinstance(value, dict):
            merge_counts(into.setdefault(key, {}), value)
        else:
            into[key] = into.get(key, 0) + value
    return into


def median_of_days(counts: dict[str, int]) -> float | None:
    """The median of the stays counted in {whole days: stays}, as statistics.median of the
    days one by one would give it."""
    total = sum(counts.values())
    if not total:
        return None
    wanted = {(total - 1) // 2, total // 2}  # the middle one, or the middle two
    found, seen = [], 0
    for day in sorted(counts, key=int):
        seen += counts[day]
        found += [int(day)] * sum(1 for place in wanted if seen > place >= seen - counts[day])
    return sum(found) / len(found)


def funnel_read(*, agency: Agency, weeks: list[Week], end: dt.datetime,
                producers: QuerySet[Producer] | None = None) -> Funnel:
    """The funnel of `producers` (None: the whole agency) over `weeks` (oldest first), from
    the stored weeks."""
    first, last = weeks[0].start, weeks[-1].start
    if producers is None:
        rows = AgencyFunnelWeek.objects.filter(agency=agency)
    else:
        rows = WeeklyScorecard.objects.filter(agency=agency, producer__in=producers)
    totals: dict[str, dict] = {field: {} for field in STORED_FIELDS}
    for row in (rows.filter(week_start__gte=first, week_start__lte=last)
                .values_list(*STORED_FIELDS).order_by()):
        for field, counts in zip(STORED_FIELDS, row, strict=True):
            merge_counts(totals[field], counts)
    path = path_stages(list(Stage.objects.filter(agency=agency).order_by("position")))
    funnel = totals["funnel"]
    created = funnel.get("created", {})
    steps = []
    for index, stage in enumerate(path):
        key = str(stage.pk)
        stays = funnel.get("stays", {}).get(key, {})
        wins = totals["wins_by_stage"].get(key, 0)
        created_here_or_later = sum(created.get(str(s.pk), 0) for s in path[index:])
        steps.append(FunnelStep(
            stage_id=stage.pk, name=stage.name, kind=stage.kind, position=stage.position,
            reached=wins + created_here_or_later, entered=wins,
            advances_out=funnel.get("out", {}).get(key, 0),
            stays=sum(stays.values()), median_days=median_of_days(stays)))
    _convert(steps)
    total, ratios = _activity_ratios(agency, totals["activity_counts"],
                                     steps[0].reached if steps else 0)
    return Funnel(start=weeks[0].begins, end=end, weeks=len(weeks), steps=steps,
                  activities_total=total, activity_ratios=ratios)


def _activity_ratios(agency: Agency, counts: dict[str, int],
                     first: int) -> tuple[int, list[ActivityRatio]]:
    """Activities logged in all and per prospect reaching the first stage, by type, in the
    types' order (retired types included: their history still counts)."""
    ratios = []
    for pk, name in (ActivityType.objects.filter(agency=agency)
                     .order_by("position", "name").values_list("pk", "name")):
        n = counts.get(str(pk), 0)
        if n:
            ratios.append(ActivityRatio(pk, name, n, n / first if first else None))
    return sum(counts.values()), ratios


def funnel_for(*, actor: Producer, scope_key: str | None,
               weeks: int) -> tuple[FunnelScope, Funnel]:
    """The funnel page: whose funnel (a 404 for anyone the actor may not see) and its numbers
    over the last `weeks` weeks, the current one so far included."""
    scope = funnel_scope_get(actor=actor, key=scope_key)
    now = timezone.now()
    trailing = Week.current(actor.agency, now=now).trailing(weeks)
    return scope, funnel_read(agency=actor.agency, weeks=trailing, end=now,
                              producers=scope.producers)
