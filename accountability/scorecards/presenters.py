"""What the team scorecard shows, built from the rows its selector read (no queries): the
committed measures as columns, a cell per producer and measure, the totals, the leaders'
comparison and last week's summary."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from salesculture.models import Producer, Team
from salesculture.weeks import Week

from ..commitments.rules import commitment_target, counts_toward_total
from ..models import Commitment
from .numbers import CardNumbers
from .production import SORT_KEYS as PRODUCTION_SORT_KEYS
from .production import Production

if TYPE_CHECKING:
    from .board_rows import BoardCard, BoardPerson, BoardPlan

# OPEN: the week is still running and the commitment is not met yet. It is not red: nobody
# has missed anything until the week is over.
MET, MISSED, OPEN, NONE = "met", "missed", "open", "none"

SORT_KEYS = ("name", "wins", "kept", "open", "value", "plan", *PRODUCTION_SORT_KEYS)
# The Monday summary names the few producers with the most stage wins.
MOST_WINS_SHOWN = 3


# --- the board ----------------------------------------------------------------------------

@dataclass
class Measure:
    """One committed measure, i.e. one column of the board."""

    key: str
    label: str
    order: tuple


@dataclass
class Cell:
    done: int = 0
    committed: int = 0
    status: str = NONE
    count: int = 0  # commitments behind the cell (0: nothing committed)

    @property
    def mark(self) -> str:
        """✓ or ✗ beside a judged number, so the colour is not the only sign."""
        return {MET: "✓", MISSED: "✗"}.get(self.status, "")

    @property
    def title(self) -> str:
        if not self.count:
            return "No commitment"
        if self.status == NONE:
            return "Committed to zero: nothing to judge"
        if self.status == OPEN:
            return f"{self.done} done of {self.committed} committed so far"
        return f"{self.done} done of {self.committed} committed"


def cell_status(done: int, committed: int, count: int, ended: bool = True) -> str:
    """Green when met, red when missed, grey when nothing (or zero) was committed. While the
    week is still running an unmet commitment is OPEN (not yet missed)."""
    if not count or committed <= 0:
        return NONE
    if done >= committed:
        return MET
    return MISSED if ended else OPEN


@dataclass
class Row:
    # Bare rows (board_rows.py), not model instances: they carry only what the board reads.
    producer: BoardPerson
    card: BoardCard | None
    cells: list[Cell]
    trend: list[int | None]
    plan: BoardPlan | None
    detail: bool  # the actor may drill into this producer
    is_me: bool
    prev_card: BoardCard | None = None  # the week before, for the Monday summary
    week_ended: bool = False
    numbers: CardNumbers = field(init=False)
    prev: CardNumbers = field(init=False)
    production: Production = field(init=False)
    # Set on a shared board: the row as rendered, from the cache when it was (boards.py).
    html: str = field(default="", init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.numbers = CardNumbers.of(self.card)
        self.prev = CardNumbers.of(self.prev_card)
        self.production = Production.of(self.card)

    @property
    def is_leader(self) -> bool:
        return self.producer.is_leader

    @property
    def kept_class(self) -> str:
        return self.numbers.kept_class(judged=self.week_ended)


@dataclass
class Comparison:
    """Medians of the leaders against the whole team's: leaders lead by example, so once the
    week is over their median shows green when it is at least the team's, red when below."""

    leaders_wins: float | None
    team_wins: float | None
    leaders_kept: float | None
    team_kept: float | None
    week_ended: bool = False

    @property
    def wins_class(self) -> str:
        return self._verdict(self.leaders_wins, self.team_wins)

    @property
    def kept_class(self) -> str:
        return self._verdict(self.leaders_kept, self.team_kept)

    def _verdict(self, leaders: float | None, team: float | None) -> str:
        if not self.week_ended or leaders is None or team is None:
            return ""
        return "good" if leaders >= team else "bad"


@dataclass
class LastWeek:
    """The week before this one, judged: what a leader wants to know first on a Monday."""

    week: dt.date
    is_final: bool
    numbers: CardNumbers
    kept_all: list[Row]
    missed: list[Row]
    no_commitments: list[Row]
    most_wins: list[Row]  # most stage wins first


