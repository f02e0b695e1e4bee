"""The meeting's agenda rules alone: no database, so they run in milliseconds."""

import datetime as dt

import pytest

from accountability.meetings import agenda
from accountability.meetings.agenda import Position

MONDAY = dt.date(2026, 11, 23)


# --- time budgets ---------------------------------------------------------------------------

@pytest.mark.parametrize(("turns", "per_turn", "section"), [
    (0, 120, 120),   # nobody to hear: the turns section still reads as one turn's worth
    (2, 120, 240),
    (8, 120, 960),   # 13 minutes of other sections + 16 of turns: within 30
    (12, 85, 1020),  # 17 minutes left for turns, shared: 1020 // 12 = 85 seconds each
    (20, 51, 1020),
])
def test_turns_share_what_the_other_sections_leave_of_thirty_minutes(turns, per_turn, section):
    assert agenda.turn_target_seconds(turns) == per_turn
    assert agenda.section_target_seconds("turns", turns) == section


def test_the_other_sections_have_fixed_targets_and_the_whole_fits_thirty_minutes():
    assert [agenda.section_target_seconds(s, 12)
            for s in ("wins", "pipeline", "clear_path", "wrap_up")] == [300, 180, 120, 180]
    assert agenda.section_target_seconds("ended", 12) == 0
    for turns in (1, 2, 12, 20, 45):
        assert sum(agenda.section_target_seconds(s, turns) for s in agenda.AGENDA) <= 30 * 60


@pytest.mark.parametrize(("elapsed", "state"), [
    (0, "ok"), (95, "ok"),      # 79% of 120
    (96, "near"), (120, "near"),  # 80% up to the target itself
    (121, "over"),
])
def test_a_timer_turns_amber_in_its_last_fifth_and_red_once_over(elapsed, state):
    assert agenda.timer_state(elapsed, 120) == state


def test_a_timer_without_a_target_never_warns():
    assert agenda.timer_state(5000, 0) == "ok"


@pytest.mark.parametrize(("seconds", "shown"), [
    (0, "0:00"), (59, "0:59"), (61, "1:01"), (600, "10:00"), (3725, "62:05"), (-4, "0:00")])
def test_clocks_read_minutes_and_seconds(seconds, shown):
    assert agenda.clock(seconds) == shown


def test_seconds_between_never_goes_negative_and_zero_before_a_start():
    start = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    assert agenda.seconds_between(start, start + dt.timedelta(minutes=2, seconds=5)) == 125
    assert agenda.seconds_between(start, start - dt.timedelta(seconds=3)) == 0
    assert agenda.seconds_between(None, start) == 0


# --- the wins reel --------------------------------------------------------------------------

@pytest.mark.parametrize(("wins", "slides", "spotlight"), [
    (0, 0, False), (1, 1, False), (12, 12, False),  # every win, one by one
    (13, 11, True), (43, 11, True),                 # the ten biggest, then the wall
])
def test_a_big_week_shows_the_ten_biggest_wins_then_one_wall(wins, slides, spotlight):
    assert agenda.reel_slides(wins) == slides
    assert agenda.reel_is_spotlight(wins) is spotlight


def test_the_reel_stays_on_a_real_slide_and_knows_when_it_shows_the_wall():
    assert agenda.reel_index(5, 3) == 2   # two wins undone since the driver moved
    assert agenda.reel_index(4, 0) == 0
    assert not agenda.reel_shows_wall(9, 43)
    assert agenda.reel_shows_wall(10, 43)
    assert not agenda.reel_shows_wall(11, 12)  # a small week has no wall


# --- stepping through the agenda ------------------------------------------------------------

def step(section, turn, win, direction, *, slides=3, turns=4):
    return tuple(agenda.step(Position(section, turn, win), direction, slides=slides,
                             turns=turns))


