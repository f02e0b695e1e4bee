"""The rules that judge a commitment, alone: plain values in, a number or a verdict out, no
database."""

import datetime as dt
import zoneinfo

import pytest

from accountability.commitments.rules import (
    commitment_actual,
    commitment_target,
    counts_toward_total,
    week_has_started,
)

CALL, EMAIL = 7, 8
CONTACTED, QUOTED = 21, 22

# The week's ledger as the scorecard job reads it: counts keyed by id as text.
ACTIVITY_COUNTS = {str(CALL): 12, str(EMAIL): 3}
WINS_BY_STAGE = {str(CONTACTED): 2, str(QUOTED): 1}
WINS = 3


def activity(type_id, target):
    return {"kind": "activity", "activity_type_id": type_id, "stage_id": None,
            "target": target, "self_reported_done": False}


def stage_wins(stage_id, target):
    return {"kind": "stage_wins", "activity_type_id": None, "stage_id": stage_id,
            "target": target, "self_reported_done": False}


def promise(done):
    return {"kind": "specific", "activity_type_id": None, "stage_id": None, "target": None,
            "self_reported_done": done}


def actual(commitment):
    return commitment_actual(commitment, ACTIVITY_COUNTS, WINS_BY_STAGE, WINS)


def kept(commitment):
    return actual(commitment) >= commitment_target(commitment)


def test_an_activity_target_met_counts_that_type_only():
    call = activity(CALL, 10)
    assert (actual(call), commitment_target(call), kept(call)) == (12, 10, True)


def test_an_activity_target_unmet():
    email = activity(EMAIL, 5)
    assert (actual(email), commitment_target(email), kept(email)) == (3, 5, False)


def test_an_activity_type_not_logged_this_week_is_zero():
    assert actual(activity(99, 1)) == 0


def test_stage_wins_to_a_stage_count_only_advances_into_it():
    assert actual(stage_wins(CONTACTED, 2)) == 2
    assert actual(stage_wins(QUOTED, 2)) == 1
    assert not kept(stage_wins(QUOTED, 2))


def test_stage_wins_to_any_stage_count_every_win():
    any_stage = stage_wins(None, 3)
    assert (actual(any_stage), kept(any_stage)) == (3, True)


@pytest.mark.parametrize(("done", "expected"), [(True, 1), (False, 0)])
def test_a_specific_promise_is_its_own_tick(done, expected):
    ticked = promise(done)
    assert commitment_target(ticked) == 1
    assert actual(ticked) == expected
    assert kept(ticked) is done


def test_a_target_of_zero_promises_nothing_and_does_not_count():
    zero = activity(CALL, 0)
    assert not counts_toward_total(zero)
    assert counts_toward_total(activity(CALL, 1))
    assert counts_toward_total(promise(False))


def test_a_week_has_started_from_its_first_moment():
    tz = zoneinfo.ZoneInfo("America/Chicago")
    begins = dt.datetime(2026, 11, 23, tzinfo=tz)
    assert not week_has_started(begins, begins - dt.timedelta(microseconds=1))
    assert week_has_started(begins, begins)
    # The same moment seen from another zone is the same moment.
    assert week_has_started(begins, begins.astimezone(dt.UTC) + dt.timedelta(hours=1))
