"""Materialise WeeklyScorecard and Celebration rows for one agency-week.

Every read here is one set-based query over the whole agency-week, so the number of queries
is the same for 3 producers or 300 (pinned by a test). The job runs in four steps: a snapshot
of the week read from the ledgers, the cards built from it, the celebrations they earn, and
the upsert of both, which bumps the agency's live version when anything changed.
"""

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from pipeline.models import Activity, Prospect, Stage, StageAdvance, StageWin
from salesculture.models import Agency, Producer
from salesculture.weeks import Week

from ..commitments.rules import commitment_actual, commitment_target, counts_toward_total
from ..models import Celebration, Commitment, ConfidenceCheckIn, WeekClosure, WeeklyScorecard
from .celebrations import (
    STREAK_LOOKBACK_WEEKS,
    advance_celebrations,
    kept_every_commitment,
    kept_week_celebrations,
    personal_best_celebrations,
    sized_to_fit,
)

SCORECARD_FIELDS = [
    "activity_counts", "activities_total", "wins", "wins_by_stage", "commitments_total",
    "commitments_kept", "commitment_actuals", "pipeline_open_count", "pipeline_open_value",
    "coverage", "process_adherence", "confidence",
]
# Coverage is the open pipeline against a quarter's share of the annual goal.
QUARTERS_PER_YEAR = 4

logger = logging.getLogger(__name__)


@dataclass
class _Snapshot:
    """The agency-week as the ledgers tell it: each field is one query over the whole agency."""

    agency: Agency
    week: Week
    final: bool
    now: dt.datetime
    producers: dict[int, dict]  # the selling producers on the week's board, by id
    activity_counts: dict[int, dict[str, int]]  # producer → activity type id → quantity
    wins: list[dict]  # the week's winning moves, oldest first, with the stages each won
    commitments: list[dict]
    open_pipeline: dict[int, dict]  # producer → open prospects (n, value) at the week's end
    check_ins: dict[int, dict]
    previous_best: dict[int, int]  # producer → most wins in any earlier week
    stored: dict[int, dict]  # producer → this week's scorecard as it is stored now


@transaction.atomic
def scorecards_refresh(*, agency: Agency, week_start: dt.date,
                       final: bool | None = None) -> list[WeeklyScorecard]:
    """Recompute (upsert) every selling producer's scorecard for the week.

    `final` judges the week's commitments and celebrates kept weeks and streaks; by default
    it is true when the week has been closed, so a late activity re-judges a closed week.
    """
    snapshot = _snapshot(agency, Week(week_start, agency.tz), final)
    cards = _cards_build(snapshot)
    changed = _scorecards_upsert(snapshot, cards)
    if snapshot.final:
        # A producer whose card could not be built keeps their commitments as they stand:
        # judged without a card, they would all read missed.
        skipped = set(snapshot.producers) - {card.producer_id for card in cards}
        _commitments_judge([c for c in snapshot.commitments if c["producer_id"] not in skipped],
                           cards, snapshot.now)
    fresh = _celebrations_create(snapshot, _celebrations_build(snapshot, cards))
    if changed or fresh:
        Agency.objects.filter(pk=agency.pk).update(live_version=F("live_version") + 1)
    return cards


# --- 1. the snapshot ----------------------------------------------------------------------

def _snapshot(agency: Agency, week: Week, final: bool | None) -> _Snapshot:
    start, end = week.bounds
    now = timezone.now()
    if final is None:
        final = WeekClosure.objects.filter(agency=agency, week_start=week.start).exists()
    producers = {
        p["id"]: p for p in Producer.objects.filter(agency=agency, is_active=True)
        .exclude(role=Producer.Role.NON_PRODUCER)
        .values("id", "annual_goal", "created_at", "user__first_name", "user__last_name",
                "user__username")
    }
    activity_counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (Activity.objects.filter(agency=agency, occurred_at__gte=start, occurred_at__lt=end)
                .values("producer_id", "activity_type_id").annotate(n=Sum("quantity"))
                .order_by()):
        activity_counts[row["producer_id"]][str(row["activity_type_id"])] = row["n"]
    wins = _winning_moves(agency, start, end)
    commitments = list(
        Commitment.objects.filter(agency=agency, week_start=week.start)
        .values("id", "producer_id", "kind", "activity_type_id", "stage_id", "target",
                "self_reported_done", "status", "actual"))
    open_pipeline = _open_pipeline(agency, end)
    check_ins = {
        row["producer_id"]: row for row in ConfidenceCheckIn.objects
        .filter(agency=agency, week_start=week.start)
        .values("producer_id", "process", "pipeline", "team")
    }
    previous_best = dict(
        WeeklyScorecard.objects.filter(agency=agency, week_start__lt=week.start)
        .values("producer_id").annotate(best=Max("wins")).values_list("producer_id", "best")
        .order_by())
    stored = {
        row["producer_id"]: row for row in WeeklyScorecard.objects
        .filter(agency=agency, week_start=week.start)
        .values("producer_id", "is_final", *SCORECARD_FIELDS)
    }
    producers = _on_the_board(producers, end, activity_counts, wins, commitments,
                              open_pipeline, check_ins)
    return _Snapshot(
        agency=agency, week=week, final=final, now=now, producers=producers,
        activity_counts=activity_counts, wins=wins, commitments=commitments,
        open_pipeline=open_pipeline, check_ins=check_ins,
        previous_best=previous_best, stored=stored)