def test_next_goes_slide_by_slide_then_turn_by_turn():
    assert step("wins", 0, 0, "next") == ("wins", 0, 1)
    assert step("wins", 0, 2, "next") == ("turns", 0, 2)      # last slide: first turn
    assert step("turns", 1, 2, "next") == ("turns", 2, 2)
    assert step("turns", 3, 2, "next") == ("pipeline", 3, 2)  # last turn: pipeline
    assert step("pipeline", 3, 2, "next") == ("clear_path", 3, 2)  # then clear the path
    assert step("clear_path", 3, 2, "next") == ("wrap_up", 3, 2)


def test_back_across_a_section_edge_lands_on_its_last_slide_or_turn():
    assert step("pipeline", 0, 0, "prev") == ("turns", 3, 0)
    assert step("turns", 0, 1, "prev") == ("wins", 0, 2)
    assert step("turns", 2, 1, "prev") == ("turns", 1, 1)
    assert step("wins", 1, 2, "prev") == ("wins", 1, 1)


def test_next_section_skips_what_is_left_of_the_current_one():
    assert step("wins", 0, 0, "next_section") == ("turns", 0, 0)
    assert step("turns", 1, 0, "next_section") == ("pipeline", 1, 0)


def test_off_either_end_of_the_agenda_the_meeting_stays_put():
    assert step("wins", 0, 0, "prev") == ("wins", 0, 0)
    assert step("wrap_up", 3, 2, "next") == ("wrap_up", 3, 2)
    assert step("wrap_up", 3, 2, "next_section") == ("wrap_up", 3, 2)


def test_a_meeting_with_no_turns_or_no_wins_skips_straight_past_them():
    assert step("wins", 0, 0, "next", slides=0, turns=0) == ("pipeline", 0, 0)
    assert step("pipeline", 0, 0, "prev", slides=0, turns=0) == ("wins", 0, 0)


def test_a_reel_that_shrank_steps_from_its_last_real_slide():
    assert step("wins", 0, 7, "prev", slides=3) == ("wins", 0, 1)
    assert step("turns", 9, 0, "next", turns=4) == ("pipeline", 3, 0)


def test_an_unknown_direction_is_refused():
    with pytest.raises(agenda.UnknownDirection):
        step("wins", 0, 0, "sideways")


def test_the_position_key_is_what_the_driver_saw():
    class Seen:
        section, turn_index, win_index = "turns", 2, 5
    assert agenda.position_key(Seen) == "turns:2:5"


# --- turns ----------------------------------------------------------------------------------

def test_how_many_turns_before_mine_and_whether_i_am_next():
    # during the reel everyone waits for the whole turn list before them
    assert agenda.turns_before("wins", 0, 3) == 3
    assert agenda.is_next_up("wins", 0, 0)
    # during turns: the one on screen counts
    assert agenda.turns_before("turns", 1, 3) == 2
    assert agenda.is_next_up("turns", 2, 3) and not agenda.is_next_up("turns", 1, 3)
    assert agenda.turns_before("pipeline", 4, 1) == 0


def test_a_turn_has_passed_once_the_meeting_is_beyond_it():
    assert not agenda.turn_has_passed("wins", 0, 0)
    assert not agenda.turn_has_passed("turns", 2, 2)
    assert agenda.turn_has_passed("turns", 3, 2)
    assert agenda.turn_has_passed("wrap_up", 0, 5)


# --- commitments ----------------------------------------------------------------------------

def test_commitments_are_for_the_week_after_the_reviewed_one_never_for_a_past_week():
    last_week = MONDAY - dt.timedelta(weeks=1)
    assert agenda.commitment_week_start(last_week, MONDAY) == MONDAY
    assert agenda.commitment_week_start(MONDAY, MONDAY) == MONDAY + dt.timedelta(weeks=1)
    # resumed three weeks late: this week, not a week that is over
    assert agenda.commitment_week_start(MONDAY - dt.timedelta(weeks=3), MONDAY) == MONDAY