@dataclass
class TeamScorecard:
    week: dt.date
    this_week: dt.date
    prev_week: dt.date | None
    next_week: dt.date | None
    team: Team | None
    teams: list[Team]
    measures: list[Measure] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    totals: list[Cell] = field(default_factory=list)
    numbers: CardNumbers = CardNumbers()
    production: Production = Production()
    comparison: Comparison | None = None
    last_week: LastWeek | None = None
    is_far: bool = False
    has_cards: bool = False
    sort: str = ""
    desc: bool = False

    # The team's totals, as the table's footer shows them.
    @property
    def wins_total(self) -> int:
        return self.numbers.wins

    @property
    def kept_total(self) -> int:
        return self.numbers.kept

    @property
    def kept_of(self) -> int:
        return self.numbers.kept_of

    @property
    def kept_pct(self) -> int | None:
        return self.numbers.kept_pct

    @property
    def open_count(self) -> int:
        return self.numbers.open_count

    @property
    def open_value(self) -> Decimal:
        return self.numbers.open_value

    @property
    def is_empty(self) -> bool:
        """A week with nothing materialised, other than this week, shows an empty state."""
        return self.is_far or (not self.has_cards and self.week != self.this_week)

    @property
    def is_final(self) -> bool:
        return any(r.card and r.card.is_final for r in self.rows)

    @property
    def has_ended(self) -> bool:
        """Commitments of an ended week are judged: unmet means missed (red)."""
        return self.week < self.this_week


def valid_sort(sort: str) -> str:
    """A column the board sorts by (`m:<measure key>` for a measure), or "" for none."""
    return sort if sort in SORT_KEYS or sort.startswith("m:") else ""


@dataclass(frozen=True)
class Viewer:
    """Who looks at a board, as far as the board differs by it: the leaders' columns (`full`)
    and whose rows link to a drill-down (`links`: "all", one team's id, or "" for none). Many
    people share a Viewer, so a board renders once for all of them; only their own row (which
    always links, and says "you") is theirs. Mirrors `producers_visible_to` without a query:
    an owner sees everyone of the agency, a leader their own team, a producer themself."""

    full: bool
    links: str

    @classmethod
    def of(cls, actor: Producer, *, team: Team | None = None, no_team: bool = False) -> Viewer:
        """For a board of `team` (None: everyone, or with `no_team` the people on no team).
        Boards whose rows link alike get the same Viewer, so they share one rendering."""
        links = ""
        if actor.is_owner:
            links = "all"
        elif actor.role == Producer.Role.LEADER and actor.team_id and not no_team:
            if team is None:
                links = str(actor.team_id)
            elif team.pk == actor.team_id:
                links = "all"
        return cls(full=actor.is_leader, links=links)

    def links_to(self, producer: Producer) -> bool:
        return self.links == "all" or (bool(self.links) and str(producer.team_id) == self.links)


def board_fill(board: TeamScorecard, *, actor: Producer, producers: list[BoardPerson],
               commitments: list[Commitment], weeks: list[Week], viewer: Viewer,
               personal: bool = True) -> TeamScorecard:
    """Rows, columns and totals from each person's `recent_cards` (the board's
    week and the one before) and `trend_cards` (the `weeks` before those, wins only) and
    `year_plans`, and the week's commitments (model instances, or anything with their pk,
    producer_id, kind, target and activity type and stage: the team board's bare rows). On
    this week the board also sums up last week. Not `personal`: the actor's own row is drawn
    as anyone with the same `viewer` sees it (for a board many share)."""
    measures: dict[str, Measure] = {}
    by_producer: dict[int, list[Commitment]] = {}
    for c in commitments:
        m = _measure_of(c)
        measures.setdefault(m.key, m)
        by_producer.setdefault(c.producer_id, []).append(c)
    board.measures = sorted(measures.values(), key=lambda m: m.order)
    starts = [w.start for w in weeks]
    for p in producers:
        mine = personal and p.pk == actor.pk
        board.rows.append(_row(board, p, by_producer.get(p.pk, []), starts,
                               detail=mine or viewer.links_to(p), is_me=mine))
        board.has_cards = board.has_cards or board.rows[-1].card is not None
    _sort_rows(board)
    _totals(board)
    if board.week == board.this_week:
        board.last_week = _last_week(weeks[-2], board.rows)
    return board


def _measure_of(c: Commitment) -> Measure:
    if c.kind == Commitment.Kind.ACTIVITY:
        return Measure(key=f"a{c.activity_type_id}", label=c.activity_type.name,
                       order=(0, c.activity_type.position, c.activity_type.name))
    if c.kind == Commitment.Kind.STAGE_WINS:
        if c.stage_id:
            return Measure(key=f"s{c.stage_id}", label=f"Wins to {c.stage.name}",
                           order=(2, c.stage.position, ""))
        return Measure(key="wins", label="Stage wins", order=(1, 0, ""))
    return Measure(key="promises", label="Promises", order=(3, 0, ""))


def _row(board: TeamScorecard, p: BoardPerson, commitments: list[Commitment],
         weeks: list[dt.date], *, detail: bool, is_me: bool) -> Row:
    cards = {c.week_start: c for c in (*p.trend_cards, *p.recent_cards)}
    card = cards.get(board.week)
    return Row(
        producer=p, card=card, cells=_cells(board, card, commitments),
        trend=[cards[w].wins if w in cards else None for w in weeks],
        plan=p.year_plans[0] if p.year_plans else None,
        detail=detail, is_me=is_me,
        prev_card=cards.get(weeks[-2]), week_ended=board.has_ended)


