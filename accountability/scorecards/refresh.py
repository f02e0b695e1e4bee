"""Materialise WeeklyScorecard and Celebration rows for one agency-week.

Every read here is one set-based query over the whole agency-week, so the number of queries
is the same for 3 producers or 300 (pinned by a test). The job runs in four steps: a snapshot
of the week read from the ledgers (snapshot.py), the cards built from it, the celebrations
they earn, and the upsert of both, which bumps the agency's live version when anything changed
and tells the caller whose cards changed. A judged week's commitments are settled by
judging.py, the funnel's evidence read by funnel_tally.py.
"""

import datetime as dt
import logging
import operator
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from types import SimpleNamespace

from django.db import connection, transaction

from salesculture.models import Agency
from salesculture.upsert import rows_upsert
from salesculture.webhooks import webhook_events_publish
from salesculture.weeks import Week

from ..commitments.rules import commitment_actual, commitment_target, counts_toward_total
from ..models import AgencyFunnelWeek, Celebration, WeeklyScorecard
from ..planning.funnel_weeks import STORED_FIELDS as FUNNEL_FIELDS
from ..planning.rolefit import finished_week_changed
from .celebrations import (
    CelebrationDraft,
    advance_celebrations,
    kept_every_commitment,
    kept_week_celebrations,
    personal_best_celebrations,
    sized_to_fit,
)
from .columns import SCORECARD_FIELDS
from .funnel_sum import funnel_sum
from .judging import commitments_judge
from .kept import week_key
from .live import live_versions_bump
from .partial import others_funnel_rows
from .production import close_rate_percent, pace_percent, share_of_year_gone
from .running import cards_off_the_board, later_weeks_mark
from .snapshot import WeekSnapshot, week_snapshot
from .stored_cards import kept_cards_drop
from .tallies import kept_weeks_before

__all__ = ["SCORECARD_FIELDS", "ScorecardsRefreshed", "scorecards_refresh"]

# Coverage is the open pipeline against a quarter's share of the annual goal.
QUARTERS_PER_YEAR = 4

logger = logging.getLogger(__name__)


class ScorecardsRefreshed(list):
    """The cards a refresh computed (a list, as before), and `changed_producer_ids`: whose
    stored numbers it changed or who earned a new or reworded celebration, i.e. whose live
    figures a page showing them must fetch again. Empty when the refresh found nothing new."""

    changed_producer_ids: frozenset[int] = frozenset()


@transaction.atomic
def scorecards_refresh(*, agency: Agency, week_start: dt.date, final: bool | None = None,
                       producer_ids: Iterable[int] | None = None) -> ScorecardsRefreshed:
    """Recompute (upsert) every selling producer's scorecard for the week.

    `final` judges the week's commitments and celebrates kept weeks and streaks; by default
    it is true when the week has been closed, so a late activity re-judges a closed week.
    `producer_ids` (a partial refresh, partial.py): only these producers' cards, commitments
    and celebrations are read and recomputed, the others' stay as stored.
    """
    _agency_week_lock(agency, week_start)
    snapshot = week_snapshot(agency, Week(week_start, agency.tz), final,
                             None if producer_ids is None else frozenset(producer_ids))
    cards = _cards_build(snapshot)
    changed, wrote = _scorecards_upsert(snapshot, cards)
    gone = cards_off_the_board(snapshot)
    # What this run wrote is read again next time, whatever its stamp says: two runs within
    # one microsecond (a test's stopped clock) would stamp a card alike.
    kept_cards_drop(snapshot.agency, snapshot.week, [*wrote, *(c.producer_id for c in gone)])
    # Their month, year and 13 weeks sum this week (a card whose numbers held changes none).
    later_weeks_mark(snapshot, [*(c for c in cards if c.producer_id in changed), *gone])
    for card in gone:
        del snapshot.stored[card.producer_id]
        changed.add(card.producer_id)
    if wrote or gone:  # unchanged cards sum to the agency's funnel week as it is stored
        _agency_funnel_week_save(snapshot, cards, changed)
    judged = 0
    if snapshot.final:
        # A producer whose card could not be built keeps their commitments as they stand:
        # judged without a card, they would all read missed.
        skipped = set(snapshot.producers) - {card.producer_id for card in cards}
        judged = commitments_judge([c for c in snapshot.commitments
                                    if c["producer_id"] not in skipped], cards, snapshot.now)
    fresh = _celebrations_create(snapshot, _celebrations_build(snapshot, cards))
    if (changed or judged) and week_start < Week.current(agency).start:
        finished_week_changed(agency, week_start)
    result = ScorecardsRefreshed(cards)
    result.changed_producer_ids = frozenset(
        changed | {c.producer_id for c in fresh if c.producer_id is not None})
    live_versions_bump(agency, result.changed_producer_ids)
    return result


