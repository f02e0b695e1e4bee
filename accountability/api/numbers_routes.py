"""My week, scorecards, wins and commitments: the numbers pages as JSON.

Who sees whom is the pages' rule (`producers_visible_to`): a producer themself, a leader their
team, an owner everyone; anyone else's id answers 404. The team scorecard is for leaders (their
own team) and owners (any team, or the whole agency)."""

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Query, Router

from pipeline.models import StageAdvance
from salesculture.models import Producer
from salesculture.selectors import producer_get_visible, producers_visible_to, team_get
from salesculture.weeks import Week

from ..commitments import services as commitment_services
from ..commitments.presenters import Progress, commitment_progress
from ..commitments.selectors import commitments_of_week, week_ledger
from ..models import WeeklyScorecard
from ..scorecards.selectors import team_rows
from .errors import ERRORS
from .paging import MAX_ID, ListFilters, Page, between, dates_between, id_param, page_of
from .schemas import ScorecardOut, TargetsIn, TargetsOut, TeamScorecardOut, WeekOut, WinOut

router = Router(tags=["Numbers"])


def _person(request, producer_id: int | None) -> Producer:
    """The producer asked about: oneself by default; another only if the pages would show them."""
    if producer_id is None or producer_id == request.producer.pk:
        return request.producer
    return producer_get_visible(actor=request.producer, producer_id=producer_id)


def _week(request, value: str | None) -> Week:
    try:
        week = Week.parse(request.agency, value)
    except ValueError as exc:
        raise ValidationError({"week": str(exc)}) from None
    this_week = Week.current(request.agency)
    if week is not None and abs((week.start - this_week.start).days) > 366 * 10:
        raise ValidationError({"week": "Give a week within ten years of this one."})
    return week or this_week


def _commitment(row: Progress) -> dict:
    c = row.commitment
    return {"id": c.pk, "kind": c.kind, "description": c.describe(), "target": row.target,
            "actual": row.actual, "kept": row.kept, "planned_ahead": c.planned_ahead}


def _ref(producer: Producer) -> dict:
    return {"id": producer.pk, "name": producer.name}


@router.get("/week", response={200: WeekOut, **ERRORS}, summary="My week",
            description="A week's activity counts, stage wins and commitments with their "
                        "progress, read live from the ledgers as My week shows them. "
                        "`producer`: a leader's team member or, for an owner, anyone.")
def my_week(request, producer: int | None = id_param("A producer you may see (default: you)."),
            week: str | None = None):
    person = _person(request, producer)
    shown = _week(request, week)
    ledger = week_ledger(person, shown.start)
    types = {t.pk: t for t in person.agency.activity_types.all()}
    return {
        "producer": _ref(person), "week_start": shown.start,
        "activities": [{"activity_type": types[type_id], "count": count}
                       for type_id, count in sorted(ledger.counts.items())
                       if type_id in types],
        "activities_total": ledger.activities_total, "wins_total": ledger.wins_total,
        "commitments": [_commitment(row) for row in commitment_progress(
            commitments_of_week(person, shown.start), ledger)],
    }


def _card(card: WeeklyScorecard, producer: Producer) -> dict:
    fields = ("week_start", "activities_total", "activity_counts", "wins", "wins_by_stage",
              "commitments_total", "commitments_kept", "pipeline_open_count",
              "pipeline_open_value", "is_final")
    return {"producer": _ref(producer), **{name: getattr(card, name) for name in fields}}


@router.get("/scorecards", response={200: Page[ScorecardOut], **ERRORS},
            summary="My scorecard history",
            description="A producer's weekly scorecards, newest week first; `since` and "
                        "`until` pick the weeks by their Monday.")
def scorecards(request, filters: Query[ListFilters],
               producer: int | None = id_param("A producer you may see (default: you).")):
    person = _person(request, producer)
    cards = dates_between(WeeklyScorecard.objects.filter(producer=person)
                          .order_by("-week_start"), filters, agency=request.agency,
                          field="week_start")
    return page_of(cards, filters, lambda card: _card(card, person))


@router.get("/team-scorecard", response={200: TeamScorecardOut, **ERRORS},
            summary="The team scorecard",
            description="One week's scorecard of every selling producer of a team, leaders "
                        "first. Leaders read their own team; owners any `team`, or the whole "
                        "agency without one. A producer's token answers 404.")
