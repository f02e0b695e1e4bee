"""The team scorecard's links: week arrows and sortable column headers. Each keeps the board's
week, team and sort, so every link works without htmx and the live poll asks for the same
board."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.http import urlencode

from .presenters import SORT_KEYS, Measure, TeamScorecard

# Text columns sort A to Z first; number columns the most first.
ASCENDING_FIRST = ("name", "plan")


@dataclass
class SortLink:
    href: str
    aria: str  # the column's aria-sort: "ascending", "descending" or "none"


@dataclass
class BoardLinks:
    """Every link on the board keeps its week, team and sort, so each works without htmx."""

    sorts: dict[str, SortLink]
    measure_columns: list[tuple[Measure, SortLink]]
    prev: str  # "" when there is no previous (next) week to go to
    next: str
    this: str
    state_query: str  # the board's week, team and sort, for its live poll


def board_links(board: TeamScorecard, team_param: str) -> BoardLinks:
    base = {"week": board.week.isoformat(), "team": team_param}
    state = dict(base)
    if board.sort:
        state.update(sort=board.sort, dir="desc" if board.desc else "asc")

    def week_link(week: dt.date | None) -> str:
        return "?" + urlencode({**state, "week": week.isoformat()}) if week else ""

    def sort_link(key: str) -> SortLink:
        if board.sort == key:  # a second click turns the order around
            direction = "asc" if board.desc else "desc"
            aria = "descending" if board.desc else "ascending"
        else:
            direction = "asc" if key in ASCENDING_FIRST else "desc"
            aria = "none"
        return SortLink(href="?" + urlencode({**base, "sort": key, "dir": direction}), aria=aria)

    return BoardLinks(
        sorts={key: sort_link(key) for key in SORT_KEYS},
        measure_columns=[(m, sort_link(f"m:{m.key}")) for m in board.measures],
        prev=week_link(board.prev_week), next=week_link(board.next_week),
        this=week_link(board.this_week), state_query=urlencode(state))
