"""The month, year and 13-week figures of a card sum the stored weeks before it
(production.py). When a refresh changes a past week's own production (a late move, a week
re-judged), the later weeks that sum it are marked changed in the outbox (`DirtyWeek`), so
the next drain recomputes their running columns: one insert, only when it happens. A later
week's own figures do not change with it, so the marks never cascade."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from salesculture.models import DirtyWeek
from salesculture.weeks import Week

from ..models import WeeklyScorecard
from .production import CLOSE_RATE_WEEKS

WEEKLY = ("bound", "premium_bound", "revenue_bound", "quoted")


def later_weeks_mark(snapshot, cards) -> list[dt.date]:
    """Mark the weeks after `snapshot.week`, up to this week, whose running columns sum a
    weekly figure this refresh changed; returns their Mondays."""
    week = snapshot.week
    this_week = Week.current(snapshot.agency, now=snapshot.now)
    if week >= this_week:
        return []  # no later week sums it yet: its 500 cards need no comparing
    changed = [c.producer_id for c in cards if _changed(snapshot.stored.get(c.producer_id), c)]
    if not changed:
        return []
    last_13w = week.start + dt.timedelta(weeks=CLOSE_RATE_WEEKS - 1)
    mondays = []
    later = week.next
    while later <= this_week and (later.start.year == week.start.year
                                  or later.start <= last_13w):
        mondays.append(later.start)
        later = later.next
    # A partial refresh marks the later weeks of its changed producers alone (theirs are the
    # only running columns that moved); a full one, as before, the whole weeks.
    whose = [None] if snapshot.producer_ids is None else changed
    DirtyWeek.objects.bulk_create(
        [DirtyWeek(agency=snapshot.agency, week_start=monday, producer_id=pid)
         for monday in mondays for pid in whose])
    return mondays


def _changed(stored, card) -> bool:
    if stored is None:
        return any(getattr(card, f) for f in WEEKLY)
    return any(getattr(stored, f) != getattr(card, f) for f in WEEKLY)


def cards_off_the_board(snapshot) -> list[SimpleNamespace]:
    """Delete the stored cards of producers the week no longer places on the board: they
    joined after it and nothing of theirs is left in it (history imported for them, then
    corrected away). A card of zeros would count as a week they sold nothing; the old one
    would keep numbers that are gone. Returned as cards of zeros, for the later weeks'
    running sums to take them out (`later_weeks_mark`)."""
    gone = [pid for pid in snapshot.stored if pid not in snapshot.producers]
    if gone:
        WeeklyScorecard.objects.filter(agency=snapshot.agency, week_start=snapshot.week.start,
                                       producer_id__in=gone).delete()
    return [SimpleNamespace(producer_id=pid, **dict.fromkeys(WEEKLY, 0)) for pid in gone]