def team_scorecard(request, week: str | None = None,
                   team: int | None = id_param("A team (owners; default: the whole agency).")):
    actor = request.producer
    if not actor.is_leader:
        raise Http404("Leaders and owners only.")
    if not actor.is_owner:
        if actor.team_id is None or team not in (None, actor.team_id):
            raise Http404("Your own team only.")
        team = actor.team_id
    chosen = team_get(agency=actor.agency, team_id=team) if team is not None else None
    shown = _week(request, week)
    rows = team_rows(actor.agency, shown.start, team=chosen)
    return {"week_start": shown.start,
            "team": {"id": chosen.pk, "name": chosen.name} if chosen else None,
            "rows": [{"producer": _ref(p), "role": p.role,
                      "team": {"id": p.team.pk, "name": p.team.name} if p.team else None,
                      "card": _card(p.card, p) if p.card else None} for p in rows]}


def _win(advance: StageAdvance) -> dict:
    return {"id": advance.pk, "producer": _ref(advance.producer),
            "prospect": {"id": advance.prospect_id, "name": advance.prospect.name},
            "to_stage": advance.to_stage, "occurred_at": advance.occurred_at,
            "wins": advance.wins,
            "stages_won": sorted((win.stage for win in advance.stage_wins.all()),
                                 key=lambda stage: stage.position)}


@router.get("/wins", response={200: Page[WinOut], **ERRORS}, summary="Wins since a time",
            description="The moves that won stages, newest first, of everyone you may see "
                        "(or of one `producer`); `since` is the time of the last win you saw.")
def wins(request, filters: Query[ListFilters],
         producer: int | None = id_param("Only this producer's wins (default: everyone you "
                                         "may see).")):
    people = (producers_visible_to(request.producer) if producer is None
              else Producer.objects.filter(pk=_person(request, producer).pk))
    moves = (StageAdvance.objects.filter(agency=request.agency, is_win=True,
                                         producer__in=people.values("pk"))
             .select_related("producer__user", "prospect", "to_stage")
             .prefetch_related("stage_wins__stage").order_by("-occurred_at", "-id"))
    return page_of(between(moves, filters, agency=request.agency, field="occurred_at"),
                   filters, _win)


def _planning_week(request, which: str) -> Week:
    this_week = Week.current(request.agency)
    if which == "this":
        return this_week
    if which == "next":
        return this_week.next
    raise ValidationError({"week": "Choose next (planned ahead) or this (late)."})


TYPE_MESSAGE = "Choose one of your agency's activity types."
STAGE_MESSAGE = "Choose one of your agency's stages (not Lost), or \"any\"."


def _targets(payload: TargetsIn) -> tuple[dict, dict]:
    """The payload's numbers as the service takes them; keys that cannot be an id are refused
    under the page's field names."""
    errors: dict[str, str] = {}
    for type_id in payload.activities:
        if not 0 < type_id <= MAX_ID:
            errors[f"activity_{type_id}"] = TYPE_MESSAGE
    stage_targets: dict[int | None, int] = {}
    for key, value in payload.stage_wins.items():
        if key == "any":
            stage_targets[None] = value
        elif key.isdecimal() and 0 < int(key) <= MAX_ID:
            stage_targets[int(key)] = value
        else:
            errors[f"wins_{key}"[:80]] = STAGE_MESSAGE
    if errors:
        raise ValidationError(errors)
    return dict(payload.activities), stage_targets


@router.put("/commitments", response={200: TargetsOut, **ERRORS},
            summary="Set next week's commitments",
            description="Sets the numbers sent for next week (`week`: next, planned ahead) or "
                        "this week (late), as the commitments page does; measures not sent keep "
                        "theirs, 0 removes one. Once a week has started its numbers stand. "
                        "Errors are keyed by the page's field names (`activity_<id>`, "
                        "`wins_<id>`, `wins_any`).")
def commitments_set(request, payload: TargetsIn):
    producer = request.producer
    week = _planning_week(request, payload.week)
    activity_targets, stage_targets = _targets(payload)
    summary = commitment_services.commitments_set_targets(
        producer=producer, week_start=week.start, actor=producer,
        activity_targets=activity_targets, stage_targets=stage_targets)
    rows = commitment_progress(commitments_of_week(producer, week.start),
                               week_ledger(producer, week.start))
    parts = [f"{n} {word}" for word, n in summary.items() if n]
    message = (f"Commitments for the week of {week.label} saved ({', '.join(parts)})."
               if parts else "Nothing changed.")
    return {"week_start": week.start, **summary, "commitments": [_commitment(r) for r in rows],
            "message": message}
