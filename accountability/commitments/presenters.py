"""What the commitments page and my week show for a commitment: a progress row.

Built from a week's commitments and its ledger (`selectors.WeekLedger`) with the same rules the
scorecard job uses (`rules`), so the number a producer just created by a tap shows at once.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from salesculture.numbers import half_up

from ..models import Commitment
from .rules import commitment_actual, commitment_target

if TYPE_CHECKING:
    from .selectors import WeekLedger, WeekTally


@dataclass
class Progress:
    commitment: Commitment
    actual: int
    target: int
    kept: bool = False

    @property
    def percent(self) -> int:
        """How full the progress bar is; a target of 0 shows an empty bar."""
        return min(100, int(half_up(100 * self.actual / self.target))) if self.target else 0


def commitment_values(commitment: Commitment) -> dict:
    """The commitment as the rules read it (the scorecard job reads the same from values())."""
    return {"kind": commitment.kind, "activity_type_id": commitment.activity_type_id,
            "stage_id": commitment.stage_id, "target": commitment.target,
            "self_reported_done": commitment.self_reported_done}


def commitment_progress(commitments: list[Commitment],
                        ledger: "WeekLedger | WeekTally") -> list[Progress]:
    """This week's commitments against the live ledger (the moves, or just their tally)."""
    counts = {str(k): v for k, v in ledger.counts.items()}
    by_stage = ledger.wins_by_stage
    wins = ledger.wins_total
    rows = []
    for c in commitments:
        values = commitment_values(c)
        actual = commitment_actual(values, counts, by_stage, wins)
        target = commitment_target(values)
        rows.append(Progress(commitment=c, actual=actual, target=target,
                             kept=bool(target) and actual >= target))
    return rows
