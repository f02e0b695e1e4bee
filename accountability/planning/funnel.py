"""The funnel of a producer, a team or the agency, read from the StageAdvance and Activity
ledgers with a fixed number of queries however many prospects and moves there are.

Definitions (pinned by hand-computed tests in tests/accountability/test_funnel.py):

- The *path* is every non-lost stage in position order (open stages, then the won stage).
- A prospect is in the funnel of a period when the scope's producers have a ledger row for it
  in the period (its creation row, from_stage=None, counts). It *reached* a path stage when any
  of those rows moved it into that stage or a later one on the path; so a prospect created in
  Lead and moved straight to Discovery done reached Contacted and Appointment set too, and the
  reached counts never grow down the funnel.
- The conversion from one step to the next is reached(next) ÷ reached(this); drop-off is
  1 − conversion. *Advances out* of a stage are the ledger rows leaving it (forward, backward
  or lost): the evidence behind its rate.
- *Entered* counts the stage wins of the stage: the moves that made a prospect reach it for
  the first time (pipeline/wins.py), a skip winning each stage it passes, as scorecards,
  commitments and role fit count them. entered ÷ reached is the share of the prospects
  reaching a stage that win it (a prospect back in a stage it had reached before wins nothing);
  the plan uses it to turn stages reached into wins.
- Time in stage is measured between a prospect's consecutive ledger rows in the period (the
  stay in the stage the first row moved it into); stays still running are not counted. The
  median is taken in Python from one query of ledger rows: the rows grow, the queries do not.
- The activity-to-first-stage ratio is the activities logged in the period (their quantities)
  ÷ the prospects that reached the first stage.
"""

import datetime as dt
import statistics
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from pipeline.models import Activity, Stage, StageAdvance
from salesculture.models import Agency, Producer, Team
from salesculture.selectors import (
    person_name,
    producer_get_visible,
    producers_visible_to,
    team_get,
)
from salesculture.weeks import Week

DEFAULT_WEEKS = 26
MAX_WEEKS = 104


@dataclass
class FunnelStep:
    stage_id: int
    name: str
    kind: str
    position: int
    reached: int
    advances_out: int = 0
    conversion: float | None = None  # to the next step
    drop_off: float | None = None
    median_days: float | None = None
    stays: int = 0  # completed stays behind the median
    width: float = 0.0  # percent of the first step, for drawing
    next_reached: int = 0
    entered: int = 0  # forward moves (wins) into this very stage

    @property
    def win_share(self) -> float | None:
        return self.entered / self.reached if self.reached else None

    @property
    def conversion_pct(self) -> float | None:
        return None if self.conversion is None else 100 * self.conversion

    @property
    def drop_off_pct(self) -> float | None:
        return None if self.drop_off is None else 100 * self.drop_off

    @property
    def is_won(self) -> bool:
        return self.kind == Stage.Kind.WON


@dataclass
class ActivityRatio:
    activity_type_id: int
    name: str
    total: int
    per_first_stage: float | None


@dataclass
class Funnel:
    start: dt.datetime
    end: dt.datetime
    weeks: int
    steps: list[FunnelStep]
    activities_total: int = 0
    activity_ratios: list[ActivityRatio] = field(default_factory=list)

    @property
    def first_reached(self) -> int:
        return self.steps[0].reached if self.steps else 0

    @property
    def activities_per_first_stage(self) -> float | None:
        return self.activities_total / self.first_reached if self.first_reached else None


def path_stages(stages: list[Stage]) -> list[Stage]:
    """Non-lost stages in order, ending at the first won stage (later ones are ignored)."""
    path = []
    for stage in sorted(stages, key=lambda s: s.position):
        if stage.kind == Stage.Kind.LOST:
            continue
        path.append(stage)
        if stage.kind == Stage.Kind.WON:
            break
    return path


