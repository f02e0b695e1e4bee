"""The win rule alone (pipeline/wins.py), on a plain stage list: no database."""

from dataclasses import dataclass

import pytest

from pipeline.wins import furthest_after, path_of, stages_won


@dataclass(frozen=True)
class S:
    name: str
    position: int
    kind: str = "open"


LEAD, CONTACTED, APPOINTMENT, DISCOVERY, PROPOSAL = (
    S("Lead", 0), S("Contacted", 1), S("Appointment set", 2), S("Discovery done", 3),
    S("Proposal presented", 4))
BOUND, LOST = S("Bound", 5, "won"), S("Lost", 6, "lost")
STAGES = [LOST, BOUND, PROPOSAL, DISCOVERY, APPOINTMENT, CONTACTED, LEAD]


def won(furthest, to_stage):
    return [s.name for s in stages_won(stages=STAGES, furthest=furthest, to_stage=to_stage)]


def test_the_path_is_every_stage_but_lost_in_order():
    assert [s.name for s in path_of(STAGES)] == [
        "Lead", "Contacted", "Appointment set", "Discovery done", "Proposal presented", "Bound"]


def test_a_move_to_the_next_stage_wins_it():
    assert won(LEAD, CONTACTED) == ["Contacted"]


def test_a_skip_wins_every_stage_it_passes():
    assert won(APPOINTMENT, PROPOSAL) == ["Discovery done", "Proposal presented"]


def test_back_and_forth_wins_nothing_until_beyond_the_furthest():
    # Proposal → Contacted → Appointment set: Appointment set was reached before.
    assert won(PROPOSAL, CONTACTED) == []
    assert won(PROPOSAL, APPOINTMENT) == []
    assert won(PROPOSAL, BOUND) == ["Bound"]


def test_lost_wins_nothing_and_a_reopened_prospect_is_judged_by_its_high_water_mark():
    assert won(DISCOVERY, LOST) == []
    assert won(DISCOVERY, CONTACTED) == []
    assert won(DISCOVERY, BOUND) == ["Proposal presented", "Bound"]


def test_binding_again_after_bound_wins_nothing():
    assert won(BOUND, BOUND) == []


@pytest.mark.parametrize(("furthest", "to_stage", "expected"), [
    (LEAD, CONTACTED, CONTACTED), (PROPOSAL, CONTACTED, PROPOSAL), (PROPOSAL, LOST, PROPOSAL),
    (None, LOST, None), (None, APPOINTMENT, APPOINTMENT), (DISCOVERY, BOUND, BOUND)])
def test_the_high_water_mark_only_rises(furthest, to_stage, expected):
    assert furthest_after(furthest=furthest, to_stage=to_stage) == expected


def test_a_replayed_ledger_wins_each_stage_once():
    from pipeline.wins import replay

    moves = [(1, None, LEAD), (2, LEAD, APPOINTMENT), (3, APPOINTMENT, CONTACTED),
             (4, CONTACTED, DISCOVERY), (5, DISCOVERY, LOST), (6, LOST, BOUND)]
    won, furthest = replay(STAGES, moves)
    assert {k: [s.name for s in v] for k, v in won.items()} == {
        1: [], 2: ["Contacted", "Appointment set"], 3: [], 4: ["Discovery done"], 5: [],
        6: ["Proposal presented", "Bound"]}
    assert furthest == BOUND


def test_a_history_that_starts_mid_way_does_not_win_the_stage_it_started_from():
    from pipeline.wins import replay

    won, _ = replay(STAGES, [(7, LEAD, CONTACTED)])
    assert [s.name for s in won[7]] == ["Contacted"]
