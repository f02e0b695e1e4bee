"""Materialise WeeklyScorecard and Celebration rows for one agency-week.

Every read here is one set-based query over the whole agency-week, so the number of queries
is the same for 3 producers or 300 (pinned by a test).
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, Max, OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.text import Truncator

from pipeline.models import Activity, Prospect, Stage, StageAdvance
from salesculture.models import Agency, Producer
from salesculture.weeks import Week

from ..commitments.rules import commitment_actual, commitment_target, counts_toward_total
from ..models import Celebration, Commitment, ConfidenceCheckIn, WeekClosure, WeeklyScorecard

SCORECARD_FIELDS = [
    "activity_counts", "activities_total", "wins", "wins_by_stage", "commitments_total",
    "commitments_kept", "commitment_actuals", "pipeline_open_count", "pipeline_open_value",
    "coverage", "process_adherence", "confidence",
]
STREAK_WEEKS = 3


def _round(value: float | None, places: str = "0.01") -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal(places))


@transaction.atomic
def scorecards_refresh(*, agency: Agency, week_start: dt.date,
                       final: bool | None = None) -> list[WeeklyScorecard]:
    """Recompute (upsert) every selling producer's scorecard for the week.

    `final` judges the week's commitments and celebrates kept weeks and streaks; by default
    it is true when the week has been closed, so a late activity re-judges a closed week.
    """
    start, end = Week(week_start, agency.tz).bounds
    now = timezone.now()
    if final is None:
        final = WeekClosure.objects.filter(agency=agency, week_start=week_start).exists()

    producers = {
        p["id"]: p for p in Producer.objects.filter(agency=agency, is_active=True)
        .exclude(role=Producer.Role.NON_PRODUCER)
        .values("id", "annual_goal", "user__first_name", "user__last_name", "user__username")
    }

    activity_counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (Activity.objects.filter(agency=agency, occurred_at__gte=start, occurred_at__lt=end)
                .values("producer_id", "activity_type_id").annotate(n=Sum("quantity"))
                .order_by()):
        activity_counts[row["producer_id"]][str(row["activity_type_id"])] = row["n"]

    wins_rows = list(
        StageAdvance.objects.filter(agency=agency, is_win=True, occurred_at__gte=start,
                                    occurred_at__lt=end)
        .values("id", "producer_id", "to_stage_id", "to_stage__name", "to_stage__kind",
                "prospect__name", "occurred_at", "next_step", "next_step_due",
                "definition_confirmed")
        .order_by("occurred_at", "id"))
    wins_by_stage: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    adherent: dict[int, int] = defaultdict(int)
    for row in wins_rows:
        wins_by_stage[row["producer_id"]][str(row["to_stage_id"])] += 1
        scheduled = bool(row["next_step"] and row["next_step_due"]) or (
            row["to_stage__kind"] != Stage.Kind.OPEN)
        if scheduled and row["definition_confirmed"]:
            adherent[row["producer_id"]] += 1

    commitments = list(
        Commitment.objects.filter(agency=agency, week_start=week_start)
        .values("id", "producer_id", "kind", "activity_type_id", "stage_id", "target",
                "self_reported_done", "status", "actual"))

    # Open pipeline as it stood at the week's end, read from the ledger, so a past week
    # keeps its own number rather than today's.
    stage_at_end = Subquery(
        StageAdvance.objects.filter(prospect=OuterRef("pk"), occurred_at__lt=end)
        .order_by("-occurred_at", "-id").values("to_stage__kind")[:1])
    pipeline = {
        row["owner_id"]: row for row in Prospect.objects
        .filter(agency=agency).alias(kind_at_end=stage_at_end)
        .filter(kind_at_end=Stage.Kind.OPEN)
        .values("owner_id").annotate(n=Count("id"), value=Sum("estimated_revenue")).order_by()
    }
    check_ins = {
        row["producer_id"]: row for row in ConfidenceCheckIn.objects
        .filter(agency=agency, week_start=week_start)
        .values("producer_id", "process", "pipeline", "team")
    }
    previous_best = dict(
        WeeklyScorecard.objects.filter(agency=agency, week_start__lt=week_start)
        .values("producer_id").annotate(best=Max("wins")).values_list("producer_id", "best")
        .order_by())

    cards = []
    actual_by_commitment: dict[int, int] = {}
    for pid in producers:
        counts = activity_counts.get(pid, {})
        stage_wins = dict(wins_by_stage.get(pid, {}))
        wins = sum(stage_wins.values())
        mine = [c for c in commitments if c["producer_id"] == pid]
        actuals = {}
        kept = total = 0
        for c in mine:
            actual = commitment_actual(c, counts, stage_wins, wins)
            actuals[str(c["id"])] = actual
            actual_by_commitment[c["id"]] = actual
            if counts_toward_total(c):
                total += 1
                kept += actual >= commitment_target(c)
        open_row = pipeline.get(pid, {})
        open_value = open_row.get("value") or Decimal(0)
        goal = producers[pid]["annual_goal"]
        check_in = check_ins.get(pid)
        cards.append(WeeklyScorecard(
            agency=agency, producer_id=pid, week_start=week_start,
            activity_counts=counts, activities_total=sum(counts.values()),
            wins=wins, wins_by_stage=stage_wins,
            commitments_total=total, commitments_kept=kept, commitment_actuals=actuals,
            pipeline_open_count=open_row.get("n", 0), pipeline_open_value=open_value,
            coverage=_round(float(open_value) / (float(goal) / 4)) if goal else None,
            process_adherence=_round(100 * adherent[pid] / wins) if wins else None,
            confidence=_round((check_in["process"] + check_in["pipeline"] + check_in["team"]) / 3)
            if check_in else None,
            is_final=final, computed_at=now))

    existing = {
        row["producer_id"]: row for row in WeeklyScorecard.objects
        .filter(agency=agency, week_start=week_start).values("producer_id", *SCORECARD_FIELDS)
    }
    changed = any(
        existing.get(card.producer_id) != {"producer_id": card.producer_id,
                                           **{f: getattr(card, f) for f in SCORECARD_FIELDS}}
        for card in cards)
    WeeklyScorecard.objects.bulk_create(
        cards, update_conflicts=True, unique_fields=["producer", "week_start"],
        update_fields=[*SCORECARD_FIELDS, "is_final", "computed_at"])

    celebrations = [
        Celebration(
            agency=agency, producer_id=row["producer_id"], kind=Celebration.Kind.ADVANCE,
            source_key=f"advance:{row['id']}", stage_advance_id=row["id"],
            week_start=week_start, occurred_at=row["occurred_at"],
            title=f"{_name(producers.get(row['producer_id']))} moved {row['prospect__name']} "
                  f"to {row['to_stage__name']}",
            detail="Bound! A new client." if row["to_stage__kind"] == Stage.Kind.WON
            else "Success is the next step.")
        for row in wins_rows if row["producer_id"] in producers
    ]
    latest_win = {row["producer_id"]: row["occurred_at"] for row in wins_rows}
    for card in cards:
        best = previous_best.get(card.producer_id)
        if best and card.wins > best and card.wins >= 2:
            celebrations.append(Celebration(
                agency=agency, producer_id=card.producer_id, kind=Celebration.Kind.PERSONAL_BEST,
                source_key=f"best:{card.producer_id}:{week_start}", week_start=week_start,
                occurred_at=latest_win[card.producer_id],
                title=f"Personal best: {_name(producers[card.producer_id])} has {card.wins} "
                      "stage wins this week",
                detail=f"Previous best week: {best}."))

    if final:
        _judge_commitments(commitments, actual_by_commitment, now)
        celebrations += _kept_week_celebrations(agency, week_start, cards, producers, end)

    known = set(Celebration.objects.filter(agency=agency, week_start=week_start)
                .values_list("source_key", flat=True))
    fresh = [_fit(c) for c in celebrations if c.source_key not in known]
    Celebration.objects.bulk_create(fresh, ignore_conflicts=True)

    if changed or fresh:
        Agency.objects.filter(pk=agency.pk).update(live_version=F("live_version") + 1)
    return cards


def _fit(celebration: Celebration) -> Celebration:
    """Long names (a 150-character first name, a 120-character prospect) would overflow the
    title column, and on PostgreSQL one such win would fail every refresh of the week."""
    for field in ("title", "detail"):
        limit = Celebration._meta.get_field(field).max_length
        setattr(celebration, field, Truncator(getattr(celebration, field)).chars(limit))
    return celebration


def _name(producer: dict | None) -> str:
    if not producer:
        return "Someone"
    full = f"{producer['user__first_name']} {producer['user__last_name']}".strip()
    return full or producer["user__username"]


def _judge_commitments(commitments: list[dict], actuals: dict[int, int], now) -> None:
    judged = []
    for c in commitments:
        actual = actuals.get(c["id"], 0)
        status = (Commitment.Status.KEPT if actual >= commitment_target(c)
                  else Commitment.Status.MISSED)
        if c["status"] != status or c["actual"] != actual:
            judged.append(Commitment(pk=c["id"], status=status, actual=actual, judged_at=now))
    if judged:
        Commitment.objects.bulk_update(judged, ["status", "actual", "judged_at"])


def _kept_week_celebrations(agency, week_start, cards, producers, week_end) -> list[Celebration]:
    all_kept = {c.producer_id for c in cards
                if c.commitments_total and c.commitments_kept == c.commitments_total}
    if not all_kept:
        return []
    earlier = defaultdict(set)
    for pid, week, kept, total in (
            WeeklyScorecard.objects.filter(
                agency=agency, producer_id__in=all_kept, is_final=True,
                week_start__lt=week_start,
                week_start__gte=week_start - dt.timedelta(weeks=12))
            .values_list("producer_id", "week_start", "commitments_kept", "commitments_total")):
        if total and kept == total:
            earlier[pid].add(week)
    result = []
    for pid in all_kept:
        name = _name(producers[pid])
        result.append(Celebration(
            agency=agency, producer_id=pid, kind=Celebration.Kind.KEPT_WEEK,
            source_key=f"kept:{pid}:{week_start}", week_start=week_start, occurred_at=week_end,
            title=f"{name} kept every commitment in the week of {week_start:%b} {week_start.day}"))
        streak, week = 1, week_start - dt.timedelta(weeks=1)
        while week in earlier[pid]:
            streak += 1
            week -= dt.timedelta(weeks=1)
        if streak >= STREAK_WEEKS:
            result.append(Celebration(
                agency=agency, producer_id=pid, kind=Celebration.Kind.STREAK,
                source_key=f"streak:{pid}:{week_start}", week_start=week_start,
                occurred_at=week_end,
                title=f"{name}: {streak} weeks in a row with every commitment kept"))
    return result