def _on_the_board(producers: dict[int, dict], week_ends: dt.datetime,
                  activity_counts: dict, wins: list[dict], commitments: list[dict],
                  open_pipeline: dict, check_ins: dict) -> dict[int, dict]:
    """The producers who get a card for the week: everyone who had joined by its end, and
    anyone the ledgers place in it (history imported for someone added later). A week that
    ended before someone joined gets no card: a card of zeros would count as a week they sold
    nothing, in their averages, their drill-down and their digest."""
    recorded = {*activity_counts, *(m["producer_id"] for m in wins),
                *(c["producer_id"] for c in commitments), *open_pipeline, *check_ins}
    return {pid: p for pid, p in producers.items()
            if p["created_at"] < week_ends or pid in recorded}


def _winning_moves(agency: Agency, start: dt.datetime, end: dt.datetime) -> list[dict]:
    """The week's moves that won something, oldest first, each with `stages`: the ids of the
    stages it reached for the first time (pipeline/wins.py). One query over StageWin rows."""
    moves: dict[int, dict] = {}
    for row in (StageWin.objects.filter(agency=agency, occurred_at__gte=start,
                                        occurred_at__lt=end)
                .values("advance_id", "stage_id", "stage__name", "producer_id", "occurred_at",
                        "advance__to_stage__name", "advance__to_stage__kind",
                        "prospect__name", "advance__next_step", "advance__next_step_due",
                        "advance__definition_confirmed")
                .order_by("occurred_at", "advance_id", "stage__position")):
        move = moves.setdefault(row["advance_id"], {
            "id": row["advance_id"], "producer_id": row["producer_id"],
            "occurred_at": row["occurred_at"], "prospect__name": row["prospect__name"],
            "to_stage__name": row["advance__to_stage__name"],
            "to_stage__kind": row["advance__to_stage__kind"],
            "next_step": row["advance__next_step"],
            "next_step_due": row["advance__next_step_due"],
            "definition_confirmed": row["advance__definition_confirmed"], "stages": [],
            "stage_names": []})
        move["stages"].append(row["stage_id"])
        move["stage_names"].append(row["stage__name"])
    return list(moves.values())


def _open_pipeline(agency: Agency, end: dt.datetime) -> dict[int, dict]:
    """Open pipeline as it stood at the week's end, read from the ledger, so a past week
    keeps its own number rather than today's. A deleted prospect left it when it was deleted:
    this week no longer counts it, a week that ended before keeps it."""
    stage_at_end = Subquery(
        StageAdvance.objects.filter(prospect=OuterRef("pk"), occurred_at__lt=end)
        .order_by("-occurred_at", "-id").values("to_stage__kind")[:1])
    return {
        row["owner_id"]: row for row in Prospect.all_objects
        .filter(Q(deleted_at__isnull=True) | Q(deleted_at__gte=end), agency=agency)
        .alias(kind_at_end=stage_at_end)
        .filter(kind_at_end=Stage.Kind.OPEN)
        .values("owner_id").annotate(n=Count("id"), value=Sum("estimated_revenue")).order_by()
    }


# --- 2. the cards -------------------------------------------------------------------------

