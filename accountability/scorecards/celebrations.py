"""The celebrations a week's scorecards earn: each win, a personal best, a week with every
commitment kept, and a streak of such weeks. Pure builders over the refresh job's snapshot
(no queries); each celebration's source key makes creating it twice impossible."""

import datetime as dt
from types import SimpleNamespace

from django.utils.text import Truncator

from pipeline.models import Stage
from salesculture.models import Agency
from salesculture.weeks import ONE_WEEK, Week

from ..models import Celebration, WeeklyScorecard
from .numbers import kept_all

# A best week of a single win is too small to trumpet.
PERSONAL_BEST_MIN_WINS = 2
# Kept weeks in a row that make a streak, and how far back a streak is traced.
STREAK_WEEKS = 3
STREAK_LOOKBACK_WEEKS = 12


class CelebrationDraft(SimpleNamespace):
    """A celebration as a builder words it: a Celebration's fields, without the cost of a
    model instance. A judged week drafts hundreds a refresh, nearly all of them made before;
    only the new and the reworded become rows (`saved`)."""

    def __init__(self, *, detail: str = "", **fields) -> None:
        super().__init__(detail=detail, **fields)  # the model's default: no detail

    def saved(self, pk: int | None = None) -> Celebration:
        return Celebration(pk=pk, **vars(self))


def kept_every_commitment(card: WeeklyScorecard) -> bool:
    # The numbers' own rule, without building them for each of 500 cards a refresh.
    return kept_all(card.commitments_kept, card.commitments_total) is True


def advance_celebrations(agency: Agency, week: Week, wins: list[dict],
                         producers: dict[int, dict]) -> list[CelebrationDraft]:
    return [
        CelebrationDraft(
            agency=agency, producer_id=row["producer_id"], kind=Celebration.Kind.ADVANCE,
            source_key=f"advance:{row['id']}", stage_advance_id=row["id"],
            week_start=week.start, occurred_at=row["occurred_at"],
            title=f"{_name(producers.get(row['producer_id']))} moved {row['prospect__name']} "
                  f"to {row['to_stage__name']}",
            detail=_advance_detail(row))
        for row in wins if row["producer_id"] in producers
    ]


def _advance_detail(move: dict) -> str:
    """A skip reaches the stages it passes: say which, so the count on the board adds up."""
    bound = move["to_stage__kind"] == Stage.Kind.WON
    text = "Bound! A new client." if bound else "Success is the next step."
    names = move.get("stage_names", [])
    if len(names) > 1:
        text = f"{len(names)} stage wins: {', '.join(names)}. {text}"
    return text


def personal_best_celebrations(agency: Agency, week: Week, cards: list[WeeklyScorecard],
                               wins: list[dict], producers: dict[int, dict],
                               previous_best: dict[int, int]) -> list[CelebrationDraft]:
    """More wins than in any earlier week (a first scorecard sets no best to beat)."""
    latest_win = {row["producer_id"]: row["occurred_at"] for row in wins}
    result = []
    for card in cards:
        best = previous_best.get(card.producer_id)
        if best and card.wins > best and card.wins >= PERSONAL_BEST_MIN_WINS:
            result.append(CelebrationDraft(
                agency=agency, producer_id=card.producer_id, kind=Celebration.Kind.PERSONAL_BEST,
                source_key=f"best:{card.producer_id}:{week.start}", week_start=week.start,
                occurred_at=latest_win[card.producer_id],
                title=f"Personal best: {_name(producers[card.producer_id])} has {card.wins} "
                      "stage wins this week",
                detail=f"Previous best week: {best}."))
    return result


def kept_week_celebrations(agency: Agency, week: Week, cards: list[WeeklyScorecard],
                           producers: dict[int, dict],
                           kept_before: dict[int, set[dt.date]]) -> list[CelebrationDraft]:
    """For a judged week: everyone who kept every commitment, and their streak when this
    week makes `STREAK_WEEKS` in a row (`kept_before`: the earlier weeks they kept)."""
    result = []
    ends, label = week.ends, week.label
    for pid in {c.producer_id for c in cards if kept_every_commitment(c)}:
        name = _name(producers[pid])
        result.append(CelebrationDraft(
            agency=agency, producer_id=pid, kind=Celebration.Kind.KEPT_WEEK,
            source_key=f"kept:{pid}:{week.start}", week_start=week.start, occurred_at=ends,
            title=f"{name} kept every commitment in the week of {label}"))
        streak, earlier = 1, week.start - ONE_WEEK
        while earlier in kept_before[pid]:
            streak += 1
            earlier -= ONE_WEEK
        if streak >= STREAK_WEEKS:
            result.append(CelebrationDraft(
                agency=agency, producer_id=pid, kind=Celebration.Kind.STREAK,
                source_key=f"streak:{pid}:{week.start}", week_start=week.start,
                occurred_at=ends,
                title=f"{name}: {streak} weeks in a row with every commitment kept"))
    return result


def sized_to_fit(celebration: CelebrationDraft) -> CelebrationDraft:
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
