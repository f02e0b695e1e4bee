"""Reads for the team scorecard, the producer drill-down and the live wins feed.

Everything here is read from the materialised `WeeklyScorecard` and `Celebration` rows (plus
the week's `Commitment` rows for their targets); the raw ledgers are never aggregated on a
page. Each function issues a fixed number of queries, whatever the number of producers.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from pipeline.models import Stage
from pipeline.selectors import stages_for
from salesculture.models import Agency, Producer, Team
from salesculture.selectors import selling_producers
from salesculture.weeks import Week, local_now

from ..commitments.rules import commitment_target, counts_toward_total
from ..models import Celebration, Commitment, GoalPlan, WeeklyScorecard

TREND_WEEKS = 13
# Weeks further than this from today show an empty state without touching the database
# (and without date arithmetic that could overflow near year 1 or 9999).
FAR_WEEKS = 52 * 5
FEED_LIMIT = 12
# A past week's feed lists that week's wins; a leader reviewing it wants more than a glance.
WEEK_FEED_LIMIT = 30
DRILL_WINS = 12

# OPEN: the week is still running and the commitment is not met yet. It is not red: nobody
# has missed anything until the week is over.
MET, MISSED, OPEN, NONE = "met", "missed", "open", "none"

SORT_KEYS = ("name", "wins", "kept", "open", "value", "plan")


# --- who sees what ----------------------------------------------------------------------------

def team_rows(agency: Agency, week_start: dt.date, *, team: Team | None = None) -> list[Producer]:
    """Selling producers, leaders first, each with `.card` (this week's scorecard or None).
    Two queries, whatever the number of producers."""
    producers = selling_producers(agency, team=team).prefetch_related(
        Prefetch("scorecards", queryset=WeeklyScorecard.objects.filter(week_start=week_start),
                 to_attr="week_cards"))
    rows = list(producers)
    for producer in rows:
        producer.card = producer.week_cards[0] if producer.week_cards else None
    return rows


def can_see_detail(actor: Producer, producer: Producer) -> bool:
    """Mirrors `producers_visible_to` without a query: an owner sees everyone of the agency,
    a leader their own team, a producer themself."""
    if actor.agency_id != producer.agency_id:
        return False
    if actor.is_owner:
        return True
    if actor.role == Producer.Role.LEADER and actor.team_id:
        return producer.team_id == actor.team_id
    return producer.pk == actor.pk


# --- weeks ------------------------------------------------------------------------------------

def is_far_week(agency: Agency, week: dt.date) -> bool:
    return abs((week - Week.current(agency).start).days) > FAR_WEEKS * 7


def shift_week(week: dt.date, weeks: int) -> dt.date | None:
    try:
        return week + dt.timedelta(weeks=weeks)
    except OverflowError:
        return None


def trend_weeks(week: dt.date) -> list[dt.date]:
    return [week - dt.timedelta(weeks=n) for n in range(TREND_WEEKS - 1, -1, -1)]


# --- the team scorecard -----------------------------------------------------------------------

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
    producer: Producer
    card: WeeklyScorecard | None
    cells: list[Cell]
    trend: list[int]
    kept_trend: list[float | None]
    plan: GoalPlan | None
    detail: bool  # the actor may drill into this producer
    is_me: bool
    prev_card: WeeklyScorecard | None = None  # the week before, for the Monday summary

    @property
    def is_leader(self) -> bool:
        return self.producer.is_leader

    @property
    def wins(self) -> int:
        return self.card.wins if self.card else 0

    @property
    def kept(self) -> int:
        return self.card.commitments_kept if self.card else 0

    @property
    def kept_total(self) -> int:
        return self.card.commitments_total if self.card else 0

    @property
    def kept_pct(self) -> int | None:
        if not self.kept_total:
            return None
        return round(100 * self.kept / self.kept_total)

    @property
    def open_count(self) -> int:
        return self.card.pipeline_open_count if self.card else 0

    @property
    def open_value(self) -> Decimal:
        return self.card.pipeline_open_value if self.card else Decimal(0)


@dataclass
class Comparison:
    leaders_wins: float | None
    team_wins: float | None
    leaders_kept: float | None
    team_kept: float | None


@dataclass
class LastWeek:
    """The week before this one, judged: what a leader wants to know first on a Monday."""

    week: dt.date
    is_final: bool
    wins: int
    kept: int
    of: int
    kept_all: list[Row]
    missed: list[Row]
    no_commitments: list[Row]
    most_wins: list[Row]  # up to three, most stage wins first

    @property
    def kept_pct(self) -> int | None:
        return round(100 * self.kept / self.of) if self.of else None


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
    wins_total: int = 0
    kept_total: int = 0
    kept_of: int = 0
    open_count: int = 0
    open_value: Decimal = Decimal(0)
    comparison: Comparison | None = None
    last_week: LastWeek | None = None
    trend_weeks: list[dt.date] = field(default_factory=list)
    is_far: bool = False
    has_cards: bool = False
    sort: str = ""
    desc: bool = False

    @property
    def kept_pct(self) -> int | None:
        return round(100 * self.kept_total / self.kept_of) if self.kept_of else None

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


def _uncommitted_done(key: str, card: WeeklyScorecard) -> int:
    """What a producer did on a measure they made no commitment for (shown grey)."""
    if key.startswith("a"):
        return (card.activity_counts or {}).get(key[1:], 0)
    if key.startswith("s"):
        return (card.wins_by_stage or {}).get(key[1:], 0)
    if key == "wins":
        return card.wins
    return 0


def _as_dict(c: Commitment) -> dict:
    return {"kind": c.kind, "target": c.target}


def _median(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def team_scorecard(*, actor: Producer, week: dt.date, team: Team | None = None,
                   sort: str = "", desc: bool = False) -> TeamScorecard:
    """The board for one week: one row per selling producer, leaders first.

    Five queries whatever the number of producers: teams, producers (+ their 13 weeks of
    scorecards, + this year's goal plan), and the week's commitments. On this week the
    board also sums up last week from the same prefetched scorecards.
    """
    agency = actor.agency
    board = TeamScorecard(
        week=week, this_week=Week.current(agency).start, prev_week=shift_week(week, -1),
        next_week=shift_week(week, 1), team=team, teams=list(Team.objects.filter(agency=agency)
                                                             .order_by("name")),
        sort=sort if sort in SORT_KEYS or sort.startswith("m:") else "", desc=desc)
    if is_far_week(agency, week):
        board.is_far = True
        return board
    weeks = trend_weeks(week)
    board.trend_weeks = weeks
    year = local_now(agency).year
    producers = list(selling_producers(agency, team=team).prefetch_related(
        Prefetch("scorecards", to_attr="trend_cards",
                 queryset=WeeklyScorecard.objects.filter(
                     agency=agency, week_start__gte=weeks[0], week_start__lte=week)),
        Prefetch("goal_plans", to_attr="year_plans",
                 queryset=GoalPlan.objects.filter(agency=agency, year=year))))
    commitments = Commitment.objects.filter(
        agency=agency, week_start=week, producer__is_active=True).exclude(
        producer__role=Producer.Role.NON_PRODUCER)
    if team is not None:
        commitments = commitments.filter(producer__team=team)
    commitments = list(commitments.select_related("activity_type", "stage").order_by("id"))

    measures: dict[str, Measure] = {}
    by_producer: dict[int, list[Commitment]] = {}
    for c in commitments:
        m = _measure_of(c)
        measures.setdefault(m.key, m)
        by_producer.setdefault(c.producer_id, []).append(c)
    board.measures = sorted(measures.values(), key=lambda m: m.order)

    for p in producers:
        cards = {c.week_start: c for c in p.trend_cards}
        card = cards.get(week)
        actuals = card.commitment_actuals if card else {}
        cells = {m.key: Cell() for m in board.measures}
        for c in by_producer.get(p.pk, []):
            cell = cells[_measure_of(c).key]
            cell.count += 1
            as_dict = _as_dict(c)
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
        board.rows.append(Row(
            producer=p, card=card, cells=[cells[m.key] for m in board.measures],
            trend=[cards[w].wins if w in cards else None for w in weeks],
            kept_trend=[cards[w].kept_ratio if w in cards else None for w in weeks],
            plan=p.year_plans[0] if p.year_plans else None,
            detail=can_see_detail(actor, p), is_me=p.pk == actor.pk,
            prev_card=cards.get(weeks[-2])))
        board.has_cards = board.has_cards or card is not None

    _sort_rows(board)
    _totals(board)
    if week == board.this_week:
        board.last_week = _last_week(weeks[-2], board.rows,
                                     week_end=Week(weeks[-2], agency.tz).ends)
    return board


def _last_week(week: dt.date, rows: list[Row], *, week_end: dt.datetime) -> LastWeek | None:
    cards = [r.prev_card for r in rows if r.prev_card]
    if not cards:
        return None
    judged = [r for r in rows if r.prev_card and r.prev_card.commitments_total]
    return LastWeek(
        week=week, is_final=all(c.is_final for c in cards),
        wins=sum(c.wins for c in cards),
        kept=sum(c.commitments_kept for c in cards),
        of=sum(c.commitments_total for c in cards),
        kept_all=[r for r in judged
                  if r.prev_card.commitments_kept == r.prev_card.commitments_total],
        missed=[r for r in judged
                if r.prev_card.commitments_kept < r.prev_card.commitments_total],
        # Someone who joined after that week ended is not called out for making none.
        no_commitments=[r for r in rows if not (r.prev_card and r.prev_card.commitments_total)
                        and (r.prev_card or r.producer.created_at < week_end)],
        most_wins=sorted((r for r in rows if r.prev_card and r.prev_card.wins),
                         key=lambda r: -r.prev_card.wins)[:3])


def _sort_rows(board: TeamScorecard) -> None:
    """Leaders stay on top (they lead by example); the chosen column orders within each group."""
    if not board.sort:
        return
    keys = {
        "name": lambda r: r.producer.name.lower(),
        "wins": lambda r: r.wins,
        "kept": lambda r: -1 if r.kept_pct is None else r.kept_pct,
        "open": lambda r: r.open_count,
        "value": lambda r: r.open_value,
        "plan": lambda r: r.plan.label if r.plan else "",
    }
    if board.sort.startswith("m:"):
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
    for row in board.rows:
        board.wins_total += row.wins
        board.kept_total += row.kept
        board.kept_of += row.kept_total
        board.open_count += row.open_count
        board.open_value += row.open_value
    leaders = [r for r in board.rows if r.is_leader]
    board.comparison = Comparison(
        leaders_wins=_median([r.wins for r in leaders]),
        team_wins=_median([r.wins for r in board.rows]),
        leaders_kept=_median([r.kept_pct for r in leaders]),
        team_kept=_median([r.kept_pct for r in board.rows]))


# --- the wins feed ----------------------------------------------------------------------------

def wins_feed(agency: Agency, *, producer: Producer | None = None, team: Team | None = None,
              week: dt.date | None = None, limit: int = FEED_LIMIT) -> list[Celebration]:
    """Newest celebrations (of one week, when given), one query. `stage_advance__to_stage` is
    joined so a feed shown to a producer can name the stage without the colleague's
    prospect."""
    qs = (Celebration.objects.filter(agency=agency)
          .select_related("producer__user", "stage_advance__to_stage"))
    if producer is not None:
        qs = qs.filter(producer=producer)
    if team is not None:
        qs = qs.filter(producer__team=team)
    if week is not None:
        qs = qs.filter(week_start=week)
    return list(qs.order_by("-occurred_at", "-id")[:limit])


def newest_id(celebrations) -> int:
    return max((c.pk for c in celebrations), default=0)


# --- the producer drill-down ------------------------------------------------------------------

@dataclass
class WeekLine:
    week: dt.date
    card: WeeklyScorecard | None
    commitments: list[Commitment]

    @property
    def kept_pct(self) -> int | None:
        if not self.card or not self.card.commitments_total:
            return None
        return round(100 * self.card.commitments_kept / self.card.commitments_total)


@dataclass
class FunnelStep:
    stage: Stage
    wins: int
    width: int  # percent of the widest step, for the bar


@dataclass
class Drilldown:
    producer: Producer
    week: dt.date
    lines: list[WeekLine]
    wins: list[Celebration]
    funnel: list[FunnelStep]
    plan: GoalPlan | None

    @property
    def totals(self) -> dict:
        cards = [line.card for line in self.lines if line.card]
        kept = sum(c.commitments_kept for c in cards)
        of = sum(c.commitments_total for c in cards)
        return {"wins": sum(c.wins for c in cards),
                "activities": sum(c.activities_total for c in cards),
                "kept": kept, "of": of, "kept_pct": round(100 * kept / of) if of else None}

    @property
    def first_card_week(self) -> dt.date:
        """Weeks before a producer's first scorecard are left out of the table."""
        return next((line.week for line in self.lines if line.card), self.week)

    @property
    def has_commitments(self) -> bool:
        return any(line.commitments for line in self.lines)

    @property
    def wins_series(self) -> list[int]:
        return [line.card.wins if line.card else 0 for line in self.lines]

    @property
    def activities_series(self) -> list[int]:
        return [line.card.activities_total if line.card else 0 for line in self.lines]

    @property
    def kept_series(self) -> list[float | None]:
        return [line.card.kept_ratio if line.card else None for line in self.lines]

    @property
    def week_labels(self) -> list[str]:
        return [f"{line.week:%b} {line.week.day}" for line in self.lines]


def producer_drilldown(*, producer: Producer, week: dt.date) -> Drilldown:
    """13 weeks ending at `week`, newest last. Five queries however long the history."""
    agency = producer.agency
    weeks = trend_weeks(week)
    this_week = Week.current(agency).start
    cards = {c.week_start: c for c in WeeklyScorecard.objects.filter(
        producer=producer, week_start__gte=weeks[0], week_start__lte=week)}
    commitments: dict[dt.date, list[Commitment]] = {}
    for c in (Commitment.objects.filter(producer=producer, week_start__gte=weeks[0],
                                        week_start__lte=week)
              .select_related("activity_type", "stage", "prospect").order_by("week_start", "id")):
        card = cards.get(c.week_start)
        c.progress = (card.commitment_actuals.get(str(c.pk)) if card else None)
        if c.progress is None:
            c.progress = c.actual or 0
        c.goal = commitment_target(_as_dict(c))
        if c.goal <= 0:
            c.state = NONE
        elif c.status != Commitment.Status.OPEN:
            c.state = c.status
        elif c.week_start < this_week:
            # Over, but not judged yet (the rollover runs at 00:05 on Monday): judge it the
            # way the rollover will, so an ended week never shows a commitment as open.
            c.state = "kept" if c.progress >= c.goal else "missed"
        else:  # the week is still running: done already, or still open
            c.state = "done" if c.progress >= c.goal else "open"
        commitments.setdefault(c.week_start, []).append(c)
    start = dt.datetime.combine(weeks[0], dt.time.min, tzinfo=agency.tz)
    wins = list(Celebration.objects.filter(producer=producer, occurred_at__gte=start,
                                           week_start__lte=week)
                .select_related("stage_advance__to_stage", "stage_advance__prospect")
                .order_by("-occurred_at", "-id")[:DRILL_WINS])
    stage_wins: dict[str, int] = {}
    for card in cards.values():
        for stage_id, n in (card.wins_by_stage or {}).items():
            stage_wins[stage_id] = stage_wins.get(stage_id, 0) + n
    stages = [s for s in stages_for(agency) if s.kind != Stage.Kind.LOST]
    # The first stage is where prospects start; no advance lands there, so it is left out.
    steps = [(s, stage_wins.get(str(s.pk), 0)) for s in stages[1:]]
    widest = max((n for _, n in steps), default=0) or 1
    funnel = [FunnelStep(stage=s, wins=n, width=max(2, round(100 * n / widest)) if n else 0)
              for s, n in steps]
    plan = GoalPlan.objects.filter(producer=producer, year=local_now(agency).year).first()
    return Drilldown(
        producer=producer, week=week,
        lines=[WeekLine(week=w, card=cards.get(w), commitments=commitments.get(w, []))
               for w in weeks],
        wins=wins, funnel=funnel, plan=plan)
