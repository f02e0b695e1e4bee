"""The agenda of the weekly meeting as pure rules: no database, unit-tested alone.

Wins first (the reel), then each producer's turn (leaders first), pipeline health, clearing
the path (the team's open obstacles) and a wrap-up, within 30 minutes (EOS/4DX style). The
position on the agenda is (section, turn, win); `step` says where "next", "back" and "next
section" lead from there.
The screen's timers, the reel's slides and the producer's "your turn is next" come from here
too, so the TV, the kiosk, the phone and the minutes can never disagree about them.
"""

import datetime as dt
from typing import NamedTuple

from ..models import Meeting

S = Meeting.Section
AGENDA = [S.WINS, S.TURNS, S.PIPELINE, S.CLEAR_PATH, S.WRAP_UP]
# Target seconds per section (EOS/4DX style: the whole meeting within 30 minutes).
# Clearing the path took two of the pipeline's five minutes, so turns keep the time they had.
SECTION_TARGETS = {S.WINS: 5 * 60, S.PIPELINE: 3 * 60, S.CLEAR_PATH: 2 * 60, S.WRAP_UP: 3 * 60}
TURN_TARGET = 2 * 60
# The default length; an agency sets its own (Agency.meeting_minutes, Settings → Agency).
MEETING_LIMIT = 30 * 60
# The wins reel shows every win one by one only while that fits its five minutes; a bigger
# week shows the REEL_SPOTLIGHT biggest (bound first) one by one, then one wall of them all.
REEL_ALL_MAX = 12
REEL_SPOTLIGHT = 10
DIRECTIONS = ("next", "prev", "next_section")


# --- time -----------------------------------------------------------------------------------

