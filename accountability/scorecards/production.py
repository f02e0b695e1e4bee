"""Production numbers: what an insurance agency counts as business written, decided here and
nowhere else (issue 15). The scorecard job materialises them on each `WeeklyScorecard`
(snapshot.py reads, refresh.py stores); every page that shows a scorecard (my week, the team
board, the drill-down, the meeting turn, the digest) reads them through `Production.of(card)`
and the one partial `scorecards/_production.html`, so each shows the same figures.

- **Policies bound** in a week: the producer's stage wins into a stage of kind Won (the
  default "Bound") in the week: a prospect's first arrival there (pipeline/wins.py), so a
  prospect moved out and bound again is not counted twice, and an imported Bound (which wins
  nothing) is not this week's business.
- **Premium bound**: the sum of those prospects' `premium` (the annual premium of the policy
  quoted and written). A bound prospect with no premium entered counts **$0**, and still
  counts as a policy bound: the number of policies is what happened, the premium only what
  was typed in. The premium is read as it stands when the week is (re)computed.
- **Revenue bound**: the same prospects' `estimated_revenue` (the agency's commission). The
  goal is a new-revenue goal, so the pace is measured in revenue, not premium.
- **Month to date / year to date**: the weekly figures of the stored weeks summed. A week
  belongs to the month and the year its Monday falls in (agency time zone): the week of
  Monday March 30 counts wholly in March, and the week of Monday December 29 in the old
  year. So a month's weeks never overlap and a year is the weeks whose Monday is in it.
- **Pace**: revenue bound this year ÷ the producer's annual goal (`Producer.annual_goal`, the
  goal the plan is made from), against the share of the year's working weeks gone, the
  agency's `working_weeks_per_year` counted as the plan counts them (`working_weeks_left`):
  gone = working weeks a year − working weeks left at the week's Monday + 1, this week
  included. "92% of pace" means 92% of what an even spread of the goal over the working
  weeks gone would have bound by now. No goal: no pace.
- **Quoting stage**: the last open stage of the path before the first Won stage (by position)
  — "Proposal presented" in the default stages, where the prospect has the quote in hand.
- **Close rate**: policies bound ÷ prospects that reached the quoting stage (stage wins into
  it, a skip past it included), both over the 13 weeks ending with the scorecard's week. The
  two groups are not the same prospects (a quote of week 1 may bind in week 14), so a rate
  can pass 100% on thin history. None when nothing reached the quoting stage.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from pipeline.wins import S, path_of
from salesculture.numbers import half_up

from ..planning.calculator import working_weeks_left

CLOSE_RATE_WEEKS = 13
WON = "won"
OPEN = "open"


def quoting_stage(stages: Sequence[S]) -> S | None:
    """The open stage right before the first Won stage on the path; None without one."""
    path = path_of(stages)
    for before, stage in zip(path, path[1:], strict=False):
        if stage.kind == WON:
            return before if before.kind == OPEN else None
    return None


def month_start(week_start: dt.date) -> dt.date:
    """The first day of the month the week counts in (its Monday's)."""
    return week_start.replace(day=1)


def year_start(week_start: dt.date) -> dt.date:
    return week_start.replace(month=1, day=1)


def close_rate_start(week_start: dt.date) -> dt.date:
    """The Monday of the first of the 13 weeks ending with this one."""
    return week_start - dt.timedelta(weeks=CLOSE_RATE_WEEKS - 1)


@functools.lru_cache(maxsize=64)  # the same week for every card of a refresh
def working_weeks_gone(week_start: dt.date, working_weeks: int) -> int:
    """The year's working weeks gone by the end of this week: the working weeks a year less
    the ones the plan counts as left at its Monday (this one included), plus this one."""
    left = working_weeks_left(week_start, working_weeks=working_weeks)
    return max(1, min(working_weeks, working_weeks - left + 1))


@functools.lru_cache(maxsize=64)
def share_of_year_gone(week_start: dt.date, working_weeks: int) -> Decimal | None:
    """The share of the year's working weeks gone by the end of this week, which the pace
    measures revenue against; None when the agency counts no working weeks."""
    if working_weeks <= 0:
        return None
    return Decimal(working_weeks_gone(week_start, working_weeks)) / working_weeks


def pace_percent(*, revenue_ytd: Decimal, goal: Decimal | None,
                 share_gone: Decimal | None) -> Decimal | None:
    if not goal or goal <= 0 or share_gone is None:
        return None
    return Decimal(100) * (Decimal(revenue_ytd) / Decimal(goal)) / share_gone


def close_rate_percent(bound: int, quoted: int) -> Decimal | None:
    return Decimal(100) * bound / quoted if quoted else None


# --- as the pages show them -------------------------------------------------------------------

@dataclass(frozen=True)
class Production:
    """A scorecard's production numbers, read the same way on every page (zeros without a
    card)."""

    bound: int = 0
    premium: Decimal = Decimal(0)
    revenue: Decimal = Decimal(0)
    bound_mtd: int = 0
    premium_mtd: Decimal = Decimal(0)
    bound_ytd: int = 0
    premium_ytd: Decimal = Decimal(0)
    revenue_ytd: Decimal = Decimal(0)
    bound_13w: int = 0
    quoted_13w: int = 0
    pace: Decimal | None = None
    close_rate: Decimal | None = None

    @classmethod
    def of(cls, card) -> Production:
        if card is None:
            return cls()
        return cls(bound=card.bound, premium=card.premium_bound, revenue=card.revenue_bound,
                   bound_mtd=card.bound_mtd, premium_mtd=card.premium_mtd,
                   bound_ytd=card.bound_ytd, premium_ytd=card.premium_ytd,
                   revenue_ytd=card.revenue_ytd, bound_13w=card.bound_13w,
                   quoted_13w=card.quoted_13w, pace=card.pace, close_rate=card.close_rate)

    @classmethod
    def total(cls, numbers: list[Production]) -> Production:
        """A team's sums; its close rate from the summed bound and quoted. No pace: goals
        differ, and a team's pace is not the sum of its people's."""
        numbers = list(numbers)

        def add(field: str, zero=0):
            return sum((getattr(n, field) for n in numbers), zero)

        bound_13w, quoted_13w = add("bound_13w"), add("quoted_13w")
        return cls(bound=add("bound"), premium=add("premium", Decimal(0)),
                   revenue=add("revenue", Decimal(0)), bound_mtd=add("bound_mtd"),
                   premium_mtd=add("premium_mtd", Decimal(0)), bound_ytd=add("bound_ytd"),
                   premium_ytd=add("premium_ytd", Decimal(0)),
                   revenue_ytd=add("revenue_ytd", Decimal(0)), bound_13w=bound_13w,
                   quoted_13w=quoted_13w, close_rate=close_rate_percent(bound_13w, quoted_13w))

    def sort_value(self, key: str):
        """The number the team board sorts by for `key` (one of SORT_KEYS); no pace or close
        rate sorts below every number."""
        if key in ("pace", "close"):
            value = self.pace if key == "pace" else self.close_rate
            return Decimal(-1) if value is None else value
        return getattr(self, key)

    @property
    def pace_pct(self) -> int | None:
        return None if self.pace is None else int(half_up(self.pace))

    @property
    def pace_text(self) -> str:
        """“92% of pace”, or a dash without a goal."""
        return "–" if self.pace is None else f"{self.pace_pct}% of pace"

    @property
    def pace_class(self) -> str:
        if self.pace is None:
            return ""
        return "good" if self.pace >= 100 else ("bad" if self.pace < PACE_LOW_PCT else "")

    @property
    def close_rate_pct(self) -> int | None:
        return None if self.close_rate is None else int(half_up(self.close_rate))

    @property
    def close_text(self) -> str:
        """“25% (2 of 8)”: bound of quoted over 13 weeks, or a dash when nothing was quoted."""
        if self.close_rate is None:
            return "–"
        return f"{self.close_rate_pct}% ({self.bound_13w} of {self.quoted_13w})"


# The team board's production columns, each sortable: a Production attribute, or pace and
# close (`sort_value`).
SORT_KEYS = ("bound", "premium", "bound_mtd", "premium_mtd", "bound_ytd", "premium_ytd",
             "pace", "close")

# Below this share of pace the figure shows red: a quarter behind is a conversation.
PACE_LOW_PCT = 75