def _cards_build(snapshot: _Snapshot) -> list[WeeklyScorecard]:
    """One unsaved scorecard per selling producer, from the snapshot alone (no queries).

    One producer's card that cannot be computed is logged and left out (their stored card
    stays as it was): one person's bad data must never stop the agency's numbers. Building a
    card runs no query, so a failure here leaves the transaction usable."""
    wins_by_stage, adherent = _wins_tally(snapshot.wins)
    commitments: dict[int, list[dict]] = defaultdict(list)
    for c in snapshot.commitments:
        commitments[c["producer_id"]].append(c)
    cards = []
    for pid in snapshot.producers:
        try:
            cards.append(_card(snapshot, pid, dict(wins_by_stage.get(pid, {})),
                               adherent.get(pid, (0, 0)), commitments[pid]))
        except Exception:
            logger.exception("Scorecard of producer %s for agency %s, week of %s could not be "
                             "computed; it is skipped and keeps its stored numbers.",
                             pid, snapshot.agency.pk, snapshot.week.start)
    return cards


def _wins_tally(wins: list[dict]) -> tuple[dict, dict[int, tuple[int, int]]]:
    """Stage wins per producer and stage, and per producer how many winning moves followed the
    process (the stage's definition of done confirmed and the next step scheduled; a closed
    prospect needs none) out of how many winning moves."""
    wins_by_stage: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    adherent: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for row in wins:
        for stage_id in row["stages"]:
            wins_by_stage[row["producer_id"]][str(stage_id)] += 1
        scheduled = bool(row["next_step"] and row["next_step_due"]) or (
            row["to_stage__kind"] != Stage.Kind.OPEN)
        adherent[row["producer_id"]][0] += bool(scheduled and row["definition_confirmed"])
        adherent[row["producer_id"]][1] += 1
    return wins_by_stage, {pid: (kept, moves) for pid, (kept, moves) in adherent.items()}


def _card(snapshot: _Snapshot, pid: int, stage_wins: dict[str, int],
          adherence: tuple[int, int], commitments: list[dict]) -> WeeklyScorecard:
    counts = snapshot.activity_counts.get(pid, {})
    wins = sum(stage_wins.values())
    actuals = {}
    kept = total = 0
    for c in commitments:
        actual = commitment_actual(c, counts, stage_wins, wins)
        actuals[str(c["id"])] = actual
        if counts_toward_total(c):
            total += 1
            kept += actual >= commitment_target(c)
    open_row = snapshot.open_pipeline.get(pid, {})
    open_value = open_row.get("value") or Decimal(0)
    check_in = snapshot.check_ins.get(pid)
    adherent, moves = adherence
    return WeeklyScorecard(
        agency=snapshot.agency, producer_id=pid, week_start=snapshot.week.start,
        activity_counts=counts, activities_total=sum(counts.values()),
        wins=wins, wins_by_stage=stage_wins,
        commitments_total=total, commitments_kept=kept, commitment_actuals=actuals,
        pipeline_open_count=open_row.get("n", 0),
        pipeline_open_value=_fit(open_value, "pipeline_open_value"),
        coverage=_coverage(snapshot, pid, open_value),
        process_adherence=_fit(_round(100 * adherent / moves), "process_adherence")
        if moves else None,
        confidence=_fit(_round(_mean_rating(check_in)), "confidence") if check_in else None,
        is_final=snapshot.final, computed_at=snapshot.now)


def _coverage(snapshot: _Snapshot, pid: int, open_value: Decimal) -> Decimal | None:
    """Against today's goal while the week runs; a closed week keeps the coverage it was
    closed with, so changing the goal later does not rewrite a finished week (a late
    activity still re-judges its other numbers)."""
    stored = snapshot.stored.get(pid)
    if stored is not None and stored["is_final"]:
        return stored["coverage"]
    goal = snapshot.producers[pid]["annual_goal"]
    if goal is None or goal <= 0:
        return None  # no goal, no coverage
    return _fit(Decimal(open_value) / (Decimal(goal) / QUARTERS_PER_YEAR), "coverage")


def _mean_rating(check_in: dict) -> float:
    ratings = (check_in["process"], check_in["pipeline"], check_in["team"])
    return sum(ratings) / len(ratings)


def _round(value: float | None, places: str = "0.01") -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal(places))


def _fit(value: Decimal | None, field: str) -> Decimal | None:
    """`value` rounded to the column's places and held within what the column stores: a
    ratio against a tiny goal must not overflow `numeric(8,2)` (a DataError on PostgreSQL
    that failed the whole agency-week). A value that is no number is stored as none."""
    if value is None or not value.is_finite():
        return None
    column = WeeklyScorecard._meta.get_field(field)
    places = Decimal(1).scaleb(-column.decimal_places)
    largest = Decimal(10) ** (column.max_digits - column.decimal_places) - places
    return max(-largest, min(largest, value)).quantize(places)