def turn_target_seconds(turn_count: int, limit: int = MEETING_LIMIT) -> int:
    """Two minutes a turn, shortened when a big team would push the meeting over its length
    (`limit` seconds: the agency's meeting length, 30 minutes unless the owner set another)."""
    if turn_count <= 0:
        return TURN_TARGET
    budget = max(limit - sum(SECTION_TARGETS.values()), 0)
    return min(TURN_TARGET, budget // turn_count)


def section_target_seconds(section: str, turn_count: int, limit: int = MEETING_LIMIT) -> int:
    if section == S.TURNS:
        return turn_target_seconds(turn_count, limit) * max(turn_count, 1)
    return SECTION_TARGETS.get(section, 0)


def seconds_between(since: dt.datetime | None, now: dt.datetime) -> int:
    """Whole seconds from `since` to `now`; 0 when the timer never started (or the clocks of
    two machines disagree a little)."""
    return max(0, int((now - since).total_seconds())) if since else 0


def timer_state(elapsed: int, target: int) -> str:
    """ok, then amber in the last fifth of the target, red once over it."""
    if target and elapsed > target:
        return "over"
    if target and elapsed >= target * 0.8:
        return "near"
    return "ok"


def clock(seconds: int) -> str:
    """Seconds as m:ss for the timers."""
    minutes, rest = divmod(max(0, int(seconds)), 60)
    return f"{minutes}:{rest:02d}"


# --- the wins reel --------------------------------------------------------------------------

def reel_slides(wins: int) -> int:
    """How many slides the wins reel has for that many wins (the wall counts as one)."""
    return wins if wins <= REEL_ALL_MAX else REEL_SPOTLIGHT + 1


def reel_is_spotlight(wins: int) -> bool:
    """True when the reel shows only the biggest wins one by one, then the wall."""
    return wins > REEL_ALL_MAX


def reel_index(win_index: int, wins: int) -> int:
    """The slide on screen: the stored index, kept on a real slide if the reel has shrunk
    since (a win undone)."""
    return min(win_index, max(reel_slides(wins) - 1, 0))


def reel_shows_wall(win_index: int, wins: int) -> bool:
    return reel_is_spotlight(wins) and reel_index(win_index, wins) >= REEL_SPOTLIGHT


# --- where the meeting is -------------------------------------------------------------------

class Position(NamedTuple):
    section: str
    turn: int
    win: int


class UnknownDirection(ValueError):
    """A move that is none of DIRECTIONS."""


def position_key(meeting) -> str:
    """The position as the driver's screen carries it (section:turn:win): a move made from a
    screen that shows another position is refused."""
    return f"{meeting.section}:{meeting.turn_index}:{meeting.win_index}"


def step(at: Position, direction: str, *, slides: int, turns: int) -> Position:
    """The next/previous position on the agenda; sections with nothing in them are skipped.

    `slides` is the number of reel slides, `turns` the number of turns. Off either end of the
    agenda the position stays put: ending is an explicit action.
    """
    index = AGENDA.index(at.section)
    # The reel or the turn list may have shrunk since (a win undone): step from a real slide.
    at = at._replace(win=min(at.win, max(slides - 1, 0)), turn=min(at.turn, max(turns - 1, 0)))
    if direction == "next":
        return _within(at, +1, slides, turns) or _enter(index + 1, +1, at, slides, turns)
    if direction == "next_section":
        return _enter(index + 1, +1, at, slides, turns)
    if direction == "prev":
        return _within(at, -1, slides, turns) or _enter(index - 1, -1, at, slides, turns)
    raise UnknownDirection(direction)


def _within(at: Position, by: int, slides: int, turns: int) -> Position | None:
    """One slide or one turn further inside the current section, if there is one."""
    if at.section == S.WINS and 0 <= at.win + by < slides:
        return at._replace(win=at.win + by)
    if at.section == S.TURNS and 0 <= at.turn + by < turns:
        return at._replace(turn=at.turn + by)
    return None


def _enter(index: int, by: int, at: Position, slides: int, turns: int) -> Position:
    """The first position of the section at `index` (its last when stepping back), skipping
    the turns when nobody has one."""
    while 0 <= index < len(AGENDA):
        section = AGENDA[index]
        if section == S.TURNS and turns == 0:
            index += by
            continue
        if section == S.TURNS:
            return Position(section, 0 if by > 0 else turns - 1, at.win)
        if section == S.WINS:
            return Position(section, at.turn, 0 if by > 0 else max(slides - 1, 0))
        return Position(section, at.turn, at.win)
    return Position(AGENDA[0] if index < 0 else AGENDA[-1], at.turn, at.win)


# --- turns ----------------------------------------------------------------------------------

def turn_has_passed(section: str, turn_index: int, position: int) -> bool:
    """Whether the turn at `position` is over, the meeting being at (section, turn_index)."""
    return (AGENDA.index(section) > AGENDA.index(S.TURNS)
            or (section == S.TURNS and position < turn_index))


def turns_before(section: str, turn_index: int, position: int) -> int:
    """Turns still to go before the one at `position` (the one on screen included)."""
    if section == S.TURNS:
        return position - turn_index
    return position if section == S.WINS else 0


def is_next_up(section: str, turn_index: int, position: int) -> bool:
    return ((section == S.TURNS and position == turn_index + 1)
            or (section == S.WINS and position == 0))


# --- commitments ----------------------------------------------------------------------------

def commitment_week_start(reviewed: dt.date, current: dt.date) -> dt.date:
    """The week (its Monday) the commitments made in a meeting are for.

    The meeting reviews `reviewed` (normally last week, held on Monday of the week the team is
    about to work), so "next week's commitments" are for the week after the reviewed one —
    the current week (`current`) when held on time. Commitments are never for a week that is
    already over, so a meeting resumed late commits to the current week instead.
    """
    return max(reviewed + dt.timedelta(weeks=1), current)


def week_is_ending(week_start: dt.date, today: dt.date) -> bool:
    """True on the week's last day (Sunday): commitments for it could hardly be kept."""
    return today >= week_start + dt.timedelta(days=6)


def default_review_week(current: dt.date, today: dt.date) -> dt.date:
    """The week the start form offers first: last week, as on a Monday; but on the current
    week's last day, this week, so the commitments land in next week and not in a week that
    ends today."""
    return current if week_is_ending(current, today) else current - dt.timedelta(weeks=1)


# --- ending ---------------------------------------------------------------------------------

def reopen_refusal(*, ended_on: dt.date, today: dt.date) -> str | None:
    """Why an ended meeting may not run again, or None: an "End meeting" pressed too early is
    undone the same day (the agency's day); after that the minutes stand as they were."""
    if ended_on == today:
        return None
    return (f"This meeting ended on {ended_on:%a %b} {ended_on.day}; a meeting can be "
            "re-opened only on the day it ended. Add commitments on the commitments page.")