def _cells(board: TeamScorecard, card: BoardCard | None,
           commitments: list[Commitment]) -> list[Cell]:
    actuals = card.commitment_actuals if card else {}
    cells = {m.key: Cell() for m in board.measures}
    for c in commitments:
        cell = cells[_measure_of(c).key]
        cell.count += 1
        as_dict = {"kind": c.kind, "target": c.target}
        actual = actuals.get(str(c.pk), 0)
        if c.kind == Commitment.Kind.SPECIFIC:
            cell.committed += 1
            cell.done += actual
        else:
            # Two commitments on one measure share its count: the larger promise rules.
            cell.done = max(cell.done, actual)
            if counts_toward_total(as_dict):
                cell.committed = max(cell.committed, commitment_target(as_dict))
    for key, cell in cells.items():
        if not cell.count and card is not None:
            cell.done = _uncommitted_done(key, card)
        cell.status = cell_status(cell.done, cell.committed, cell.count, board.has_ended)
    return [cells[m.key] for m in board.measures]


def _uncommitted_done(key: str, card: BoardCard) -> int:
    """What a producer did on a measure they made no commitment for (shown grey)."""
    if key.startswith("a"):
        return (card.activity_counts or {}).get(key[1:], 0)
    if key.startswith("s"):
        return (card.wins_by_stage or {}).get(key[1:], 0)
    if key == "wins":
        return card.wins
    return 0


def _sort_rows(board: TeamScorecard) -> None:
    """Leaders stay on top (they lead by example); the chosen column orders within each group."""
    if not board.sort:
        return
    keys = {
        "name": lambda r: r.producer.name.lower(),
        "wins": lambda r: r.numbers.wins,
        "kept": lambda r: -1 if r.numbers.kept_pct is None else r.numbers.kept_pct,
        "open": lambda r: r.numbers.open_count,
        "value": lambda r: r.numbers.open_value,
        "plan": lambda r: r.plan.label if r.plan else "",
    }
    if board.sort in PRODUCTION_SORT_KEYS:
        key = lambda r: r.production.sort_value(board.sort)  # noqa: E731
    elif board.sort.startswith("m:"):
        index = next((i for i, m in enumerate(board.measures)
                      if m.key == board.sort[2:]), None)
        if index is None:
            board.sort = ""
            return
        key = lambda r: (r.cells[index].done, r.cells[index].committed)  # noqa: E731
    else:
        key = keys[board.sort]
    leaders = sorted((r for r in board.rows if r.is_leader), key=key, reverse=board.desc)
    others = sorted((r for r in board.rows if not r.is_leader), key=key, reverse=board.desc)
    board.rows = leaders + others


def _totals(board: TeamScorecard) -> None:
    for i, _ in enumerate(board.measures):
        total = Cell()
        for row in board.rows:
            cell = row.cells[i]
            if cell.status != NONE:  # grey cells (nothing or zero committed) are not judged
                total.count += cell.count
                total.done += cell.done
                total.committed += cell.committed
        total.status = cell_status(total.done, total.committed, total.count, board.has_ended)
        board.totals.append(total)
    board.numbers = CardNumbers.total(row.numbers for row in board.rows)
    board.production = Production.total(row.production for row in board.rows)
    leaders = [r for r in board.rows if r.is_leader]
    board.comparison = Comparison(
        leaders_wins=_median([r.numbers.wins for r in leaders]),
        team_wins=_median([r.numbers.wins for r in board.rows]),
        leaders_kept=_median([r.numbers.kept_pct for r in leaders]),
        team_kept=_median([r.numbers.kept_pct for r in board.rows]),
        week_ended=board.has_ended)


def _median(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _last_week(week: Week, rows: list[Row]) -> LastWeek | None:
    cards = [r.prev_card for r in rows if r.prev_card]
    if not cards:
        return None
    judged = [r for r in rows if r.prev.kept_of]
    return LastWeek(
        week=week.start, is_final=all(c.is_final for c in cards),
        numbers=CardNumbers.total(r.prev for r in rows),
        kept_all=[r for r in judged if r.prev.kept_all],
        missed=[r for r in judged if not r.prev.kept_all],
        # Someone who joined after that week ended is not called out for making none.
        no_commitments=[r for r in rows if not r.prev.kept_of
                        and (r.prev_card or r.producer.created_at < week.ends)],
        most_wins=sorted((r for r in rows if r.prev.wins),
                         key=lambda r: -r.prev.wins)[:MOST_WINS_SHOWN])