# --- 3. the celebrations -----------------------------------------------------------------

def _celebrations_build(snapshot: _Snapshot, cards: list[WeeklyScorecard]) -> list[Celebration]:
    """Every win, the personal bests, and on a judged week the kept weeks and streaks (the
    one read here, of earlier kept weeks, runs only when someone kept every commitment)."""
    agency, week, producers = snapshot.agency, snapshot.week, snapshot.producers
    celebrations = [
        *advance_celebrations(agency, week, snapshot.wins, producers),
        *personal_best_celebrations(agency, week, cards, snapshot.wins, producers,
                                    snapshot.previous_best)]
    if snapshot.final:
        celebrations += kept_week_celebrations(agency, week, cards, producers,
                                               _kept_weeks_before(agency, week, cards))
    return celebrations


def _kept_weeks_before(agency: Agency, week: Week,
                       cards: list[WeeklyScorecard]) -> dict[int, set[dt.date]]:
    """The earlier weeks (within the look-back) in which each producer who kept every
    commitment this week did so too; no query when nobody did."""
    all_kept = [c.producer_id for c in cards if kept_every_commitment(c)]
    earlier: dict[int, set[dt.date]] = defaultdict(set)
    if not all_kept:
        return earlier
    for pid, start, kept, total in (
            WeeklyScorecard.objects.filter(
                agency=agency, producer_id__in=all_kept, is_final=True,
                week_start__lt=week.start,
                week_start__gte=week.start - dt.timedelta(weeks=STREAK_LOOKBACK_WEEKS))
            .values_list("producer_id", "week_start", "commitments_kept", "commitments_total")):
        if total and kept == total:
            earlier[pid].add(start)
    return earlier


# --- 4. the writes ------------------------------------------------------------------------

def _scorecards_upsert(snapshot: _Snapshot, cards: list[WeeklyScorecard]) -> bool:
    """Upsert the cards that differ from what is stored (a refresh that finds nothing new
    writes nothing, so running it twice changes nothing); True when any number differs."""
    changed, written = False, []
    for card in cards:
        stored = snapshot.stored.get(card.producer_id)
        differs = _stored_numbers(stored) != {f: getattr(card, f) for f in SCORECARD_FIELDS}
        changed = changed or differs
        if differs or stored["is_final"] != card.is_final:
            written.append(card)
    WeeklyScorecard.objects.bulk_create(
        written, update_conflicts=True, unique_fields=["producer", "week_start"],
        update_fields=[*SCORECARD_FIELDS, "is_final", "computed_at"])
    return changed


def _stored_numbers(row: dict | None) -> dict | None:
    return None if row is None else {f: row[f] for f in SCORECARD_FIELDS}


def _commitments_judge(commitments: list[dict], cards: list[WeeklyScorecard],
                       now: dt.datetime) -> None:
    """Kept or missed, from the actuals on the cards; a commitment of someone who no longer
    sells has no card, so it counts nothing done."""
    actuals = {int(key): actual for card in cards
               for key, actual in card.commitment_actuals.items()}
    judged = []
    for c in commitments:
        actual = actuals.get(c["id"], 0)
        status = (Commitment.Status.KEPT if actual >= commitment_target(c)
                  else Commitment.Status.MISSED)
        if c["status"] != status or c["actual"] != actual:
            judged.append(Commitment(pk=c["id"], status=status, actual=actual, judged_at=now))
    if judged:
        Commitment.objects.bulk_update(judged, ["status", "actual", "judged_at"])


def _celebrations_create(snapshot: _Snapshot,
                         celebrations: list[Celebration]) -> list[Celebration]:
    """Create the celebrations not made before (by source key) and bring the text of the ones
    that were up to date (a personal best grows with each win of the week); returns what was
    created or reworded."""
    known = {c.source_key: c for c in Celebration.objects
             .filter(agency=snapshot.agency, week_start=snapshot.week.start)
             .only("pk", "source_key", "title", "detail")}
    fresh, reworded = [], []
    for celebration in map(sized_to_fit, celebrations):
        stored = known.get(celebration.source_key)
        if stored is None:
            fresh.append(celebration)
        elif (stored.title, stored.detail) != (celebration.title, celebration.detail):
            stored.title, stored.detail = celebration.title, celebration.detail
            reworded.append(stored)
    Celebration.objects.bulk_create(fresh, ignore_conflicts=True)
    if reworded:
        Celebration.objects.bulk_update(reworded, ["title", "detail"])
    return fresh + reworded