def period_bounds(agency: Agency, weeks: int, *,
                  now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the last `weeks` weeks, the current one included, ending now."""
    now = now or timezone.now()
    return Week.current(agency, now=now).trailing(weeks)[0].begins, now


def parse_weeks(value: str | None) -> int:
    """The `?weeks=` parameter; raises ValueError with a message for the user."""
    if value in (None, ""):
        return DEFAULT_WEEKS
    try:
        weeks = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"“{value}” is not a number of weeks.") from None
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValueError(f"Choose between 1 and {MAX_WEEKS} weeks.")
    return weeks


def funnel_compute(
    *,
    agency: Agency,
    start: dt.datetime,
    end: dt.datetime,
    producers: QuerySet[Producer] | list[int] | None = None,
    stages: list[Stage] | None = None,
    with_medians: bool = True,
    weeks: int = 0,
) -> Funnel:
    """The funnel of `producers` (None: the whole agency) over [start, end).

    Queries: stages (unless given), one aggregate over the stage ledger, one over the activity
    ledger, and one row read for the medians.
    """
    if stages is None:
        stages = list(Stage.objects.filter(agency=agency).order_by("position"))
    path = path_stages(stages)
    advances = StageAdvance.objects.filter(agency=agency, occurred_at__gte=start,
                                           occurred_at__lt=end)
    activities = Activity.objects.filter(agency=agency, occurred_at__gte=start,
                                         occurred_at__lt=end)
    if producers is not None:
        advances = advances.filter(producer__in=producers)
        activities = activities.filter(producer__in=producers)

    steps = [FunnelStep(stage_id=s.pk, name=s.name, kind=s.kind, position=s.position,
                        reached=0) for s in path]
    if path:
        _count_stages(advances, path, steps)
    _convert(steps)
    if with_medians and steps:
        _medians(advances, steps)
    total, ratios = _activity_ratios(activities, steps[0].reached if steps else 0)
    return Funnel(start=start, end=end, weeks=weeks, steps=steps, activities_total=total,
                  activity_ratios=ratios)


def _count_stages(advances: QuerySet[StageAdvance], path: list[Stage],
                  steps: list[FunnelStep]) -> None:
    """Reached, advances out and stage wins of each path stage: one aggregate query (joined to
    the moves' StageWin rows, so the per-move counts are distinct)."""
    reach = ~Q(to_stage__kind=Stage.Kind.LOST)
    aggregates = {}
    for s in path:
        aggregates[f"reached_{s.pk}"] = Count(
            "prospect", distinct=True, filter=reach & Q(to_stage__position__gte=s.position))
        aggregates[f"out_{s.pk}"] = Count("id", distinct=True, filter=Q(from_stage_id=s.pk))
        aggregates[f"in_{s.pk}"] = Count("stage_wins", filter=Q(stage_wins__stage_id=s.pk))
    totals = advances.aggregate(**aggregates)
    for step in steps:
        step.reached = totals[f"reached_{step.stage_id}"] or 0
        step.advances_out = totals[f"out_{step.stage_id}"] or 0
        step.entered = totals[f"in_{step.stage_id}"] or 0


def _convert(steps: list[FunnelStep]) -> None:
    """Each step's conversion to the next and drop-off, and its width for drawing."""
    for this, following in zip(steps, steps[1:], strict=False):
        this.next_reached = following.reached
        if this.reached:
            this.conversion = following.reached / this.reached
            this.drop_off = 1 - this.conversion
    first = steps[0].reached if steps else 0
    for step in steps:
        step.width = 100 * step.reached / first if first else 0.0


def _activity_ratios(activities: QuerySet[Activity],
                     first: int) -> tuple[int, list[ActivityRatio]]:
    """Activities logged (their quantities), in all and per prospect reaching the first
    stage, by type: one query."""
    ratios = []
    total = 0
    for row in (activities.values("activity_type_id", "activity_type__name")
                .annotate(n=Sum("quantity")).order_by("activity_type__position",
                                                      "activity_type__name")):
        total += row["n"]
        ratios.append(ActivityRatio(row["activity_type_id"], row["activity_type__name"],
                                    row["n"], row["n"] / first if first else None))
    return total, ratios


def _medians(advances: QuerySet[StageAdvance], steps: list[FunnelStep]) -> None:
    stays: dict[int, list[float]] = {s.stage_id: [] for s in steps}
    previous = None
    for prospect_id, to_stage_id, occurred_at in (
            advances.order_by("prospect_id", "occurred_at", "id")
            .values_list("prospect_id", "to_stage_id", "occurred_at").iterator()):
        if previous is not None and previous[0] == prospect_id and previous[1] in stays:
            stays[previous[1]].append((occurred_at - previous[2]).total_seconds() / 86400)
        previous = (prospect_id, to_stage_id, occurred_at)
    for step in steps:
        days = stays[step.stage_id]
        step.stays = len(days)
        step.median_days = statistics.median(days) if days else None


# --- scope: whose funnel the acting producer may see ---------------------------------------

@dataclass
class FunnelScope:
    key: str  # "me", "producer:<id>", "team:<id>", "agency"
    label: str
    producers: QuerySet[Producer] | None  # None: the whole agency
    team_id: int | None = None  # the team in view, whose people the scope picker lists


def funnel_scope_choices(actor: Producer,
                         scope: FunnelScope | None = None) -> list[tuple[str, str]]:
    """The scopes offered to the actor: themself, then (leaders) each producer they lead and
    their team; (owners) every team, the agency, and the people of the team in view (the
    team chosen, or the chosen person's): a list of 500 names helps nobody choose."""
    choices = [("me", "Me")]
    if not actor.is_leader:
        return choices
    people = producers_visible_to(actor).exclude(pk=actor.pk)
    if actor.is_owner:
        team_id = scope.team_id if scope is not None else actor.team_id
        people = people.filter(team_id=team_id) if team_id else people.none()
    for pk, first, last, username in (people.order_by("user__first_name", "user__last_name")
                                      .values_list("pk", "user__first_name", "user__last_name",
                                                   "user__username")):
        choices.append((f"producer:{pk}", person_name(first, last, username)))
    if actor.is_owner:
        for pk, name in (Team.objects.filter(agency=actor.agency).order_by("name")
                         .values_list("pk", "name")):
            choices.append((f"team:{pk}", f"Team {name}"))
        choices.append(("agency", "Whole agency"))
    elif actor.team_id:
        choices.append((f"team:{actor.team_id}", f"Team {actor.team.name}"))
    return choices


def funnel_scope_get(*, actor: Producer, key: str | None) -> FunnelScope:
    """Resolve `?scope=`; anything the actor may not see (or of another agency) is a 404."""
    key = key or "me"
    if key == "me":
        return FunnelScope("me", actor.name, Producer.objects.filter(pk=actor.pk),
                           actor.team_id)
    kind, _, ident = key.partition(":")
    if kind == "producer":
        person = producer_get_visible(actor=actor, producer_id=ident)
        return FunnelScope(key, person.name, Producer.objects.filter(pk=person.pk),
                           person.team_id)
    if kind == "team" and actor.is_leader:
        team = team_get(agency=actor.agency, team_id=ident)
        if not actor.is_owner and team.pk != actor.team_id:
            raise Http404("No such team.")
        return FunnelScope(key, f"Team {team.name}",
                           Producer.objects.filter(agency=actor.agency, team=team), team.pk)
    if kind == "agency" and actor.is_owner:
        return FunnelScope(key, actor.agency.name, None)
    raise Http404("No such funnel.")
