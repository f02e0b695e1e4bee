"""What the whole-agency board shows: a line per team, summed up by the database (no row per
producer), the agency's total, the leaders-vs-team medians and last week's glance in numbers.
Each team's own rows open on demand (the team's board, `team_scorecard`). No queries here:
the selector hands over the grouped rows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from salesculture.models import Team

from .numbers import CardNumbers
from .presenters import MOST_WINS_SHOWN, Comparison

# The `team` parameter of the producers on no team.
NO_TEAM = "none"


@dataclass
class TeamLine:
    """One team's week: its people, their summed numbers, coverage and 13 weeks of wins."""

    key: str  # the board's `team` parameter: the team's id, or NO_TEAM
    name: str
    people: int = 0
    numbers: CardNumbers = CardNumbers()
    coverage: Decimal | None = None  # open pipeline ÷ a quarter of the summed goals
    trend: list[int | None] = field(default_factory=list)
    week_ended: bool = False

    @property
    def kept_class(self) -> str:
        return self.numbers.kept_class(judged=self.week_ended)


@dataclass
class SummaryLastWeek:
    """Last week in counts: a whole agency's names would not fit a glance."""

    week: dt.date
    is_final: bool
    numbers: CardNumbers
    kept_all: int
    missed: int
    no_commitments: int
    most_wins: list[tuple[str, int]]  # (name, stage wins), most first


@dataclass
class AgencySummary:
    """Shaped like a TeamScorecard where the page's header, week arrows and filter read it."""

    week: dt.date
    this_week: dt.date
    prev_week: dt.date | None
    next_week: dt.date | None
    teams: list[Team]
    lines: list[TeamLine] = field(default_factory=list)
    total: TeamLine | None = None
    comparison: Comparison | None = None
    last_week: SummaryLastWeek | None = None
    is_far: bool = False
    has_cards: bool = False
    is_final: bool = False
    team: None = None
    sort: str = ""
    desc: bool = False
    measures: tuple = ()

    @property
    def has_ended(self) -> bool:
        return self.week < self.this_week

    @property
    def is_empty(self) -> bool:
        return self.is_far or (not self.has_cards and self.week != self.this_week)


def summary_fill(summary: AgencySummary, *, weeks: list[dt.date], people: list[dict],
                 per_week: list[dict], spread: list[dict],
                 most_wins: list[tuple[str, int]]) -> AgencySummary:
    """From grouped rows: `people` (selling producers per team: n, leads, joined before last
    week ended), `per_week` (card sums per team and week, over `weeks`, oldest first and
    ending with the board's), `spread` (this week's cards counted by leader-or-not, wins,
    kept and committed) and last week's `most_wins`."""
    week, before = weeks[-1], weeks[-2] if len(weeks) > 1 else None
    ended = summary.has_ended
    heads = {_key(p["team_id"]): p for p in people}
    sums: dict[str, dict[dt.date, dict]] = defaultdict(dict)
    for row in per_week:
        sums[_key(row["producer__team_id"])][row["week_start"]] = row
    named = [(str(t.pk), t.name) for t in summary.teams]
    if NO_TEAM in heads or NO_TEAM in sums:
        named.append((NO_TEAM, "No team"))
    for key, name in named:
        weekly = sums.get(key, {})
        summary.lines.append(TeamLine(
            key=key, name=name, people=heads.get(key, {}).get("n", 0),
            numbers=_numbers(weekly.get(week)), coverage=_coverage([weekly.get(week)]),
            trend=[weekly[w]["wins"] if w in weekly else None for w in weeks], week_ended=ended))
    this = [s[week] for s in sums.values() if week in s]
    summary.has_cards = bool(this)
    summary.is_final = any(row["final"] for row in this)
    wins_by_week: dict[dt.date, int] = defaultdict(int)
    for row in per_week:
        wins_by_week[row["week_start"]] += row["wins"] or 0
    summary.total = TeamLine(
        key="all", name="Agency total", people=sum(p["n"] for p in people),
        numbers=CardNumbers.total(_numbers(row) for row in this), coverage=_coverage(this),
        trend=[wins_by_week.get(w) for w in weeks], week_ended=ended)
    summary.comparison = _comparison(spread, people, ended)
    if summary.week == summary.this_week and before is not None:
        summary.last_week = _last_week(before, [s[before] for s in sums.values() if before in s],
                                       people, most_wins)
    return summary


def _key(team_id: int | None) -> str:
    return NO_TEAM if team_id is None else str(team_id)


def _numbers(row: dict | None) -> CardNumbers:
    if row is None:
        return CardNumbers()
    return CardNumbers(wins=row["wins"] or 0, activities=row["activities"] or 0,
                       kept=row["kept"] or 0, kept_of=row["kept_of"] or 0,
                       open_count=row["open_count"] or 0,
                       open_value=row["open_value"] or Decimal(0))


def _coverage(rows: list[dict | None]) -> Decimal | None:
    """As a card's coverage, summed: the open pipeline of the people with a goal against a
    quarter of their goals."""
    rows = [r for r in rows if r]
    goals = sum((r["goals"] or Decimal(0) for r in rows), Decimal(0))
    if not goals:
        return None
    covered = sum((r["covered_value"] or Decimal(0) for r in rows), Decimal(0))
    return (covered / (goals / 4)).quantize(Decimal("0.1"))


def _median(counts: list[tuple[float, int]]) -> float | None:
    """The median (as `statistics.median` reads it) of values given as (value, how many
    times), without spelling the values out."""
    counts = sorted((v, n) for v, n in counts if n > 0)
    total = sum(n for _, n in counts)
    if not total:
        return None

    def nth(i: int) -> float:
        for value, n in counts:
            if i < n:
                return value
            i -= n
        raise IndexError(i)

    if total % 2:
        return nth(total // 2)
    return (nth(total // 2 - 1) + nth(total // 2)) / 2


def _comparison(spread: list[dict], people: list[dict], ended: bool) -> Comparison | None:
    """As the team board's medians: wins of everyone who sells (no card reads 0), kept %
    of those who committed something."""
    if not spread:
        return None
    wins: dict[bool, list[tuple[float, int]]] = {True: [], False: []}
    kept: dict[bool, list[tuple[float, int]]] = {True: [], False: []}
    for row in spread:
        wins[row["lead"]].append((row["wins"], row["n"]))
        pct = CardNumbers(kept=row["commitments_kept"], kept_of=row["commitments_total"]).kept_pct
        if pct is not None:
            kept[row["lead"]].append((pct, row["n"]))
    for lead in (True, False):
        carded = sum(n for _, n in wins[lead])
        everyone = sum(p["leads"] if lead else p["n"] - p["leads"] for p in people)
        wins[lead].append((0, max(everyone - carded, 0)))
    return Comparison(leaders_wins=_median(wins[True]), team_wins=_median(wins[True] + wins[False]),
                      leaders_kept=_median(kept[True]), team_kept=_median(kept[True] + kept[False]),
                      week_ended=ended)


def _last_week(week: dt.date, rows: list[dict], people: list[dict],
               most_wins: list[tuple[str, int]]) -> SummaryLastWeek | None:
    if not rows:
        return None
    kept_all = sum(r["kept_all"] for r in rows)
    judged = sum(r["judged"] for r in rows)
    joined = sum(p["joined"] for p in people)
    return SummaryLastWeek(
        week=week, is_final=all(r["final"] == r["cards"] for r in rows),
        numbers=CardNumbers.total(_numbers(r) for r in rows), kept_all=kept_all,
        missed=judged - kept_all, no_commitments=max(joined - judged, 0),
        most_wins=most_wins[:MOST_WINS_SHOWN])