def _agency_week_lock(agency: Agency, week_start: dt.date) -> None:
    """One refresh of an agency-week at a time (until its transaction ends): two running
    together each read the ledgers, and the one that read first could write its older numbers
    last (20 quick-logs at once left a card at 18). The next one then reads what the first
    committed. PostgreSQL; SQLite runs one writer at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)",
                           [agency.pk, week_start.toordinal()])


# --- 2. the cards -------------------------------------------------------------------------

def _cards_build(snapshot: WeekSnapshot) -> list[WeeklyScorecard]:
    """One unsaved scorecard per selling producer, from the snapshot alone (no queries).

    One producer's card that cannot be computed is logged and left out (their stored card
    stays as it was): one person's bad data must never stop the agency's numbers. Building a
    card runs no query, so a failure here leaves the transaction usable."""
    commitments: dict[int, list[dict]] = defaultdict(list)
    for c in snapshot.commitments:
        commitments[c["producer_id"]].append(c)
    week = _WeekConstants(snapshot)
    cards = []
    for pid in snapshot.producers:
        try:
            cards.append(_card(snapshot, week, pid, commitments.get(pid, ())))
        except Exception:
            logger.exception("Scorecard of producer %s for agency %s, week of %s could not be "
                             "computed; it is skipped and keeps its stored numbers.",
                             pid, snapshot.agency.pk, snapshot.week.start)
    return cards


class Card(SimpleNamespace):
    """A computed scorecard: the fields of a WeeklyScorecard, without the cost of a model
    instance (500 a run); only the cards that differ from what is stored are written."""


class _WeekConstants:
    """What every card of the refresh shares, worked out once rather than 500 times."""

    def __init__(self, snapshot: WeekSnapshot):
        self.quoting = snapshot.quoting_stage_key
        agency, start = snapshot.agency, snapshot.week.start
        self.common = {"agency": agency, "week_start": start, "is_final": snapshot.final,
                       "computed_at": snapshot.now}
        self.share_gone = share_of_year_gone(start, agency.working_weeks_per_year)


def _card(snapshot: WeekSnapshot, week: _WeekConstants, pid: int,
          commitments: list[dict]) -> Card:
    counts = snapshot.activity_counts.get(pid) or {}
    stage_wins = dict(snapshot.wins_by_stage.get(pid) or {})
    wins = sum(stage_wins.values())
    actuals = {}
    kept = total = 0
    for c in commitments:
        actual = commitment_actual(c, counts, stage_wins, wins)
        actuals[str(c["id"])] = actual
        if counts_toward_total(c):
            total += 1
            kept += actual >= commitment_target(c)
    open_row = snapshot.open_pipeline.get(pid)
    open_value = (open_row["value"] or _ZERO) if open_row else _ZERO
    check_in = snapshot.check_ins.get(pid)
    moves = snapshot.moves.get(pid)
    card = Card(
        producer_id=pid, activity_counts=counts, activities_total=sum(counts.values()),
        wins=wins, wins_by_stage=stage_wins, funnel=snapshot.funnel.get(pid) or {},
        commitments_total=total, commitments_kept=kept, commitment_actuals=actuals,
        pipeline_open_count=open_row["n"] if open_row else 0,
        pipeline_open_value=_fit(open_value, "pipeline_open_value"),
        coverage=_coverage(snapshot, pid, open_value),
        process_adherence=_fit(_round(100 * moves["adherent"] / moves["moves"]),
                               "process_adherence") if moves and moves["moves"] else None,
        confidence=_fit(_round(_mean_rating(check_in)), "confidence") if check_in else None,
        **week.common)
    _production(snapshot, week, pid, stage_wins.get(week.quoting, 0), vars(card))
    return card


def _production(snapshot: WeekSnapshot, week: _WeekConstants, pid: int, quoted: int,
                card: dict) -> None:
    """The card's production columns (production.py): this week's from the snapshot, the
    month, year and 13 weeks as the stored earlier weeks plus this one. Sums of stored
    amounts keep their two places: only held within the column (`_within`), not rounded."""
    bound = snapshot.bound.get(pid, _NOTHING_BOUND)
    earlier = snapshot.earlier.get(pid, _NOTHING_EARLIER)
    n = bound["n"]
    premium = bound["premium"] or _ZERO
    revenue = bound["revenue"] or _ZERO
    revenue_ytd = _within(earlier["revenue_ytd"] + revenue, "revenue_ytd")
    bound_13w, quoted_13w = earlier["bound_13w"] + n, earlier["quoted_13w"] + quoted
    goal = snapshot.producers[pid]["annual_goal"]
    card.update(
        bound=n, premium_bound=_within(premium, "premium_bound"),
        revenue_bound=_within(revenue, "revenue_bound"), quoted=quoted,
        bound_mtd=earlier["bound_mtd"] + n,
        premium_mtd=_within(earlier["premium_mtd"] + premium, "premium_mtd"),
        revenue_mtd=_within(earlier["revenue_mtd"] + revenue, "revenue_mtd"),
        bound_ytd=earlier["bound_ytd"] + n,
        premium_ytd=_within(earlier["premium_ytd"] + premium, "premium_ytd"),
        revenue_ytd=revenue_ytd, bound_13w=bound_13w, quoted_13w=quoted_13w,
        pace=_fit(pace_percent(revenue_ytd=revenue_ytd, goal=goal,
                               share_gone=week.share_gone), "pace"),
        close_rate=_fit(close_rate_percent(bound_13w, quoted_13w), "close_rate"))


# A producer who bound nothing this week, or produced nothing in the earlier weeks.
_ZERO = Decimal(0)
_NOTHING_BOUND = {"n": 0, "premium": None, "revenue": None}
_NOTHING_EARLIER = {"bound_mtd": 0, "premium_mtd": _ZERO, "revenue_mtd": _ZERO, "bound_ytd": 0,
                    "premium_ytd": _ZERO, "revenue_ytd": _ZERO, "bound_13w": 0,
                    "quoted_13w": 0}


def _coverage(snapshot: WeekSnapshot, pid: int, open_value: Decimal) -> Decimal | None:
    """Against today's goal while the week runs; a closed week keeps the coverage it was
    closed with, so changing the goal later does not rewrite a finished week (a late
    activity still re-judges its other numbers)."""
    stored = snapshot.stored.get(pid)
    if stored is not None and stored.is_final:
        return stored.coverage
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
    places, largest = _COLUMN_BOUNDS[field]
    if value > largest:
        return largest
    return -largest if value < -largest else value.quantize(places)


def _within(value: Decimal, field: str) -> Decimal:
    """A sum of stored amounts (two places already, so no rounding: `_fit` without its cost)
    held within what the column stores."""
    largest = _COLUMN_BOUNDS[field][1]
    if -largest <= value <= largest:
        return value
    return largest if value > largest else -largest


def _column_bounds(field: str) -> tuple[Decimal, Decimal]:
    column = WeeklyScorecard._meta.get_field(field)
    places = Decimal(1).scaleb(-column.decimal_places)
    return places, Decimal(10) ** (column.max_digits - column.decimal_places) - places


# Looked up a dozen times a card: a plain dict, not a cached call.
_COLUMN_BOUNDS = {f: _column_bounds(f) for f in SCORECARD_FIELDS
                  if WeeklyScorecard._meta.get_field(f).get_internal_type() == "DecimalField"}


# --- 3. the celebrations -----------------------------------------------------------------

def _celebrations_build(snapshot: WeekSnapshot,
                        cards: list[WeeklyScorecard]) -> list[CelebrationDraft]:
    """Every win not celebrated yet, the personal bests, and on a judged week the kept weeks
    and streaks (the one read here, of earlier kept weeks, runs only when someone kept every
    commitment). A win is celebrated once, in the words of that moment."""
    agency, week, producers = snapshot.agency, snapshot.week, snapshot.producers
    latest_wins = [{"producer_id": pid, "occurred_at": moves["latest"]}
                   for pid, moves in snapshot.moves.items()]
    celebrations = [
        *advance_celebrations(agency, week, snapshot.new_wins, producers),
        *personal_best_celebrations(agency, week, cards, latest_wins, producers,
                                    snapshot.previous_best)]
    if snapshot.final:
        # The earlier kept weeks are read only for those who kept every commitment this week.
        all_kept = [c.producer_id for c in cards if kept_every_commitment(c)]
        celebrations += kept_week_celebrations(agency, week, cards, producers,
                                               kept_weeks_before(agency, week, all_kept))
    return celebrations


# --- 4. the writes ------------------------------------------------------------------------

def _scorecards_upsert(snapshot: WeekSnapshot,
                       cards: list[WeeklyScorecard]) -> tuple[set[int], list[int]]:
    """Upsert the cards that differ from what is stored (a refresh that finds nothing new
    writes nothing, so running it twice changes nothing); returns the producers whose numbers
    differ, and those whose card was written."""
    changed, written = set(), []
    for card in cards:
        stored = snapshot.stored.get(card.producer_id)
        differs = stored is None or stored.numbers != _card_numbers(card)
        if differs:
            changed.add(card.producer_id)
        if differs or stored.is_final != card.is_final:
            written.append(vars(card))
    rows_upsert(WeeklyScorecard, written, unique_fields=["producer", "week_start"],
                update_fields=[*SCORECARD_FIELDS, "is_final", "computed_at"])
    return changed, [card["producer_id"] for card in written]


def _agency_funnel_week_save(snapshot: WeekSnapshot, cards: list[WeeklyScorecard],
                             changed: set[int]) -> None:
    """The agency's funnel week: the cards of the week summed (a producer whose card could not
    be built counts with their stored one; funnel_sum.py keeps the sum between runs). Written
    only when it differs from what is stored."""
    stored = snapshot.stored
    counts = {pid: _funnel_counts_of(card) for pid, card in stored.items()}
    for card in cards:
        if card.producer_id in changed or card.producer_id not in stored:
            counts[card.producer_id] = _funnel_counts_of(card)
    if snapshot.producer_ids is not None:
        counts.update((row["producer_id"], tuple(row[f] for f in FUNNEL_FIELDS))
                      for row in others_funnel_rows(snapshot))
    agency, monday = snapshot.agency, snapshot.week.start
    numbers = funnel_sum(week_key(agency, monday), counts)
    if snapshot.funnel_week != numbers:
        AgencyFunnelWeek.objects.bulk_create(
            [AgencyFunnelWeek(agency=agency, week_start=monday, computed_at=snapshot.now,
                              **numbers)],
            update_conflicts=True, unique_fields=["agency", "week_start"],
            update_fields=[*FUNNEL_FIELDS, "computed_at"])


# A card's funnel fields (fresh or stored), as funnel_sum.py adds them up.
_funnel_counts_of = operator.attrgetter(*FUNNEL_FIELDS)


# A fresh card's numbers as a tuple, as a stored card's (`StoredCard.numbers`): compared field
# by field (as dicts would be) without building 1,000 dicts a run.
_card_numbers = operator.attrgetter(*SCORECARD_FIELDS)


def _celebrations_create(snapshot: WeekSnapshot,
                         celebrations: list[CelebrationDraft]) -> list[Celebration]:
    """Create the celebrations not made before (by source key) and bring the text of the ones
    that were up to date (a personal best grows with each win of the week); returns what was
    created or reworded."""
    # A win's celebration is new by construction (its move had none: `new_wins`); a rare
    # race with another refresh is settled by the unique source key.
    known = snapshot.celebrated
    fresh, reworded = [], []
    for draft in map(_sized_to_fit, celebrations):
        stored = known.get(draft.source_key)
        if stored is None:
            fresh.append(draft.saved())
        elif stored[1:] != (draft.title, draft.detail):
            reworded.append(draft.saved(pk=stored[0]))
    Celebration.objects.bulk_create(fresh, ignore_conflicts=True)
    if reworded:
        Celebration.objects.bulk_update(reworded, ["title", "detail"])
    _celebrations_announce(snapshot, fresh)
    return fresh + reworded


def _celebrations_announce(snapshot: WeekSnapshot, fresh: list[Celebration]) -> None:
    """New celebrations go to the agency's webhooks that want them; a win has its own event
    (`stage.win`, sent by the move itself), so only the others are sent here."""
    news = [c for c in fresh if c.kind != Celebration.Kind.ADVANCE]
    if news:
        webhook_events_publish(agency_id=snapshot.agency.pk, event="celebration", items=[
            (f"{c.title} {c.detail}".strip(), {
                "kind": c.kind, "title": c.title, "detail": c.detail,
                "producer_id": c.producer_id, "week_start": snapshot.week.start.isoformat()})
            for c in news])


_TEXT_LIMITS = {f: Celebration._meta.get_field(f).max_length for f in ("title", "detail")}


def _sized_to_fit(celebration: CelebrationDraft) -> CelebrationDraft:
    """`sized_to_fit`, skipped when the texts already fit as they are (nearly always): its
    Truncator costs tens of microseconds a text, and a busy week has thousands of wins."""
    if all(len(text := getattr(celebration, field)) <= limit
           and unicodedata.is_normalized("NFC", text) for field, limit in _TEXT_LIMITS.items()):
        return celebration
    return sized_to_fit(celebration)
