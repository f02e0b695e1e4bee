"""The month, year and 13-week figures of a card sum the stored weeks before it
(production.py). When a refresh changes a past week's own production (a late move, a week
re-judged), the later weeks that sum it are marked changed in the outbox (`DirtyWeek`), so
the next drain recomputes their running columns: one insert, only when it happens. A later
week's own figures do not change with it, so the marks never cascade."""

from __future__ import annotations

import datetime as dt

from salesculture.models import DirtyWeek
from salesculture.weeks import Week

from .production import CLOSE_RATE_WEEKS

WEEKLY = ("bound", "premium_bound", "revenue_bound", "quoted")


def later_weeks_mark(snapshot, cards) -> list[dt.date]:
    """Mark the weeks after `snapshot.week`, up to this week, whose running columns sum a
    weekly figure this refresh changed; returns their Mondays."""
    week = snapshot.week
    this_week = Week.current(snapshot.agency, now=snapshot.now)
    if week >= this_week or not any(_changed(snapshot.stored.get(c.producer_id), c)
                                    for c in cards):
        return []
    last_13w = week.start + dt.timedelta(weeks=CLOSE_RATE_WEEKS - 1)
    mondays = []
    later = week.next
    while later <= this_week and (later.start.year == week.start.year
                                  or later.start <= last_13w):
        mondays.append(later.start)
        later = later.next
    DirtyWeek.objects.bulk_create(
        [DirtyWeek(agency=snapshot.agency, week_start=monday) for monday in mondays])
    return mondays


def _changed(stored: dict | None, card) -> bool:
    if stored is None:
        return any(getattr(card, f) for f in WEEKLY)
    return any(stored[f] != getattr(card, f) for f in WEEKLY)
