"""Reads for a producer's own week: the quick-log buttons and this week against the last four.
What the week's commitments have done so far comes from `commitments.selectors`."""

import datetime as dt
import uuid

from django.utils import timezone

from pipeline.models import ActivityType
from pipeline.selectors import totals_in_ranges
from salesculture.models import Producer
from salesculture.numbers import half_up
from salesculture.weeks import Week

from ..commitments.selectors import WeekLedger
from ..models import WeeklyScorecard

COMPARE_WEEKS = 4


def quick_log_buttons(types: list[ActivityType], ledger: WeekLedger) -> list[dict]:
    """One button per active type with this week's count and a fresh token: a double tap sends
    the same token twice and is counted once."""
    return [{"type": t, "count": ledger.counts.get(t.pk, 0), "token": uuid.uuid4().hex}
            for t in types]


def recent_cards(producer: Producer, week: dt.date) -> dict[dt.date, WeeklyScorecard]:
    """The producer's scorecards as the job stored them, of `week` (its production numbers)
    and the COMPARE_WEEKS before (the comparison's whole weeks), by week. One query."""
    since = Week(week, producer.agency.tz).shift(-COMPARE_WEEKS).start
    return {card.week_start: card for card in WeeklyScorecard.objects.filter(
        producer=producer, week_start__gte=since, week_start__lte=week)}


def comparison(producer: Producer, week: dt.date, ledger: WeekLedger, *,
               now: dt.datetime | None = None,
               cards: dict[dt.date, WeeklyScorecard] | None = None) -> dict:
    """This week so far against the producer's own last four weeks: at the same point of the
    week (read from the ledgers, so a Thursday is not held against whole weeks) and as whole
    weeks (the materialised scorecards). A week counts when it has a scorecard, i.e. the
    producer was on the board that week. `cards`: `recent_cards`, when read already."""
    this_week = Week(week, producer.agency.tz)
    cards = [(card.week_start, card.activities_total, card.wins) for start, card
             in sorted((cards if cards is not None else recent_cards(producer, week)).items())
             if start < week]
    result = {"activities": ledger.activities_total, "wins": ledger.wins_total,
              "weeks": len(cards), "avg_activities": None, "avg_wins": None}
    if not cards:
        return result
    agency = producer.agency
    start, end = this_week.bounds
    now_local = (now or timezone.now()).astimezone(agency.tz)
    # Wall-clock time into the week ("Thursday 2 pm"), the same in every week across DST.
    elapsed = min(max(now_local, start), end) - start
    ranges = []
    for week_start, _, _ in cards:
        earlier = Week(week_start, agency.tz).begins
        ranges.append((earlier, earlier + elapsed))
    so_far = totals_in_ranges(producer, ranges)
    n = len(cards)
    result.update({
        "avg_activities": float(half_up(sum(a for _, a, _ in cards) / n, 1)),
        "avg_wins": float(half_up(sum(w for _, _, w in cards) / n, 1)),
        "pace_activities": float(half_up(sum(a for a, _ in so_far) / n, 1)),
        "pace_wins": float(half_up(sum(w for _, w in so_far) / n, 1)),
    })
    result["activities_ahead"] = result["activities"] >= result["pace_activities"]
    result["wins_ahead"] = result["wins"] >= result["pace_wins"]
    return result

