"""What a win is: the glossary's rule, decided here and nowhere else.

Every move of a prospect is a stage advance in the ledger. A move **wins each stage it makes the
prospect reach for the first time**: the stages of the path (every stage but Lost, in the
agency's order) beyond the furthest stage the prospect has ever reached, up to and including
the stage it moves to. So

- a move to the next stage wins that stage;
- a skip wins the stages it passes over as well as the one it lands in;
- moving back and then forward again wins nothing until the prospect goes beyond the furthest
  stage it had reached;
- a move to Lost wins nothing, and a prospect re-opened out of Lost is judged by the same rule:
  binding it is a win when it never reached Bound before;
- the stage a prospect is created in is reached, not won.

`prospect_advance` applies the rule under the prospect's row lock and stores what the move won
(`StageAdvance.wins` and one `StageWin` row per stage won, unique per prospect and stage), so
every reader — scorecards, commitments, the funnel, the plan, the meeting reel, the digest —
counts the same rows. This module is pure: no database.
"""

from collections.abc import Sequence
from typing import Protocol, TypeVar

LOST = "lost"


class StageLike(Protocol):
    position: int
    kind: str


S = TypeVar("S", bound=StageLike)


def path_of(stages: Sequence[S]) -> list[S]:
    """The stages a prospect moves along, in order: every stage but Lost."""
    return sorted((s for s in stages if s.kind != LOST), key=lambda s: s.position)


def stages_won(*, stages: Sequence[S], furthest: S | None, to_stage: S) -> list[S]:
    """The stages a move to `to_stage` wins, given the furthest stage the prospect has reached
    (None: it has reached none, which only happens to rows older than this rule)."""
    if to_stage.kind == LOST:
        return []
    floor = furthest.position if furthest is not None else None
    return [s for s in path_of(stages)
            if (floor is None or s.position > floor) and s.position <= to_stage.position]


def furthest_after(*, furthest: S | None, to_stage: S) -> S | None:
    """The high-water mark after a move: unchanged by Lost and by moves back."""
    if to_stage.kind == LOST:
        return furthest
    if furthest is None or to_stage.position > furthest.position:
        return to_stage
    return furthest



def replay(stages: Sequence[S], moves: Sequence[tuple[int, S | None, S]]) -> tuple[
        dict[int, list[S]], S | None]:
    """One prospect's ledger judged from its first row: `moves` are (advance id, stage moved
    from — None for the prospect's creation —, stage moved to), oldest first. Returns the
    stages each move won and the furthest stage reached. For history written before this rule
    or written in bulk; a live move is judged as it is written."""
    won: dict[int, list[S]] = {}
    furthest: S | None = None
    for advance_id, from_stage, to_stage in moves:
        if furthest is None and from_stage is not None and from_stage.kind != LOST:
            furthest = from_stage  # a history that starts mid-way: it had reached that stage
        won[advance_id] = ([] if from_stage is None else
                           stages_won(stages=stages, furthest=furthest, to_stage=to_stage))
        furthest = furthest_after(furthest=furthest, to_stage=to_stage)
    return won, furthest
