"""What the meeting screen, its minutes, the phone page and the kiosk show, built from what
the selectors read: no queries here (every relation used is already loaded)."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.template.defaultfilters import pluralize

from pipeline.models import Stage
from salesculture.models import Team
from salesculture.numbers import half_up

from ..commitments.rules import commitment_target, counts_toward_total
from ..models import Celebration, Commitment, Meeting, MeetingTurn, WeeklyScorecard
from ..scorecards.refresh import QUARTERS_PER_YEAR
from . import agenda
from .agenda import AGENDA, S

# A wall with more producers than this sets its rows tighter to fit the TV.
WALL_DENSE_ROWS = 8
# A commitment line's state when its target is zero: it promised nothing, so it is neither
# kept nor missed (commitments.rules.counts_toward_total).
NO_TARGET = "no_target"


@dataclass
class MeetingsHome:
    running: list
    minutes: list
    kiosks: list


@dataclass
class KioskBoard:
    team: Team
    week: dt.date
    rows: list
    celebrations: list


def latest_wins(celebrations: list[Celebration], week: dt.date) -> list[Celebration]:
    """Each win with the date format it is shown in: the day for this week's, the date for
    older ones (the template formats it in the agency's time zone)."""
    for c in celebrations:
        c.when_format = "D" if c.week_start == week else "M j"
    return celebrations


# --- the screen -----------------------------------------------------------------------------

class Timer(NamedTuple):
    """One clock, as every place on the screen shows it: the header's agenda and total and
    the wrap-up's time panel render these same values, and meeting.js ticks them on alike."""

    elapsed: int
    target: int
    running: bool

    @property
    def clock(self) -> str:
        return agenda.clock(self.elapsed)


@dataclass
class AgendaItem:
    section: str
    label: str
    target: int
    elapsed: int
    running: bool
    done: bool

    @property
    def state(self) -> str:
        return agenda.timer_state(self.elapsed, self.target)

    @property
    def timer(self) -> Timer:
        return Timer(self.elapsed, self.target, self.running)

    @property
    def elapsed_clock(self) -> str:
        return agenda.clock(self.elapsed)

    @property
    def target_clock(self) -> str:
        return agenda.clock(self.target)


@dataclass
class CommitmentLine:
    commitment: Commitment
    target: int
    actual: int | None
    state: str  # kept, missed, on_track, behind, or no_target (grey: it promised nothing)
    label: str

    @property
    def met(self) -> bool:
        """Kept, or on track while the week is still open: a tick, not a cross."""
        return self.state in ("kept", "on_track")

    @property
    def mark(self) -> str:
        if self.state == NO_TARGET:
            return "–"
        return "✓" if self.met else "✗"

    @property
    def tone(self) -> str:
        """The mark's colour on the phone page: good, bad, or muted for no target."""
        if self.state == NO_TARGET:
            return "muted"
        return "good" if self.met else "bad"


class ReelDot(NamedTuple):
    on: bool
    wall: bool  # the last dot of a spotlight reel stands for the wall of all wins


@dataclass
class Screen:
    meeting: Meeting
    position: str
    turns: list
    agenda: list
    commit_week: dt.date
    wins_count: int  # celebrations in the reel: stage wins plus personal bests, kept weeks...
    total_elapsed: int
    total_target: int
    turn_target: int
    # Section-specific parts; only the current section's are filled.
    win: Celebration | None = None
    wall: dict | None = None  # the reel's last slide when there are too many wins to show
    late_candidates: list = field(default_factory=list)  # team producers without a turn
    turn: MeetingTurn | None = None
    turn_elapsed: int = 0
    last_week: list = field(default_factory=list)
    card: WeeklyScorecard | None = None
    turn_wins: list = field(default_factory=list)
    next_week: list = field(default_factory=list)
    funnel: list = field(default_factory=list)
    coverage: dict = field(default_factory=dict)
    stale: list = field(default_factory=list)
    stale_total: int = 0
    xdates: list = field(default_factory=list)  # renewals within 30 days nobody acted on
    xdates_total: int = 0
    made: list = field(default_factory=list)
    none_yet: list = field(default_factory=list)
    obstacles: dict = field(default_factory=dict)  # clearing the path: obstacles/screen.py
    # Stage wins alone, the number the scorecard, the turn and the digest call "wins".
    stage_wins: int = 0  # stages reached for the first time (a skip wins several)
    win_moves: int = 0  # the celebrations that are moves; the rest are bests, kept weeks...
    commit_week_ending: bool = False  # the commitments land in a week that ends today

    @property
    def other_celebrations(self) -> int:
        return self.wins_count - self.win_moves

    @property
    def section(self) -> str:
        return self.meeting.section

    @property
    def reel_slides(self) -> int:
        return agenda.reel_slides(self.wins_count)

    @property
    def reel_is_spotlight(self) -> bool:
        """True when the reel shows only the biggest wins one by one, then the wall."""
        return agenda.reel_is_spotlight(self.wins_count)

    @property
    def reel_index(self) -> int:
        return agenda.reel_index(self.meeting.win_index, self.wins_count)

    @property
    def reel_number(self) -> int:
        """The slide on screen as people count: 1 for the first."""
        return self.reel_index + 1

    @property
    def reel_top_count(self) -> int:
        """How many of the biggest wins a spotlight reel shows one by one (the wall aside)."""
        return self.reel_slides - 1

    @property
    def reel_caption(self) -> str:
        """Which slide of how many; a spotlight reel also says how big the whole week was."""
        if not self.reel_is_spotlight:
            return (f"{self.reel_number} of {self.wins_count} "
                    f"celebration{pluralize(self.wins_count)} · "
                    f"{self.stage_wins} stage win{pluralize(self.stage_wins)}")
        return (f"Top win {self.reel_number} of {self.reel_top_count} · "
                + _wins_phrase(self.stage_wins, self.other_celebrations))

    @property
    def reel_last(self) -> bool:
        return self.reel_index + 1 >= self.reel_slides

    @property
    def reel_dots(self) -> list[ReelDot]:
        slides, index = self.reel_slides, self.reel_index
        return [ReelDot(on=n == index, wall=self.reel_is_spotlight and n == slides - 1)
                for n in range(slides)]

    @property
    def turn_wins_more(self) -> bool:
        """The turn shows a few of the producer's wins: say how many there were in all."""
        return bool(self.card and self.turn_wins and self.card.wins > len(self.turn_wins))

    @property
    def stale_more(self) -> bool:
        return self.stale_total > len(self.stale)

    @property
    def turn_state(self) -> str:
        return agenda.timer_state(self.turn_elapsed, self.turn_target)

    @property
    def total_state(self) -> str:
        return agenda.timer_state(self.total_elapsed, self.total_target)

    @property
    def total_timer(self) -> Timer:
        return Timer(self.total_elapsed, self.total_target, not self.meeting.ended_at)

    @property
    def clocks(self) -> dict:
        return {"total": agenda.clock(self.total_elapsed),
                "total_target": agenda.clock(self.total_target),
                "turn": agenda.clock(self.turn_elapsed),
                "turn_target": agenda.clock(self.turn_target)}


def screen(meeting: Meeting, *, turns: list, committed: dict, commit_week: dt.date,
           wins: int, win_moves: int, stage_wins: int, now: dt.datetime) -> Screen:
    """The parts of the screen every section shows: the agenda with its timers and the turns,
    each turn marked with its commitment count and whether it is on screen."""
    for turn in turns:
        turn.committed = committed.get(turn.producer_id, 0)
        turn.clock = agenda.clock(turn.seconds)
        turn.is_current = (meeting.section == S.TURNS and turn.position == meeting.turn_index)
    limit = meeting.agency.meeting_minutes * 60  # the agency's length (Settings → Agency)
    items = agenda_items(meeting, len(turns), now, limit=limit)
    return Screen(
        meeting=meeting, position=agenda.position_key(meeting), turns=turns, agenda=items,
        commit_week=commit_week, wins_count=wins, stage_wins=stage_wins, win_moves=win_moves,
        total_elapsed=sum(item.elapsed for item in items),
        total_target=sum(item.target for item in items),
        turn_target=agenda.turn_target_seconds(len(turns), limit))


def agenda_items(meeting: Meeting, turn_count: int, now: dt.datetime, *,
                 limit: int = agenda.MEETING_LIMIT) -> list[AgendaItem]:
    """Each section with the time spent in it (the running one up to `now`) and its target."""
    seconds = meeting.section_seconds or {}
    running = meeting.section if not meeting.ended_at else None
    items = []
    for section in AGENDA:
        elapsed = seconds.get(section, 0)
        if section == running:
            elapsed += agenda.seconds_between(meeting.section_started_at, now)
        items.append(AgendaItem(
            section=section, label=S(section).label,
            target=agenda.section_target_seconds(section, turn_count, limit), elapsed=elapsed,
            running=section == running,
            done=section in seconds and section != running))
    return items


def reel_wall(stages: list[Stage], counts: list[dict]) -> dict:
    """Every win of the week on one slide: a producer × stage grid of counts. `counts` are
    rows of (producer, stage reached or None for other celebrations, how many)."""
    rows: dict[int, dict] = {}
    for r in counts:
        name = (f"{r['producer__user__first_name']} {r['producer__user__last_name']}".strip()
                or r["producer__user__username"])
        row = rows.setdefault(r["producer_id"], {"name": name, "by_stage": defaultdict(int),
                                                 "other": 0, "total": 0})
        if r["stage_advance__to_stage_id"] is None:
            row["other"] += r["n"]
        else:
            row["by_stage"][r["stage_advance__to_stage_id"]] += r["n"]
            row["total"] += r["n"]  # stage wins only, as on the scorecard and the turn
    shown = [s for s in stages if any(row["by_stage"].get(s.pk) for row in rows.values())]
    ordered = sorted(rows.values(), key=lambda row: (-row["total"], -row["other"], row["name"]))
    for row in ordered:
        row["cells"] = [{"stage": s, "n": row["by_stage"].get(s.pk, 0)} for s in shown]
    total, other_total = sum(row["total"] for row in ordered), sum(r["other"] for r in ordered)
    return {
        "caption": f"All {_wins_phrase(total, other_total)} · every step forward counts",
        "dense": len(ordered) > WALL_DENSE_ROWS,
        "total": total,
        "stages": shown,
        "rows": ordered,
        "has_other": any(row["other"] for row in ordered),
        "totals": [sum(row["by_stage"].get(s.pk, 0) for row in ordered) for s in shown],
        "other_total": other_total,
    }


def _wins_phrase(stage_wins: int, others: int) -> str:
    """“43 stage wins and 3 more celebrations”: stage wins are the number the scorecard calls
    wins, so the personal bests, kept weeks and streaks are counted apart."""
    phrase = f"{stage_wins} stage win{pluralize(stage_wins)}"
    if others:
        phrase += f" and {others} more celebration{pluralize(others)}"
    return phrase


def commitment_lines(commitments, card: WeeklyScorecard | None) -> list[CommitmentLine]:
    """Last week's commitments against what happened: judged status when the week is closed,
    otherwise the live actuals the scorecard job materialised."""
    actuals = card.commitment_actuals if card else {}
    return [_commitment_line(c, actuals) for c in commitments]


def _commitment_line(c: Commitment, actuals: dict) -> CommitmentLine:
    as_dict = {"kind": c.kind, "target": c.target}
    target = commitment_target(as_dict)
    actual = c.actual if c.status != Commitment.Status.OPEN else actuals.get(str(c.pk))
    if not counts_toward_total(as_dict):
        # Judged by the same rule as the scorecard, my week and the digest: grey, never kept.
        return CommitmentLine(commitment=c, target=target, actual=actual, state=NO_TARGET,
                              label="no target")
    if c.status == Commitment.Status.KEPT:
        state = "kept"
    elif c.status == Commitment.Status.MISSED:
        state = "missed"
    else:
        state = "on_track" if (actual or 0) >= target else "behind"
    if c.is_measurable:
        label = f"{actual if actual is not None else '–'} / {target}"
    else:
        label = "done" if (actual or c.self_reported_done) else "not done"
    return CommitmentLine(commitment=c, target=target, actual=actual, state=state, label=label)


# --- pipeline health ------------------------------------------------------------------------

def funnel(stages: list[Stage], by_stage: dict, wins_by_stage: dict) -> list[dict]:
    """Open prospects per stage (count, value, bar width against the widest) and the wins into
    each stage that week; lost stages are not shown."""
    open_stages = [s for s in stages if s.kind == Stage.Kind.OPEN]
    widest = max([by_stage.get(s.pk, {}).get("n", 0) for s in open_stages] + [1])
    return [{
        "stage": s,
        "count": by_stage.get(s.pk, {}).get("n", 0),
        "value": by_stage.get(s.pk, {}).get("value") or Decimal(0),
        "wins": wins_by_stage.get(str(s.pk), 0),
        "width": round(100 * by_stage.get(s.pk, {}).get("n", 0) / widest),
    } for s in stages if s.kind != Stage.Kind.LOST]


def coverage(by_stage: dict, turns: list) -> dict:
    """The team's open pipeline against a quarter of the annual goals of those in the meeting."""
    open_value = sum((row["value"] or Decimal(0)) for row in by_stage.values())
    quarter = sum((t.producer.annual_goal for t in turns), Decimal(0)) / QUARTERS_PER_YEAR
    return {
        "open_value": open_value,
        "open_count": sum(row["n"] for row in by_stage.values()),
        "quarter_goal": quarter,
        "ratio": (open_value / quarter) if quarter else None,
        "percent": min(100, int(half_up(100 * open_value / quarter))) if quarter else 0,
    }


def mark_stale(prospects: list, *, today: dt.date, tz, followed: set) -> list:
    """Why each flagged prospect is on the list, and whether it has a follow-up already."""
    for p in prospects:
        p.days_in_stage = (today - p.stage_entered_at.astimezone(tz).date()).days
        p.is_stale = p.days_in_stage > p.stage.stale_after_days
        p.no_next_step = not p.next_step
        p.followed_up = p.pk in followed
    return prospects


# --- a producer's own turn ------------------------------------------------------------------

def my_turn(meeting: Meeting, turn: MeetingTurn, *, commit_week: dt.date,
            card: WeeklyScorecard | None, last_week: list, next_week: list,
            on_screen: MeetingTurn | None) -> dict:
    """A producer's own turn page: last week's results, next week's commitments and whose
    turn is on the screen now."""
    return {
        "commit_week": commit_week,
        "card": card,
        "last_week": commitment_lines(last_week, card),
        "next_week": next_week,
        "on_screen": on_screen,
        "is_my_turn": on_screen is not None and on_screen.producer_id == turn.producer_id,
        "turns_before": agenda.turns_before(meeting.section, meeting.turn_index, turn.position),
        "next_up": agenda.is_next_up(meeting.section, meeting.turn_index, turn.position),
    }
